"""Small files for the import tests, written the way users' tools write them."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import shapely

Props = dict[str, object]


def geojson(path: Path, features: list[tuple[Props, dict | None]], crs: str | None = None) -> Path:
    """A FeatureCollection of (properties, geometry) pairs; `crs` as an old-style member."""
    doc: dict = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def square(x: float, y: float, d: float) -> dict:
    """A d° square with its south-west corner at (x, y), as GeoJSON."""
    return shapely.geometry.mapping(shapely.box(x, y, x + d, y + d))


def understate(archive: Path, member: str, declared: int) -> Path:
    """Make `archive` lie: its local and central headers declare `member` to unpack to
    `declared` bytes, whatever it really holds (what a crafted zip bomb does)."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zipped:
        local = zipped.getinfo(member).header_offset
    size = struct.pack("<I", declared)
    data[local + 22 : local + 26] = size
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == member.encode():
            data[central + 24 : central + 28] = size
        central = data.find(b"PK\x01\x02", central + 46)
    archive.write_bytes(bytes(data))
    return archive
