"""The dashboard's tables as one workbook: the totals, then a sheet per chart, each with the
scope, date and standard in its subtitle (headers from `column.<key>`)."""

from __future__ import annotations

from typing import Any

from gis_app.i18n import t
from gis_app.reports.columns import DASHBOARD_CHARTS
from gis_app.reports.writers import Sheet, table, to_xlsx_book


def dashboard_xlsx(figures: dict[str, Any], lang: str) -> bytes:
    """`figures` is the dashboard's JSON answer (totals, labels, charts, scope, as_of)."""
    scope = figures["scope"]
    subtitle = t(
        "report.dashboard_subtitle",
        lang,
        as_of=figures["as_of"],
        standard=figures["standard"],
        filters=_scope_text(scope, lang),
    )
    totals = Sheet(
        t("web.dashboard.sheet.totals", lang),
        subtitle,
        [t("web.dashboard.sheet.figure", lang), t("web.dashboard.sheet.value", lang)],
        [[figures["labels"][k], _total(k, v)] for k, v in figures["totals"].items()],
    )
    charts = []
    for chart in DASHBOARD_CHARTS:
        rows = figures["charts"][chart]["rows"]
        headers, cells = table("dashboard", chart, rows, lang)
        charts.append(Sheet(figures["charts"][chart]["title"], subtitle, headers, cells))
    return to_xlsx_book([totals, *charts])


def _total(key: str, value: Any) -> Any:
    """A total as a cell: the vacancy rate in per cent, as its label says."""
    return round(value * 100, 2) if key == "vacancy_rate" and value is not None else value


def _scope_text(scope: dict[str, Any], lang: str) -> str:
    parts = [
        f"{t('web.dashboard.filter.body', lang)}={scope['body_name']}" if scope["body_id"] else "",
        f"{t('web.dashboard.filter.district', lang)}={scope['district']}"
        if scope.get("district")
        else "",
    ]
    return "；".join(p for p in parts if p) or t("report.no_filter", lang)
