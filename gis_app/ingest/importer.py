"""Import one layer of a file into buildings, floors, rooms, parcels or a reference layer.

Usage::

    report = import_features(conn, "building", "roofs.gpkg",
                             mapping={"code": "numero", "name": "numero"},
                             defaults={"floors_above": 1}, dry_run=True)

Every feature is checked before anything is written — geometry, each field's type, range
and vocabulary, the natural key within the file and against the table, the parent it names
and whether it lies inside it — and the report lists every problem (feature index, file
fid, field, code, detail). One problem and nothing is written, unless `skip_invalid` asks
for the valid features to be written and the rest reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import shapely

from gis_app.db.driver import Connectable
from gis_app.ingest import lookups
from gis_app.ingest.geodesy import area_m2
from gis_app.ingest.geometry import conform, overlapping_pairs
from gis_app.ingest.local import plan_coordinates
from gis_app.ingest.metrics import counted
from gis_app.ingest.read import CHINA_BOUNDS, Area, Features, read_features
from gis_app.ingest.report import ImportRefused, ImportReport, Problem
from gis_app.ingest.targets import TARGETS, TargetSpec
from gis_app.ingest.values import BadCell, as_text, convert, convert_column
from gis_app.ingest.write import insert_rows
from gis_app.ingest.zipguard import DEFAULT_LIMITS, ZipLimits
from gis_app.models.base import LANDUSE_SCHEMES, LOCAL_SRID, SRID
from gis_app.models.space import floor_label

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total); stages are "read", "check" and "write"."""
FLOOR_OUTSIDE_SHARE = 0.01
"""A floor may reach this share of its area outside its building's footprint."""
OVERLAP_M2 = 1.0
"""Building footprints overlapping by more than this are noted (not refused)."""
_PARENT_FIELDS = ("building_code", "floor_ordinal")


def _refuse(field: str, reason: str, **values: object) -> ImportRefused:
    return ImportRefused(field=field, reason=f"ingest.reason.{reason}", **values)


def _checked_defaults(
    target: str, mapping: Mapping[str, str], defaults: Mapping[str, object]
) -> tuple[TargetSpec, dict[str, str]]:
    """The target's spec and the defaults as the database takes them; refuses unknown
    targets, fields and unusable default values before the file is read."""
    spec = TARGETS.get(target)
    if spec is None:
        raise _refuse("target", "unknown_import_target", target=target, targets=", ".join(TARGETS))
    for argument, given in (("mapping", mapping), ("defaults", defaults)):
        for name in given:
            if name not in spec.names:
                raise _refuse(
                    argument, "unknown_target", target=name, targets=", ".join(spec.names)
                )
    converted: dict[str, str] = {}
    for name, value in defaults.items():
        text = as_text(value)
        if text is None:
            continue
        field = spec.field(name)
        try:
            converted[name] = convert(text, field)
        except BadCell as bad:
            allowed = ", ".join(field.vocabulary) if field.vocabulary else bad.detail
            raise _refuse(
                "defaults",
                "unknown_default" if bad.code == "unknown_code" else "bad_default",
                target=name,
                value=text,
                allowed=allowed,
            ) from None
    return spec, converted


