"""An IMDF problem: an import problem that also names the file and the feature's id, since
an archive is several files whose features refer to each other."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gis_app.i18n import DEFAULT_LANGUAGE, t
from gis_app.ingest.report import Problem

ARCHIVE = -1
"""`index` of a problem with the archive or a whole file rather than one feature."""


@dataclass(frozen=True, slots=True)
class ImdfProblem(Problem):
    """`file` is the archive member (or the single file) and `index` the feature's 0-based
    position in it (-1: the file itself); `feature_id` the feature's own id, if any."""

    file: str = ""
    feature_id: str | None = None

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        problem = t(f"ingest.problem.{self.code}", lang, detail=self.detail or "")
        if self.index == ARCHIVE:
            return t("imdf.problem_file", lang, file=self.file, field=self.field, problem=problem)
        return t(
            "imdf.problem_line",
            lang,
            file=self.file,
            index=self.index,
            id=self.feature_id or "-",
            field=self.field,
            problem=problem,
        )

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        out = asdict(self)
        del out["fid"]
        return {**out, "message": self.describe(lang)}
