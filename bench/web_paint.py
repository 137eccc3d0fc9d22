"""Time to first map paint of the pages on the demo district (or `--url`'s database).

    .venv/bin/python bench/web_paint.py [--runs 5] [--url postgresql://…]

Serves the app on a loopback port and opens each page in system Chromium `--runs` times
(fresh context each time, so nothing is cached): first contentful paint, the load event,
and for the map the moment its first building tile has arrived. Prints JSON (ms, p50/max).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import time

import uvicorn

from gis_app.app import create_app
from gis_app.config import Settings, get_settings
from gis_app.maps.export import CHROMIUM, CHROMIUM_ARGS, BrowserReport, watched_page

PAGES = ("/map", "/land", "/dashboard", "/floor-plan?building=17&level=0")
FCP = "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"


def _serve(settings: Settings) -> tuple[str, uvicorn.Server]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", help="database URL (default: the app's own)")
    args = parser.parse_args()
    settings = get_settings()
    if args.url:
        settings = Settings(database_url=args.url)
    base, server = _serve(settings)
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, float | None]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        for path in PAGES:
            fcp, load, tile = [], [], []
            for _ in range(args.runs):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = watched_page(context, BrowserReport())
                started = time.perf_counter()
                first_tile: list[float] = []
                page.on(
                    "response",
                    lambda r, f=first_tile, s=started: (
                        f.append(time.perf_counter() - s)
                        if "/tiles/buildings" in r.url and not f
                        else None
                    ),
                )
                page.goto(base + path, wait_until="load")
                load.append((time.perf_counter() - started) * 1000)
                page.wait_for_function(f"({FCP}) !== null")
                fcp.append(page.evaluate(FCP))
                if path == "/map":
                    page.wait_for_timeout(1500)
                    if first_tile:
                        tile.append(first_tile[0] * 1000)
                context.close()
            out[path] = {
                "first_contentful_paint_ms_p50": round(statistics.median(fcp), 1),
                "load_ms_p50": round(statistics.median(load), 1),
                "load_ms_max": round(max(load), 1),
                "first_building_tile_ms_p50": round(statistics.median(tile), 1) if tile else None,
            }
        browser.close()
    server.should_exit = True
    sys.stdout.write(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
