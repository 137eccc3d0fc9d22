"""The report of a DXF import: the common import report plus what a drawing adds — units,
georeferencing figures, counts per layer, one line per outline and notices that reject
nothing (a label outside every outline, two names in one room, a hole with no room, a ring
that became a hole of the room around it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gis_app.i18n import DEFAULT_LANGUAGE, t
from gis_app.ingest.report import ImportReport, Problem

NOTICE_CODES = (
    "label_outside",
    "several_names",
    "hole_outside",
    "hole_of",
    "cut_from",
    "overlap",
    "repaired",
    "units_ignored",
)
"""Notice codes; each has the text `dxf.notice.<code>` in the locales."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something worth knowing that rejects no outline; `handle` is the DXF entity's."""

    code: str
    handle: str | None = None
    layer: str | None = None
    detail: str | None = None

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        text = t(f"dxf.notice.{self.code}", lang, detail=self.detail or "")
        return f"{self.layer} #{self.handle}: {text}" if self.handle else text


@dataclass(slots=True)
class LayerCounts:
    """Per layer: closed and open outlines found, rooms made (valid), rejected, rings that
    became holes of a room, labels."""

    outlines: int = 0
    open: int = 0
    valid: int = 0
    rejected: int = 0
    holes: int = 0
    labels: int = 0


@dataclass(slots=True)
class RoomLine:
    """One outline as it would become a room (the dry run's preview); a ring that is a hole
    has no number and names the room it is cut out of (`hole_of`, a DXF handle)."""

    index: int
    handle: str
    layer: str
    number: str | None
    number_from: str
    name: str | None
    category: str
    area_m2: float | None
    hole_of: str | None = None


@dataclass(slots=True)
class DxfReport(ImportReport):
    """`read` counts the outlines on the chosen layers (open ones too), `holes` the rings cut
    out of the room around them, `valid` the outlines that can become rooms. With
    `skip_invalid` the valid ones are written even when others have problems (then `ok` is
    False and `written` > 0)."""

    floor_id: int | None = None
    units: str = ""
    units_from: str = ""
    metres_per_unit: float = 1.0
    georeference: dict[str, Any] = field(default_factory=dict)
    layers: dict[str, LayerCounts] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    holes: int = 0
    labels_read: int = 0
    numbers_generated: int = 0
    rooms: list[RoomLine] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, problems: list[Problem]) -> None:
        """As every report; a hole is neither a room nor rejected."""
        ImportReport.add(self, problems)
        self.valid -= self.holes

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        out = ImportReport.as_dict(self, lang)
        by_index = {line.index: line for line in self.rooms}
        for problem in out["problems"]:
            line = by_index.get(problem["index"])
            problem["handle"] = line.handle if line else None
            problem["layer"] = line.layer if line else None
        out["notices"] = [{**asdict(n), "message": n.describe(lang)} for n in self.notices]
        return out
