"""What an import found: one problem per feature and field, and the counts.

A report is the answer of a dry run and of a refused import alike, so a user can fix every
problem in one pass instead of one error at a time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gis_app.errors import InvalidParameter
from gis_app.i18n import DEFAULT_LANGUAGE, t

PROBLEM_CODES = (
    "missing_geometry",
    "unreadable_geometry",
    "empty_geometry",
    "wrong_geometry_type",
    "invalid_geometry",
    "out_of_area",
    "missing_field",
    "unknown_code",
    "unknown_landuse",
    "landuse_other_scheme",
    "bad_value",
    "out_of_range",
    "too_long",
    "duplicate_key",
    "unknown_parent",
    "outside_parent",
    "open_outline",
    "several_room_numbers",
    "number_taken",
    "duplicate_room_number",
    "area_too_small",
    "outside_floor",
    # IMDF and OSM indoor (gis_app/imdf), texts in locales/*/imdf.json
    "imdf_bad_json",
    "imdf_duplicate_file",
    "imdf_wrong_file",
    "imdf_missing_part",
    "imdf_bad_value",
    "imdf_bad_id",
    "imdf_duplicate_id",
    "imdf_unknown_feature_type",
    "imdf_unclosed_ring",
    "imdf_out_of_range",
    "imdf_unresolved_reference",
    "imdf_venue_count",
    "imdf_duplicate_ordinal",
    "imdf_bad_ordinal",
    "imdf_outside_level",
    "imdf_null_string",
    "imdf_string_boolean",
    "imdf_area_ignored",
    "imdf_multipart_unit",
    "imdf_zero_area",
    "imdf_no_level",
    "imdf_multi_level",
    "imdf_no_building",
    "imdf_parent_rejected",
    "imdf_already_imported",
    # spreadsheet imports (gis_app/xlsx): a refusal of the editing rules, texts in xlsx.json
    "xlsx_not_found",
    "xlsx_conflict",
    "xlsx_invalid",
    "xlsx_rejected",
)
"""Problem codes; each has the text `ingest.problem.<code>` in the locales."""
WARNING_CODES = ("overlaps",)
"""Notes that do not reject a feature (building footprints overlapping one another)."""


class ImportRefused(InvalidParameter):
    """The whole file cannot be imported (unreadable, no CRS, GCJ-02, bad mapping, …).

    `reason` is an `ingest.reason.*` key; the other context values fill it in.
    """

    def message(self, lang: str) -> str:
        values = {k: v for k, v in self.context.items() if k != "reason"}
        reason = t(str(self.context["reason"]), lang, **values)
        return t(self.key, lang, **{**values, "reason": reason})


class ImportTooLarge(ImportRefused):
    """The upload, or what a zip would unpack to, is over the size limits in the settings."""

    status_code = 413


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one feature.

    `index` is the feature's 0-based position in the file, `fid` the file's own feature id
    (1-based in GeoPackage, what QGIS shows); `field` is the target column or "geom".
    """

    index: int
    fid: int | None
    field: str
    code: str
    detail: str | None = None

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """One line in the user's language."""
        problem = t(f"ingest.problem.{self.code}", lang, detail=self.detail or "")
        return t("ingest.problem_line", lang, index=self.index, field=self.field, problem=problem)


@dataclass(slots=True)
class ImportReport:
    """Counts and problems of one import. Nothing is written when `problems` is not empty,
    unless `skip_invalid` asked for the valid features to be written all the same."""

    layer: str
    path: str
    source_layer: str | None
    crs: str
    crs_from: str
    dry_run: bool
    transformation: dict[str, Any] | None = None
    """How the coordinates reached CGCS2000: operation, accuracy, whether ballpark."""
    skip_invalid: bool = False
    read: int = 0
    valid: int = 0
    written: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problems: list[Problem]) -> None:
        """Record problems and recount the features they reject."""
        self.problems.extend(problems)
        self.problems.sort(key=lambda p: (p.index, p.field, p.code))
        self.rejected = len({p.index for p in self.problems})
        self.valid = self.read - self.rejected

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """JSON-ready, each problem with its text in `lang`."""
        out = asdict(self)
        out["ok"] = self.ok
        for key in ("problems", "warnings"):
            out[key] = [{**asdict(p), "message": p.describe(lang)} for p in getattr(self, key)]
        return out
