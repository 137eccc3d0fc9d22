"""Read a DXF floor plan: the outlines on the chosen layers (arcs flattened by ezdxf), the
texts that may name them, and a count of everything else, so a drawing without rooms can
say what it does hold.

Blocks are exploded (nested ones too): a room drawn inside a block or a room tag block
with attributes (number, name) is found like one drawn in model space. As in CAD, what a
block draws on layer 0 takes the layer of its INSERT.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import ezdxf
import numpy as np
from ezdxf import path as dxf_path
from ezdxf import recover
from ezdxf.document import Drawing as Document
from ezdxf.entities import DXFGraphic, Insert

from gis_app.ingest.report import ImportRefused

OUTLINE_TYPES = ("LWPOLYLINE", "POLYLINE")
LABEL_TYPES = ("TEXT", "MTEXT", "ATTRIB")
MAX_BLOCK_DEPTH = 8
_DXF_START = re.compile(rb"^\s*(0|999)\s*\r?\n")
_DWG_START = re.compile(rb"^AC1\d{3}")


@dataclass(frozen=True, slots=True)
class LayerFilter:
    """Layer names or glob patterns (`ROOM*`, `*_L-1`), matched ignoring case as CAD
    does; no pattern means every layer."""

    patterns: tuple[str, ...] = ()

    def __call__(self, layer: str) -> bool:
        name = layer.casefold()
        return not self.patterns or any(fnmatchcase(name, p.casefold()) for p in self.patterns)

    def describe(self) -> str:
        return ", ".join(self.patterns) or "*"


@dataclass(frozen=True, slots=True)
class Outline:
    """A polyline flattened to drawing units. `handle` is the entity's DXF handle (an
    exploded block part: the INSERT's handle / position in the block); `gap` is the distance
    between its first and last vertex."""

    handle: str
    layer: str
    points: np.ndarray
    closed: bool
    gap: float


@dataclass(frozen=True, slots=True)
class Label:
    """A text's plain content (MTEXT formatting stripped) and the point the drafter placed
    it by: the insertion point, or the alignment point of a centred or right-aligned text
    (a long name left-aligned in a small room runs out of it; its start does not)."""

    handle: str
    layer: str
    text: str
    x: float
    y: float


@dataclass(slots=True)
class Drawing:
    """What `collect` found in model space."""

    insunits: int
    outlines: list[Outline] = field(default_factory=list)
    holes: list[Outline] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    entities: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(layer, entity type) → count, blocks exploded."""
    repairs: int = 0
    """Structure errors ezdxf's recover mode fixed while reading."""


def _refuse(reason: str, **values: object) -> ImportRefused:
    return ImportRefused(field="file", reason=f"dxf.reason.{reason}", **values)


def open_drawing(path: Path) -> tuple[Document, int]:
    """The DXF document (text or binary, read in ezdxf's recover mode) and the number of
    repairs; a DWG, a non-DXF or an unreadable file is refused naming `file`. Only its
    first bytes are read here: ezdxf reads the file itself."""
    try:
        with path.open("rb") as file:
            head = file.read(64)
    except OSError as exc:
        raise _refuse("unreadable", detail=exc.strerror or str(exc)) from exc
    if _DWG_START.match(head):
        raise _refuse("dwg")
    if not (head.startswith(b"AutoCAD Binary DXF") or _DXF_START.match(head)):
        raise _refuse("not_dxf")
    try:
        doc, auditor = recover.readfile(path)
    except (ezdxf.DXFError, OSError, ValueError, UnicodeError, EOFError) as exc:
        raise _refuse("unreadable", detail=str(exc)[:300]) from exc
    return doc, len(auditor.fixes)


def _flatten(entity: DXFGraphic, distance: float) -> np.ndarray | None:
    """Vertices of a 2-D/3-D polyline with arcs (bulges) and splines flattened to within
    `distance`; None for meshes."""
    if entity.dxftype() == "POLYLINE" and not (
        entity.is_2d_polyline or entity.is_3d_polyline  # type: ignore[attr-defined]
    ):
        return None
    vertices = list(dxf_path.make_path(entity).flattening(distance))
    return np.array([(v.x, v.y) for v in vertices], dtype=float).reshape(-1, 2)


