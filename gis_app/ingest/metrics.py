"""What imports did, for the operator's scrape (`/metrics`): rows inserted by target table
and imports that failed, by importer. Labels are table and importer names only — never a
file name, a user or a row's id — so a series names a kind of work, not a person.

Counted where the work happens (`write.insert_rows` is the one place the file importers
write; the spreadsheet import writes through the editing functions and counts its rows when
its transaction is kept), so the API and the command line count alike; a scrape sees the
process it asks, the server.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import ParamSpec, Protocol, TypeVar

from prometheus_client import Counter

ROWS_WRITTEN = Counter(
    "gis_import_rows_written",
    "Rows inserted by imports, by target table (an insert later rolled back still counts).",
    ["target"],
)
FAILURES = Counter(
    "gis_import_failures",
    "Imports refused as a whole or with problems and nothing written (dry runs excluded).",
    ["importer"],
)


class Report(Protocol):
    """What every importer's report has in common (`ImportReport`, the IMDF and DXF ones)."""

    dry_run: bool

    @property
    def problems(self) -> list: ...

    @property
    def written(self) -> int | Mapping[str, int]: ...


P = ParamSpec("P")
R = TypeVar("R", bound=Report)


def count_written(target: str, rows: int) -> None:
    """`rows` rows went into `target` (a table, or a spreadsheet's kind)."""
    if rows:
        ROWS_WRITTEN.labels(target=target).inc(rows)


def _written(report: Report) -> int:
    written = report.written
    return sum(written.values()) if isinstance(written, Mapping) else written


def counted(importer: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Count a failure of the decorated import: it raised (the file as a whole refused), or
    its report has problems and nothing was written, and it was not a dry run."""

    def wrap(run: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(run)
        def counting(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                report = run(*args, **kwargs)
            except Exception:
                FAILURES.labels(importer=importer).inc()
                raise
            if report.problems and not report.dry_run and not _written(report):
                FAILURES.labels(importer=importer).inc()
            return report

        return counting

    return wrap
