"""A short load on a served sample, then what `/metrics` says about it.

    PYTHONPATH=. .venv/bin/python bench/sample_load.py --scale 0.05 --keep --quiet   # once
    PYTHONPATH=. .venv/bin/python bench/metrics_scrape.py [--requests 200]

One server of this checkout, one worker, over the bench database `gis_app_bench_sample`, as
shipped (login role, row-level security), signed in as an admin (`bench-metrics-admin`,
made on first use). `--requests` GETs, round robin over a few routes with ids and tiles
drawn from the data (a building, its z16 buildings tile, a search, health). `/metrics` is
scraped before and after from 127.0.0.1 with no credentials (the default
`GIS_METRICS_ACCESS=admin_or_loopback`).

Prints, per route template, the requests the scrape counted against those sent, and p95 by
the histogram (linear within the bucket, as Prometheus's `histogram_quantile` does) beside
the client's own p95; then the pool gauges, tiles served and the scrape's size and time. It
checks that no id asked for and no user name shows in the scrape.

Scale 0.05 (4 995 buildings, 100 214 rooms), 2026-12-03, 2 cores shared with other test
runs, 200 GETs, two runs, ms (the histogram's p95 is a bucket interpolation of the
server's time; the client's includes the loopback round trip):

    route template                    counted   p95 hist    p95 client
    /api/v1/buildings/{building_id}   50 / 50   34.4  9.9   27.6  11.2
    /tiles/{layer}/{z}/{x}/{y}.mvt    50 / 50   24.0 17.5   20.1   8.0
    /api/v1/search                    50 / 50  156.2 49.2  103.5  39.4
    /api/health                       50 / 50   95.0 43.1   75.7  30.5

Pool 5, none checked out after the load, 2 connections open; the scrape 16 kB, 133
samples, 7-9 ms; no id or user name in it.
"""

from __future__ import annotations

import argparse
import http.client
import math
import random
import sys
import time
from collections import defaultdict
from urllib.parse import quote

import _serve
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from gis_app.config import PROJECT_ROOT
from gis_app.db.engine import make_engine
from gis_app.layers.grid import tile_at

BENCH_DB = "gis_app_bench_sample"
LOGIN = "bench-metrics-admin"
Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def parse(scraped: str) -> Series:
    """Every sample of a scrape by (name, sorted labels)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(scraped)
        for s in family.samples
    }


def scrape(port: int) -> tuple[str, float]:
    """The text of /metrics asked from loopback without credentials, and its ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    began = time.perf_counter()
    conn.request("GET", "/metrics")
    response = conn.getresponse()
    body = response.read().decode()
    ms = (time.perf_counter() - began) * 1000
    if response.status != 200:
        raise SystemExit(f"/metrics answered {response.status}: {body[:200]}")
    return body, ms


def quantile(buckets: list[tuple[float, float]], share: float) -> float:
    """`histogram_quantile`: the bucket holding the rank, linear inside it (seconds)."""
    total = buckets[-1][1]
    rank = share * total
    lower, below = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower
            inside = count - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 0)
        lower, below = bound, count
    return lower


def route_figures(before: Series, after: Series, route: str) -> tuple[float, float | None]:
    """(requests counted, p95 seconds by the histogram) of GET `route`, 2xx, in between."""
    buckets: dict[float, float] = defaultdict(float)
    count = 0.0
    for (name, labels), value in after.items():
        found = dict(labels)
        if (found.get("route"), found.get("method"), found.get("status")) != (route, "GET", "2xx"):
            continue
        grown = value - before.get((name, labels), 0.0)
        if name == "gis_http_requests_total":
            count = grown
        elif name == "gis_http_request_duration_seconds_bucket":
            buckets[float(found["le"])] += grown
    ordered = sorted(buckets.items())
    return count, quantile(ordered, 0.95) if ordered and ordered[-1][1] else None


def plan(engine, n: int, seed: int) -> list[tuple[str, str]]:
    """(route template, path) pairs, round robin over the routes, ids from the data."""
    rng = random.Random(seed)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT b.id, ST_X(p) AS lon, ST_Y(p) AS lat, left(b.name, 2) AS word"
                " FROM building b, ST_PointOnSurface(b.geom) p ORDER BY b.id LIMIT 500"
            )
        ).all()
    if not rows:
        raise SystemExit("no buildings: load the sample first (see the docstring)")
    out = []
    for i in range(n):
        row = rng.choice(rows)
        z = 16
        x, y = tile_at(row.lon, row.lat, z)
        out.append(
            [
                ("/api/v1/buildings/{building_id}", f"/api/v1/buildings/{row.id}"),
                ("/tiles/{layer}/{z}/{x}/{y}.mvt", f"/tiles/buildings/{z}/{x}/{y}.mvt"),
                ("/api/v1/search", "/api/v1/search?q=" + quote(row.word)),
                ("/api/health", "/api/health"),
            ][i % 4]
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="GETs of the load")
    parser.add_argument("--seed", type=int, default=21, help="which buildings")
    parser.add_argument("--database", default=BENCH_DB, help="a loaded sample database")
    args = parser.parse_args()
    owner = _serve.owner_url(args.database)
    engine = make_engine(owner)
    calls = plan(engine, args.requests, args.seed)
    token = _serve.user_token(engine, LOGIN, "admin", note="bench metrics_scrape")
    log = PROJECT_ROOT / "var" / "bench-metrics-logs" / "server.log"
    proc, port = _serve.serve(_serve.server_env(owner), log)
    sent: dict[str, list[float]] = defaultdict(list)
    try:
        _serve.ready(proc, port, log)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _, path in calls[:8]:
            _serve.get(conn, path, token)  # warm-up: connections, the catalog, plan caches
        before, _ = scrape(port)
        for route, path in calls:
            ms, status, _, _ = _serve.get(conn, path, token)
            if status < 300:
                sent[route].append(ms)
        after, scrape_ms = scrape(port)
    finally:
        proc.terminate()
        proc.wait(30)
    engine.dispose()
    old, new = parse(before), parse(after)
    say(f"{args.requests} GETs, one worker, database {args.database}, as shipped (RLS)\n")
    head = ("route template", "sent 2xx", "counted", "p95 hist ms", "p95 client")
    say("{:36} {:>8} {:>7} {:>11} {:>10}".format(*head))
    for route, times in sent.items():
        counted, p95 = route_figures(old, new, route)
        hist = f"{p95 * 1000:.1f}" if p95 is not None else "-"
        client = _serve.percentile(times, 0.95)
        say(f"{route:36} {len(times):8d} {counted:7.0f} {hist:>11} {client:10.1f}")
    say("")
    for name in ("gis_db_pool_size", "gis_db_pool_checked_out", "gis_db_pool_overflow"):
        say(f"{name} {new[(name, ())]:.0f}")
    for (name, labels), value in sorted(new.items()):
        if name == "gis_tiles_served_total" and value:
            grown = value - old.get((name, labels), 0.0)
            say(f"{name}{dict(labels)} +{grown:.0f}")
    say(f"scrape: {len(after.encode())} bytes, {len(new)} samples, {scrape_ms:.1f} ms")
    leaks = [p for _, p in calls if p.startswith("/api/v1/buildings/") and p in after]
    named = LOGIN in after or token in after
    say(f"ids or user named in the scrape: {'YES' if leaks or named else 'none'}")
    return 1 if leaks or named else 0


if __name__ == "__main__":
    raise SystemExit(main())
