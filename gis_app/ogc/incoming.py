"""A GeoJSON feature sent to a collection, read and checked before anything is written.

Values are checked by the vector import's own per-field rules (`gis_app.ingest.values`),
the geometry by its conformance test (`gis_app.ingest.geometry.conform`, the same validity
test the database trigger runs); coordinates in the `Content-Crs` (its own axis order, as
OGC API Features Part 2 wants) are taken to storage by the app's one transformation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from gis_app.errors import BadRequest, InvalidParameter
from gis_app.geodesy.transform import to_storage
from gis_app.ingest.geodesy import area_m2
from gis_app.ingest.geometry import conform
from gis_app.ingest.targets import Field
from gis_app.ingest.values import BadCell, as_text, convert
from gis_app.models.base import SRID
from gis_app.models.space import floor_label
from gis_app.ogc import crs as crs_module
from gis_app.ogc.collections import Collection
from gis_app.ogc.crs import ServedCrs
from gis_app.ogc.editable import Editable

MEDIA_TYPES = ("application/geo+json", "application/json")
_STORED_TYPES = {
    "point": "Point",
    "line": "MultiLineString",
    "polygon": "MultiPolygon",
    "single_polygon": "Polygon",
}


@dataclass
class Incoming:
    """What a request body asks: `values` of the writable properties it names (as text the
    database casts; None for null), its geometry in storage (None: not given) and the read
    only properties it repeats, compared with the stored result after the write."""

    values: dict[str, str | None] = field(default_factory=dict)
    geometry: shapely.Geometry | None = None
    derived: dict[str, Any] = field(default_factory=dict)


def content_crs(header: str | None) -> ServedCrs:
    """The CRS of the body's coordinates (`Content-Crs: <uri>`, CRS84 without one); 400
    naming `Content-Crs` for one not served."""
    value = None if header is None else header.strip().removeprefix("<").removesuffix(">")
    return crs_module.parse(value, "Content-Crs")


def _problem(name: str, code: str, **values: object) -> InvalidParameter:
    return InvalidParameter(field=name, reason=f"reason.ogc_edit.{code}", name=name, **values)


def _value(spec: Field, given: object) -> str | None:
    """A JSON value as the text its column takes; 422 naming the field when it has the
    wrong JSON type or breaks the field's rule."""
    if given is None:
        return None
    numeric = spec.type in ("int", "decimal")
    if isinstance(given, bool) or not isinstance(given, (int, float) if numeric else str):
        raise _problem(spec.name, "wrong_type_number" if numeric else "wrong_type_text")
    text = as_text(given)
    if text is None:
        return None
    try:
        return convert(text, spec)
    except BadCell as bad:
        allowed = ", ".join(spec.vocabulary)
        raise _problem(
            spec.name, bad.code, value=text, detail=bad.detail or "", allowed=allowed
        ) from None


def _geometry(given: object, crs: ServedCrs, spec: Editable) -> shapely.Geometry:
    """The body's geometry in storage (CGCS2000 lon/lat, 2D), of the type the table
    stores; 422 naming `geometry` when it is unreadable, empty, invalid or of another type."""
    if given is None:
        raise _problem("geometry", "geometry_missing")
    try:
        geom = shapely.force_2d(shape(given))  # type: ignore[arg-type]
    except (
        AttributeError,
        KeyError,
        TypeError,
        ValueError,
        IndexError,
        shapely.errors.ShapelyError,
    ) as exc:
        raise _problem("geometry", "geometry_unreadable", detail=str(exc)[:200]) from None
    if crs.swap_axes:
        geom = shapely.transform(geom, lambda xy: xy[:, ::-1])
    if crs.srid != SRID and not geom.is_empty:
        geom = to_storage(f"EPSG:{crs.srid}").geoms_to_storage(np.array([geom]))[0]
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise _problem("geometry", "not_transformable")
    fitted, problems = conform(np.array([geom]), None, spec.geometry)
    if problems:
        found = problems[0]
        raise _problem(
            "geometry",
            found.code,
            detail=found.detail or "",
            expected=_STORED_TYPES[spec.geometry],
        )
    return fitted[0]


def read_body(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as a GeoJSON Feature object; 400 naming `Content-Type` or `body`."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise BadRequest(
            field="Content-Type", reason="reason.ogc_edit.content_type", value=media or "-"
        )
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(field="body", reason="reason.ogc_edit.not_json") from None
    if not isinstance(body, dict) or body.get("type") != "Feature":
        raise BadRequest(field="body", reason="reason.ogc_edit.not_a_feature")
    properties = body.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise BadRequest(field="properties", reason="reason.ogc_edit.not_a_feature")
    return body


def incoming(
    body: dict[str, Any], collection: Collection, spec: Editable, crs: ServedCrs, *, whole: bool
) -> Incoming:
    """The feature's properties and geometry, checked. `whole` (POST, PUT): the geometry is
    required; otherwise (PATCH) each member is optional. An unknown property is 422 naming it."""
    out = Incoming()
    for name, given in (body.get("properties") or {}).items():
        rule = spec.field(name)
        if rule is not None:
            out.values[name] = _value(rule, given)
        elif name in collection.source.fields:
            out.derived[name] = given
        else:
            raise _problem(name, "unknown_property", known=", ".join(spec.names))
    if whole or "geometry" in body:
        out.geometry = _geometry(body.get("geometry"), crs, spec)
    return out


def completed(spec: Editable, given: Incoming, *, whole: bool) -> dict[str, str | None]:
    """The column values to write. `whole` (POST, PUT): every writable field — given, else
    its default, else NULL; the recorded area from the outline when none is given, a
    floor's name from its ordinal (as the import does). Otherwise (PATCH) the given ones,
    a null taking the field's default. A required field left without a value is 422."""
    values = (
        {f.name: given.values.get(f.name) for f in spec.fields} if whole else dict(given.values)
    )
    for name, value in values.items():
        rule = spec.field(name)
        if value is None and rule is not None and rule.default is not None:
            values[name] = rule.default
    if whole and spec.area_field and values[spec.area_field] is None and given.geometry is not None:
        area = area_m2(given.geometry)
        values[spec.area_field] = f"{area:.2f}" if area >= 0.005 else None
    if whole and spec.table == "floor" and values["name"] is None and values["ordinal"] is not None:
        values["name"] = floor_label(int(values["ordinal"]))
    for name, value in values.items():
        rule = spec.field(name)
        if value is None and rule is not None and rule.required:
            raise _problem(name, "missing")
    return values


def check_derived(derived: dict[str, Any], stored: dict[str, Any]) -> None:
    """The read-only properties a client sent back (QGIS sends every field) must say what is
    stored after the write; a different value is 422 naming it, so no change the client
    meant is silently dropped. Null always passes: a new feature's derived fields are empty."""
    for name, given in derived.items():
        value = stored.get(name)
        if given is None or given == value:
            continue
        numbers = isinstance(given, int | float) and isinstance(value, int | float)
        if numbers and abs(float(given) - float(value)) <= 1e-6 * max(1.0, abs(float(value))):
            continue
        raise _problem(name, "read_only", stored="null" if value is None else str(value))
