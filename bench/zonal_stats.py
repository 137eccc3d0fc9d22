"""Time zonal statistics for 100 000 parcels over a 10 000 × 10 000 raster.

    .venv/bin/python bench/zonal_stats.py                      # full size, about 5-10 min
    .venv/bin/python bench/zonal_stats.py --size 2000 --parcels 5000   # a quick look

Makes (once; kept for reruns) under var/bench/zonal/ a float32 GeoTIFF in EPSG:4549 with
10 m cells (tiled 512 × 512, deflate), a smooth surface with noise and about 5 % nodata in
round "lakes" and one strip, and draws parcels: random quadrilaterals 20-200 m across,
some over nodata and some across the raster's edge. Then, each in its own process so peak
memory is its own, it times:

  ours          gis_app.raster.zonal.zonal_stats: min, mean, max, majority (+ count and the
                nodata/outside split it always adds)
  exactextract  exactextract.exact_extract called directly, the documented way (GeoDataFrame
                in, pandas out), with the same six operations: the wrapper's cost or gain
  rasterstats   rasterstats.zonal_stats (min, mean, max, majority, count) on a random subset,
                its time extrapolated to all parcels and labelled so

Prints one JSON document: seconds, parcels per second and peak RSS (MiB) of each (with the
RSS already reached after making the parcels, before timing), plus a check that ours and
exactextract agree.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import rasterio
import shapely
from affine import Affine
from rasterio.windows import Window

ROOT = Path(__file__).resolve().parents[1]
CRS = "EPSG:4549"
CELL = 10.0
X0, Y0 = 400_000.0, 3_400_000.0
NODATA = -9999.0
STATS = ("min", "mean", "max", "majority")
BLOCK = 512


def raster_path(args: argparse.Namespace) -> Path:
    return Path(args.dir) / f"surface_{args.size}.tif"


def make_raster(path: Path, size: int, seed: int) -> None:
    """Smooth hills plus noise, with nodata lakes and a nodata strip, written by strips."""
    rng = np.random.default_rng(seed)
    lakes = np.column_stack(
        [rng.uniform(0, size, 60), rng.uniform(0, size, 60), rng.uniform(size / 200, size / 40, 60)]
    )
    part = path.with_suffix(".part")
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": Affine(CELL, 0, X0, 0, -CELL, Y0),
        "nodata": NODATA,
        "tiled": True,
        "blockxsize": BLOCK,
        "blockysize": BLOCK,
        "compress": "deflate",
        "BIGTIFF": "IF_SAFER",
    }
    cols = np.arange(size, dtype=np.float32)
    with rasterio.open(part, "w", **profile) as dst:
        for r0 in range(0, size, BLOCK):
            rows = np.arange(r0, min(r0 + BLOCK, size), dtype=np.float32)[:, None]
            z = (
                200.0
                + 80.0 * np.sin(cols / 900.0)[None, :] * np.cos(rows / 700.0)
                + 0.004 * (cols[None, :] + rows)
                + rng.normal(0.0, 2.0, (len(rows), size)).astype(np.float32)
            ).astype(np.float32)
            for cx, cy, radius in lakes:
                if abs(cy - rows[0, 0]) > radius + BLOCK:
                    continue
                z[(cols[None, :] - cx) ** 2 + (rows - cy) ** 2 < radius**2] = NODATA
            z[:, int(size * 0.70) : int(size * 0.70) + max(size // 500, 2)] = NODATA
            dst.write(z, 1, window=Window(0, r0, size, len(rows)))
    part.replace(path)


def make_parcels(size: int, count: int, seed: int) -> np.ndarray:
    """Quadrilaterals 20-200 m across, centres scattered slightly beyond the raster."""
    rng = np.random.default_rng(seed + 1)
    extent = size * CELL
    cx = X0 + rng.uniform(-100, extent + 100, count)
    cy = Y0 - rng.uniform(-100, extent + 100, count)
    across = np.exp(rng.uniform(np.log(20), np.log(200), count))
    turn = rng.uniform(0, np.pi / 2, count)[:, None]
    angles = turn + np.arange(4)[None, :] * np.pi / 2 + rng.uniform(-0.3, 0.3, (count, 4))
    radius = across[:, None] / 2 * rng.uniform(0.7, 1.0, (count, 4))
    xs = cx[:, None] + radius * np.cos(angles)
    ys = cy[:, None] + radius * np.sin(angles)
    ring = np.stack([xs, ys], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    return shapely.polygons(ring)


def peak_rss_mib() -> float:
    """This process's peak RSS. Linux's VmHWM first: getrusage's ru_maxrss survives exec,
    so a child would report its parent's peak (the raster maker's) as its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(args: argparse.Namespace) -> dict:
    """One timed method, in this (child) process."""
    path = raster_path(args)
    geoms = make_parcels(args.size, args.parcels, args.seed)
    ids = np.arange(len(geoms))
    before = peak_rss_mib()
    result: dict = {"method": args.run}
    if args.run == "ours":
        from gis_app.raster.zonal import zonal_stats

        start = time.perf_counter()
        frame = zonal_stats(path, geoms, ids, CRS, stats=STATS)
        result["seconds"] = time.perf_counter() - start
        result["parcels"] = len(geoms)
        result["mean_of_means"] = float(frame["mean"].mean())
        result["parcels_without_data"] = int((frame["count"] == 0).sum())
        result["parcels_touching_nodata"] = int((frame["nodata_fraction"] > 0).sum())
        result["parcels_across_edge"] = int((frame["outside_fraction"] > 0).sum())
    elif args.run == "exactextract":
        import geopandas as gpd
        from exactextract import exact_extract

        gdf = gpd.GeoDataFrame({"pid": ids}, geometry=geoms, crs=CRS)
        ops = [*STATS, "count", "count(default_value=0)"]
        start = time.perf_counter()
        frame = exact_extract(str(path), gdf, ops, include_cols=["pid"], output="pandas")
        result["seconds"] = time.perf_counter() - start
        result["parcels"] = len(geoms)
        result["mean_of_means"] = float(frame.iloc[:, 2].mean())
    elif args.run == "rasterstats":
        from rasterstats import zonal_stats as rs_zonal_stats

        rng = np.random.default_rng(args.seed + 2)
        sample = geoms[rng.choice(len(geoms), args.rasterstats_sample, replace=False)]
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rs_zonal_stats(list(sample), str(path), stats=[*STATS, "count"], nodata=NODATA)
        seconds = time.perf_counter() - start
        result["parcels"] = len(sample)
        result["seconds_for_sample"] = seconds
        result["seconds"] = seconds * len(geoms) / len(sample)
        result["seconds_extrapolated"] = True
    result["parcels_per_second"] = args.parcels / result["seconds"]
    result["peak_rss_mib"] = round(peak_rss_mib(), 1)
    result["rss_before_mib"] = round(before, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Zonal statistics benchmark.")
    parser.add_argument("--size", type=int, default=10_000, help="raster width and height")
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--rasterstats-sample", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", default=str(ROOT / "var/bench/zonal"))
    parser.add_argument("--only", nargs="*", choices=["ours", "exactextract", "rasterstats"])
    parser.add_argument("--run", choices=["ours", "exactextract", "rasterstats"], help="internal")
    args = parser.parse_args()

    if args.run:
        sys.stdout.write(json.dumps(run_one(args)) + "\n")
        return

    path = raster_path(args)
    path.parent.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "raster": {"path": str(path), "size": args.size, "cell_m": CELL, "crs": CRS},
        "parcels": args.parcels,
    }
    if not path.exists():
        start = time.perf_counter()
        make_raster(path, args.size, args.seed)
        report["raster"]["seconds_to_make"] = round(time.perf_counter() - start, 1)
    with rasterio.open(path) as ds:
        sample = ds.read(1, out_shape=(1000, 1000), resampling=rasterio.enums.Resampling.nearest)
    report["raster"]["nodata_share"] = round(float((sample == NODATA).mean()), 4)
    report["raster"]["bytes"] = path.stat().st_size

    results = []
    for method in args.only or ["ours", "exactextract", "rasterstats"]:
        command = [sys.executable, __file__, "--run", method, *sys.argv[1:]]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["seconds"] = round(result["seconds"], 2)
        result["parcels_per_second"] = round(result["parcels_per_second"])
        results.append(result)
        sys.stderr.write(f"{method}: {result['seconds']} s\n")
    report["results"] = results
    by_method = {r["method"]: r for r in results}
    if "ours" in by_method and "exactextract" in by_method:
        ours, direct = by_method["ours"], by_method["exactextract"]
        report["ours_over_exactextract_time"] = round(ours["seconds"] / direct["seconds"], 3)
        report["mean_of_means_agree"] = abs(ours["mean_of_means"] - direct["mean_of_means"]) < 1e-6
    if "ours" in by_method and "rasterstats" in by_method:
        ratio = by_method["rasterstats"]["seconds"] / by_method["ours"]["seconds"]
        report["rasterstats_over_ours_time_extrapolated"] = round(ratio, 1)
    sys.stdout.write(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