class _Rows:
    """The features' target values as text, and the problems found on the way."""

    def __init__(self, features: Features, spec: TargetSpec, geoms: np.ndarray) -> None:
        self.features, self.spec, self.geoms = features, spec, geoms
        self.n = len(features)
        self.values: dict[str, list[str | None]] = {}
        self.problems: list[Problem] = []
        self.parents: list[lookups.ParentRow | None] = [None] * self.n

    def problem(self, index: int, field: str, code: str, detail: str | None = None) -> None:
        self.problems.append(Problem(index, self.features.fid(index), field, code, detail))

    def fill(self, mapping: Mapping[str, str], defaults: Mapping[str, str]) -> None:
        """Each field from its mapped (else same-named) column, else the default; converted,
        with a problem for each cell that does not fit and each missing required value."""
        for field in self.spec.fields:
            source = mapping.get(field.name, field.name)
            column = self.features.column(source)
            if column is None and field.name in mapping:
                raise _refuse(
                    "mapping",
                    "no_source_field",
                    source=source,
                    fields=", ".join(self.features.columns) or "-",
                )
            default = defaults.get(field.name, field.default)
            out: list[str | None] = [default] * self.n
            bad: set[int] = set()
            if column is not None:
                converted, problems = convert_column(column, field)
                out = [default if v is None else v for v in converted]
                for i, cell in problems:
                    out[i] = None
                    bad.add(i)
                    self.problem(i, field.name, cell.code, cell.detail)
            if field.required:
                for i, value in enumerate(out):
                    if value is None and i not in bad:
                        self.problem(i, field.name, "missing_field")
            self.values[field.name] = out

    def fill_area(self) -> None:
        """The recorded area, where the file gives none, from the outline on the ellipsoid."""
        name = self.spec.area_field
        if name is None:
            return
        values = self.values[name]
        for i, geom in enumerate(self.geoms.tolist()):
            if values[i] is None and geom is not None and not geom.is_empty:
                area = area_m2(geom)
                values[i] = f"{area:.2f}" if area >= 0.005 else None

    def name_floors(self) -> None:
        """A floor with no name is called as the ordinal says: 0 → 1F, -1 → B1."""
        names, ordinals = self.values["name"], self.values["ordinal"]
        for i, ordinal in enumerate(ordinals):
            if names[i] is None and ordinal is not None:
                names[i] = floor_label(int(ordinal))


def _find_parents(conn: Connectable, rows: _Rows) -> None:
    """Floors find their building (by code or id), rooms their floor (by building code and
    floor ordinal, or floor id); `unknown_parent` when it is not in the database."""
    v = rows.values
    if rows.spec.parent == "building":
        keys = [
            f"id:{bid}" if bid else f"code:{code}" if code else None
            for bid, code in zip(v["building_id"], v["building_code"], strict=True)
        ]
        found = lookups.buildings(
            conn,
            [k[5:] for k in keys if k and k[0] == "c"],
            [k[3:] for k in keys if k and k[0] == "i"],
        )
        id_field, missing_field = "building_id", "building_code"
    else:
        keys = [
            f"id:{fid}" if fid else f"code:{code}|{ordinal}" if code and ordinal else None
            for fid, code, ordinal in zip(
                v["floor_id"], v["building_code"], v["floor_ordinal"], strict=True
            )
        ]
        found = lookups.floors(
            conn,
            [k[5:].rsplit("|", 1)[0] for k in keys if k and k[0] == "c"],
            [k[3:] for k in keys if k and k[0] == "i"],
        )
        id_field, missing_field = "floor_id", "floor_id"
    unparsed = {p.index for p in rows.problems if p.field in (id_field, *_PARENT_FIELDS)}
    for i, key in enumerate(keys):
        if key is None:
            if i not in unparsed:
                rows.problem(i, missing_field, "missing_field")
        elif key not in found:
            field = id_field if key[0] == "i" else "building_code"
            rows.problem(i, field, "unknown_parent", key.split(":", 1)[1])
        else:
            rows.parents[i] = found[key]
            v[id_field][i] = str(found[key].id)


def _check_keys(conn: Connectable, rows: _Rows) -> None:
    """Each natural key once in the file and not yet in the table: `duplicate_key` for every
    feature sharing one (none of them is the obvious right one) and for keys taken."""
    key = rows.spec.key
    if not key:
        return
    shown = key[-1]
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, parts in enumerate(zip(*(rows.values[k] for k in key), strict=True)):
        if all(p is not None for p in parts):
            groups[parts].append(i)  # type: ignore[arg-type]
    for parts, members in groups.items():
        if len(members) > 1:
            listed = ", ".join(map(str, members[:10])) + (", …" if len(members) > 10 else "")
            for i in members:
                rows.problem(i, shown, "duplicate_key", f"{parts[-1]} ×{len(members)}: {listed}")
    for parts in lookups.taken_keys(conn, rows.spec.table, key, list(groups)):
        for i in groups[parts]:
            rows.problem(i, shown, "duplicate_key", f"{parts[-1]} (in the database)")


