"""Import an indoor source — IMDF archive (zip or folder), IMDF-like single file, or OSM
indoor GeoJSON — into buildings, floors and rooms, in the caller's transaction.

Usage::

    report = import_indoor(conn, "venue.zip", dry_run=True)
    if report.ok: import_indoor(conn, "venue.zip")

Every feature is checked first. By default one problem anywhere and nothing is written;
with `skip_invalid` the features without problems are written and the others reported
(a unit on a rejected level is rejected too). `check_area=False` accepts data outside
China (by default such features are rejected as `out_of_area`, as in every import).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gis_app.db.driver import Connectable
from gis_app.i18n import DEFAULT_LANGUAGE
from gis_app.imdf.archive import read_archive
from gis_app.imdf.osm import looks_like_osm, plan_osm
from gis_app.imdf.plan import (
    Bounds,
    Plan,
    by_code,
    check_existing,
    drop_rejected,
    fill_outlines,
    number_rooms,
    report_problems,
    write_plan,
)
from gis_app.imdf.problems import ImdfProblem
from gis_app.imdf.read import plan_archive
from gis_app.ingest.metrics import counted
from gis_app.ingest.read import CHINA_BOUNDS
from gis_app.ingest.report import ImportRefused
from gis_app.ingest.zipguard import DEFAULT_LIMITS, ZipLimits
from gis_app.models.base import ROOM_STATUSES

Form = Literal["auto", "imdf", "osm-indoor"]
FORMS = ("auto", "imdf", "osm-indoor")


@dataclass(slots=True)
class IndoorImportReport:
    """Counts and problems of one indoor import: features read per file, rejected (with
    a problem), ignored by reason (not rooms: walls, doors, amenities…), rows planned and
    written, and every problem and warning."""

    source: str
    form: str
    dry_run: bool
    skip_invalid: bool
    read: dict[str, int]
    rejected: int
    ignored: dict[str, int]
    planned: dict[str, int]
    written: dict[str, int] = field(default_factory=lambda: {"building": 0, "floor": 0, "room": 0})
    ids: dict[str, list[int]] = field(default_factory=dict)
    problems: list[ImdfProblem] = field(default_factory=list)
    warnings: list[ImdfProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_code(self) -> dict[str, int]:
        return by_code(self.problems)

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {
            "source": self.source,
            "form": self.form,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "read": self.read,
            "rejected": self.rejected,
            "ignored": self.ignored,
            "planned": self.planned,
            "written": self.written,
            "ids": self.ids,
            "problem_counts": by_code(self.problems),
            "warning_counts": by_code(self.warnings),
            "problems": report_problems(self.problems, lang),
            "warnings": report_problems(self.warnings, lang),
        }


def plan_source(
    source: str | Path | bytes,
    *,
    form: Form = "auto",
    name: str | None = None,
    check_area: bool = True,
    area: Bounds = CHINA_BOUNDS,
    zip_limits: ZipLimits = DEFAULT_LIMITS,
) -> Plan:
    """Read `source` (a zip within `zip_limits`) and make its rows (no database needed); with
    `check_area`, features outside `area` (lon/lat west, south, east, north) are rejected."""
    if form not in FORMS:
        raise ImportRefused(
            field="form", reason="imdf.reason.unknown_form", form=form, forms=", ".join(FORMS)
        )
    archive = read_archive(source, name=name, zip_limits=zip_limits)
    if form == "osm-indoor" or (form == "auto" and looks_like_osm(archive)):
        return plan_osm(archive, area=area if check_area else None)
    return plan_archive(archive, area=area if check_area else None)


@counted("imdf")
def import_indoor(
    conn: Connectable,
    source: str | Path | bytes,
    *,
    form: Form = "auto",
    name: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    check_area: bool = True,
    area: Bounds = CHINA_BOUNDS,
    status: str = "in_use",
    zip_limits: ZipLimits = DEFAULT_LIMITS,
) -> IndoorImportReport:
    """Check `source` and, unless this is a dry run (or a problem stops it), write its
    buildings, floors and rooms. Raises `ImportRefused` when the source as a whole is
    unusable (not found, corrupt zip, too big, unknown form or status)."""
    if status not in ROOM_STATUSES:
        raise ImportRefused(
            field="status",
            reason="imdf.reason.unknown_status",
            status=status,
            statuses=", ".join(ROOM_STATUSES),
        )
    plan = plan_source(
        source, form=form, name=name, check_area=check_area, area=area, zip_limits=zip_limits
    )
    check_existing(conn, plan)
    drop_rejected(plan)
    fill_outlines(plan)
    number_rooms(plan)
    report = IndoorImportReport(
        source=plan.source,
        form=plan.form,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        read=plan.read,
        rejected=len(plan.rejected()),
        ignored=dict(plan.ignored),
        planned={
            "building": len(plan.buildings),
            "floor": len(plan.floors),
            "room": len(plan.rooms),
        },
        problems=plan.problems,
        warnings=plan.warnings,
    )
    if dry_run or not plan.rooms or not (report.ok or skip_invalid):
        return report
    written = write_plan(conn, plan, status)
    report.ids = {"building": written.buildings, "floor": written.floors, "room": written.rooms}
    report.written = {k: len(v) for k, v in report.ids.items()}
    return report