def _is_closed_flag(entity: DXFGraphic) -> bool:
    if entity.dxftype() == "LWPOLYLINE":
        return bool(entity.closed)  # type: ignore[attr-defined]
    return bool(entity.is_closed)  # type: ignore[attr-defined]


def _outline(entity: DXFGraphic, handle: str, layer: str, distance: float) -> Outline | None:
    points = _flatten(entity, distance)
    if points is None:
        return None
    gap = float(np.hypot(*(points[-1] - points[0]))) if len(points) else 0.0
    closed = _is_closed_flag(entity) or (len(points) > 3 and gap <= distance)
    return Outline(handle, layer, points, closed, gap)


def _label(entity: DXFGraphic, handle: str, layer: str) -> Label | None:
    text = " ".join(entity.plain_text().split())  # type: ignore[attr-defined]
    if not text:
        return None
    is_mtext = entity.dxftype() == "MTEXT"
    point = entity.dxf.insert if is_mtext else entity.get_placement()[1]  # type: ignore[attr-defined]
    return Label(handle, layer, text, float(point.x), float(point.y))


def _walk(
    entities: Iterable[DXFGraphic], parent: tuple[str, str] | None = None, depth: int = 0
) -> Iterator[tuple[DXFGraphic, str, str]]:
    """Every entity with its handle and effective layer, block references exploded;
    `parent` is the exploded INSERT's (handle, layer)."""
    for i, entity in enumerate(entities):
        layer = entity.dxf.get("layer", "0")
        handle = str(entity.dxf.handle)
        if parent is not None:
            handle = f"{parent[0]}/{i}"
            layer = parent[1] if layer == "0" else layer
        yield entity, handle, layer
        if isinstance(entity, Insert) and depth < MAX_BLOCK_DEPTH:
            for j, attrib in enumerate(entity.attribs):
                attrib_layer = attrib.dxf.get("layer", "0")
                yield attrib, f"{handle}/a{j}", layer if attrib_layer == "0" else attrib_layer
            try:
                parts = list(entity.virtual_entities())
            except (ezdxf.DXFError, ValueError, ArithmeticError):
                continue
            yield from _walk(parts, (handle, layer), depth + 1)


def collect(
    doc: Document,
    repairs: int,
    *,
    outline_layers: LayerFilter,
    label_layers: LayerFilter,
    hole_layers: LayerFilter | None,
    flatten_distance: float,
) -> Drawing:
    """Outlines, holes and labels on their layers from model space, and a count of every
    entity seen. A layer matching the hole filter gives holes, never rooms."""
    drawing = Drawing(insunits=int(doc.header.get("$INSUNITS", 0)), repairs=repairs)
    for entity, handle, layer in _walk(doc.modelspace()):
        kind = entity.dxftype()
        drawing.entities[layer, kind] += 1
        if kind in OUTLINE_TYPES:
            is_hole = hole_layers is not None and hole_layers(layer)
            if is_hole or outline_layers(layer):
                outline = _outline(entity, handle, layer, flatten_distance)
                if outline is not None:
                    (drawing.holes if is_hole else drawing.outlines).append(outline)
        elif kind in LABEL_TYPES and label_layers(layer):
            label = _label(entity, handle, layer)
            if label is not None:
                drawing.labels.append(label)
    return drawing


def describe_entities(entities: Counter[tuple[str, str]], most: int = 30) -> str:
    """ "LWPOLYLINE 12, TEXT 3 on ROOM; LINE 40 on WALL" for the first `most` layers."""
    by_layer: dict[str, list[str]] = {}
    for (layer, kind), count in sorted(entities.items()):
        by_layer.setdefault(layer, []).append(f"{kind} {count}")
    shown = [f"{', '.join(kinds)} on {layer}" for layer, kinds in list(by_layer.items())[:most]]
    if len(by_layer) > most:
        shown.append(f"… +{len(by_layer) - most}")
    return "; ".join(shown) or "-"