def _check_inside(conn: Connectable, rows: _Rows, good: np.ndarray) -> None:
    """`outside_parent` for floors reaching more than 1 % of their area outside their
    building and rooms more than 0.5 m² outside their floor."""
    idx = [i for i in np.flatnonzero(good).tolist() if rows.parents[i] is not None]
    parent_ids = [rows.parents[i].id for i in idx]  # type: ignore[union-attr]
    wkb = shapely.to_wkb(rows.geoms[idx]).tolist() if idx else []
    table = "building" if rows.spec.parent == "building" else "floor"
    for n, outside, total in lookups.outside_parent(conn, table, parent_ids, wkb):
        limit = FLOOR_OUTSIDE_SHARE * total if table == "building" else lookups.ROOM_OUTSIDE_M2
        if outside > limit:
            share = 100 * outside / total if total else 100.0
            rows.problem(idx[n], "geom", "outside_parent", f"{outside:.1f} m² ({share:.1f} %)")


def _overlaps(rows: _Rows, good: np.ndarray) -> list[Problem]:
    """A warning on each building footprint overlapping an earlier one in the file by more
    than `OVERLAP_M2` (in plan metres): usually a drawing error, or roof faces of one
    building imported as footprints; the import goes on."""
    idx = np.flatnonzero(good)
    if idx.size < 2:
        return []
    plan = plan_coordinates(rows.geoms[idx], shapely.box(*shapely.total_bounds(rows.geoms[idx])))
    return [
        Problem(
            int(idx[a]),
            rows.features.fid(int(idx[a])),
            "geom",
            "overlaps",
            f"{idx[b]}: {m2:.1f} m²",
        )
        for a, b, m2 in overlapping_pairs(plan, OVERLAP_M2)
    ]


def _check_landuse(conn: Connectable, rows: _Rows) -> None:
    """Each code must exist in its feature's scheme; a code found only in other schemes
    (08H1 given as GB/T 21010) names them, so the user can set `landuse_scheme`."""
    known = lookups.landuse_codes(conn)
    schemes, codes = rows.values["landuse_scheme"], rows.values["landuse_code"]
    for i, (scheme, code) in enumerate(zip(schemes, codes, strict=True)):
        if scheme and code and (scheme, code) not in known:
            others = [s for s in LANDUSE_SCHEMES if (s, code) in known]
            if others:
                detail = f"{code} ({scheme}) → {', '.join(others)}"
                rows.problem(i, "landuse_code", "landuse_other_scheme", detail)
            else:
                rows.problem(i, "landuse_code", "unknown_landuse", f"{code} ({scheme})")


def _geometry_columns(rows: _Rows, chosen: list[int]) -> dict[str, tuple[list[bytes | None], int]]:
    """`geom` in CGCS2000 and, for rooms, `local_geom` in plan metres anchored on each
    room's building."""
    geoms = rows.geoms[chosen]
    columns = {"geom": (shapely.to_wkb(geoms).tolist(), SRID)}
    if rows.spec.table == "room":
        local = np.empty(len(chosen), dtype=object)
        by_building: dict[int, list[int]] = defaultdict(list)
        for pos, i in enumerate(chosen):
            by_building[rows.parents[i].building_id].append(pos)  # type: ignore[union-attr]
        for positions in by_building.values():
            anchor = rows.parents[chosen[positions[0]]].building_geom  # type: ignore[union-attr]
            local[positions] = plan_coordinates(geoms[positions], anchor)
        columns["local_geom"] = (shapely.to_wkb(local).tolist(), LOCAL_SRID)
    return columns


def _write(conn: Connectable, rows: _Rows, chosen: list[int]) -> list[int]:
    spec = rows.spec
    names = [f.name for f in spec.fields if f.stored]
    if spec.parent:
        names.append("building_id" if spec.parent == "building" else "floor_id")
    columns = {name: [rows.values[name][i] for i in chosen] for name in names}
    return insert_rows(conn, spec.table, columns, _geometry_columns(rows, chosen), bulk=True)


@counted("features")
def import_features(
    conn: Connectable,
    target: str,
    path: str | Path,
    *,
    layer_name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    defaults: Mapping[str, object] | None = None,
    source_crs: str | None = None,
    encoding: str | None = None,
    gcj02: bool = False,
    area: Area | None = CHINA_BOUNDS,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    zip_limits: ZipLimits = DEFAULT_LIMITS,
    allow_ballpark: bool = False,
) -> ImportReport:
    """Check every feature of `path` and write them into `target`'s table in the caller's
    transaction (never committed here) when none has a problem and this is no dry run.

    `target` is one of `TARGETS` (building, floor, room, parcel, road, transit_station,
    constraint_zone). `mapping` maps target fields to the file's field names (unmapped ones
    are looked up by their own name, ignoring case); `defaults` fills fields a feature leaves
    empty. `source_crs` wins over the file's CRS; `gcj02=True` declares GCJ-02 lon/lat and
    converts them; `allow_ballpark` accepts a CRS PROJ can take to CGCS2000 only without a
    datum shift (the report's `transformation` says so); `encoding` overrides the
    attributes' encoding; `area` is the service
    area (None: anywhere). `skip_invalid` writes the valid features even when others have
    problems. A zip is checked against `zip_limits` (`ZipLimits.of(settings)`). Raises
    `ImportRefused` when the file or the arguments as a whole are unusable.
    """
    mapping, given = dict(mapping or {}), dict(defaults or {})
    spec, defaults_text = _checked_defaults(target, mapping, given)
    step = progress or (lambda _stage, _done, _total: None)
    step("read", 0, 0)
    features = read_features(
        path,
        layer_name=layer_name,
        preferred_layer=target,
        source_crs=source_crs,
        encoding=encoding,
        gcj02=gcj02,
        area=area,
        zip_limits=zip_limits,
        allow_ballpark=allow_ballpark,
    )
    n = len(features)
    step("read", n, n)
    report = ImportReport(
        layer=target,
        path=str(path),
        source_layer=features.layer,
        crs=features.crs,
        crs_from=features.crs_from,
        transformation=features.transformation,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        read=n,
    )
    geoms, geom_problems = conform(features.geoms, features.fids, spec.geometry)
    rows = _Rows(features, spec, geoms)
    rows.fill(mapping, defaults_text)
    step("check", n // 4, n)
    good = ~shapely.is_missing(geoms)
    good[[p.index for p in features.problems + geom_problems]] = False
    rows.geoms = np.where(good, geoms, None)
    rows.fill_area()
    if spec.table == "floor":
        rows.name_floors()
    if spec.parent:
        _find_parents(conn, rows)
        _check_inside(conn, rows, good)
    if spec.table == "land_parcel":
        _check_landuse(conn, rows)
    step("check", n // 2, n)
    _check_keys(conn, rows)
    report.add(features.problems + geom_problems + rows.problems)
    if spec.table == "building":
        report.warnings = sorted(_overlaps(rows, good), key=lambda p: (p.index, p.detail))
    step("check", n, n)
    chosen = sorted(set(range(n)) - {p.index for p in report.problems})
    if not dry_run and chosen and (report.ok or skip_invalid):
        step("write", 0, len(chosen))
        report.ids = _write(conn, rows, chosen)
        report.written = len(report.ids)
        step("write", len(chosen), len(chosen))
    return report
