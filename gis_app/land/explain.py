"""Plain explanations of site-selection rows: each criterion's raw value (with its unit),
normalised score and weighted contribution for a ranked parcel; each failed test for an
excluded one, with the range it had to meet written out (0–1,000 m, not "—–1,000")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gis_app.i18n import t
from gis_app.land.criteria import Distance, LandCriteria, Scored
from gis_app.land.weights import Weights
from gis_app.queries.land_form import RasterLabel

RasterLabels = Mapping[str, RasterLabel]
"""Registered rasters by code: their names and units, for the words around a value."""


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    number = float(value)
    return f"{number:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{number:,.0f}"


def _range(low: float | None, high: float | None, unit: str, lang: str, digits: int = 0) -> str:
    """What a value had to be, for a measure that cannot be negative (area, distance):
    'low–high unit', '0–high unit' with no lower end, 'at least low' with no upper end."""
    if low is None and high is None:
        return ""
    if high is None:
        return t("land.range.at_least", lang, low=_num(low, digits), unit=_suffix(unit))
    return t(
        "land.range.between",
        lang,
        low=_num(low or 0, digits),
        high=_num(high, digits),
        unit=_suffix(unit),
    )


def _open_range(low: float | None, high: float | None, unit: str, lang: str) -> str:
    """A range whose values may be negative (a raster statistic): an open lower end is
    'at most high', not '0–high'."""
    if low is None and high is not None:
        return t("land.range.at_most", lang, high=_num(high, 2), unit=_suffix(unit))
    return _range(low, high, unit, lang, 2)


def target_name(d: Distance, lang: str) -> str:
    """What a distance is measured to: stations of the modes asked (地铁站), else the kind
    of target — the same words the form uses for the criterion."""
    if d.to == "station" and d.station_modes:
        return t("land.separator", lang).join(
            t(f"land.station_mode.{m}", lang) for m in d.station_modes
        )
    return t(f"land.target.{d.to}", lang)


def _kinds(kinds: list[str] | None, lang: str) -> str:
    return t("land.separator", lang).join(t(f"land.zone.{k}", lang) for k in kinds or [])


def raster_unit(code: str | None, rasters: RasterLabels, lang: str) -> str:
    """The unit symbol of a raster's values (° for degrees), '' when it is not known."""
    label = rasters.get(code or "")
    if label is None or not label.units:
        return ""
    key = f"land.unit.{label.units}"
    symbol = t(key, lang)
    return label.units if symbol == key else symbol


def raster_name(code: str, rasters: RasterLabels, lang: str) -> str:
    """A raster's name in `lang` (its code when it is not registered)."""
    label = rasters.get(code)
    if label is None:
        return code
    return label.name_en if lang == "en" and label.name_en else label.name_zh


def _unit(s: Scored, rasters: RasterLabels, lang: str) -> str:
    if s.measure == "area":
        return "m²"
    if s.measure == "distance":
        return "m"
    if s.measure == "raster":
        return raster_unit(s.raster, rasters, lang)
    return ""


def _suffix(unit: str) -> str:
    """' m', '°', '': a space before a unit of letters, none before a degree sign."""
    return "" if not unit else unit if unit == "°" else f" {unit}"


def _with_unit(value: Any, unit: str, digits: int = 1) -> str:
    """'1,234.5 m', '3.2°'."""
    return f"{_num(value, digits)}{_suffix(unit)}"


def contributions(
    row: dict[str, Any],
    scores: list[Scored],
    weights: Weights,
    *,
    rasters: RasterLabels | None = None,
    lang: str = "zh-CN",
) -> list[dict[str, Any]]:
    """Per scored criterion: name, raw value and its unit, the value as text with its unit,
    score 0–1, weight, weighted contribution."""
    out = []
    for i, (s, w) in enumerate(zip(scores, weights.values, strict=True)):
        raw = row.get(f"score_{i}")
        score = float(row.get(f"score_{i}_score") or 0)
        unit = _unit(s, rasters or {}, lang)
        if raw is None:
            text = t("land.no_data", lang)
        elif s.measure == "landuse":
            text = str(raw)
        else:
            text = _with_unit(raw, unit)
        out.append(
            {
                "name": s.name,
                "measure": s.measure,
                "value": float(raw) if isinstance(raw, int | float) else raw,
                "unit": unit,
                "value_text": text,
                "score": round(score, 4),
                "weight": round(w, 4),
                "contribution": round(w * score, 4),
                "no_data": raw is None,
            }
        )
    return out


def ranked_text(row: dict[str, Any], parts: list[dict[str, Any]], lang: str) -> str:
    """'第 1 名 P-001：综合得分 0.87。近地铁站：320 m → 得分 0.84 × 权重 0.64 = 0.54；…'."""
    pieces = [
        t(
            "land.explain.part",
            lang,
            name=part["name"],
            value=part["value_text"],
            score=_num(part["score"], 2),
            weight=_num(part["weight"], 3),
            contribution=_num(part["contribution"], 3),
        )
        for part in parts
    ]
    return t(
        "land.explain.ranked",
        lang,
        rank=row["rank"],
        parcel=row["parcel_code"],
        score=_num(row["score"], 3),
        parts=t("land.part_separator", lang).join(pieces),
    )


def failures(
    row: dict[str, Any], c: LandCriteria, lang: str, rasters: RasterLabels | None = None
) -> list[str]:
    """Why an excluded parcel was excluded, one sentence per failed test."""
    passes = row["passes"]
    out = []
    if passes.get("landuse") is False and c.landuse is not None:
        out.append(
            t(
                "land.fail.landuse",
                lang,
                code=row["landuse_code"],
                name=row["landuse_name_zh"] if lang != "en" else row["landuse_name_en"],
                codes=", ".join(c.landuse.codes),
            )
        )
    if passes.get("area") is False and c.area_m2 is not None:
        out.append(
            t(
                "land.fail.area",
                lang,
                area=_num(row["measured_m2"], 0),
                range=_range(c.area_m2.min, c.area_m2.max, "m²", lang),
            )
        )
    if passes.get("status") is False and c.status:
        statuses = t("land.separator", lang).join(t(f"land.status.{s}", lang) for s in c.status)
        status = t(f"land.status.{row['status']}", lang)
        out.append(t("land.fail.status", lang, status=status, statuses=statuses))
    for i, d in enumerate(c.distances):
        if passes.get(f"dist_{i}") is False:
            distance = row.get(f"dist_{i}")
            key = "land.fail.no_target" if distance is None else "land.fail.distance"
            out.append(
                t(
                    key,
                    lang,
                    target=target_name(d, lang),
                    distance=_num(distance, 0),
                    range=_range(d.beyond_m, d.within_m, "m", lang),
                )
            )
    for i, z in enumerate(c.constraints):
        if passes.get(f"zone_{i}") is False:
            if z.mode == "avoid":
                out.append(
                    t(
                        "land.fail.zone_avoid",
                        lang,
                        zones=_kinds(row.get(f"zone_{i}_kinds"), lang),
                        m2=_num(row.get(f"zone_{i}"), 0),
                    )
                )
            else:
                out.append(t("land.fail.zone_intersect", lang, zones=_kinds(list(z.kinds), lang)))
    for i, r in enumerate(c.rasters):
        if passes.get(f"raster_{i}") is False:
            value = row.get(f"raster_{i}")
            unit = raster_unit(r.raster, rasters or {}, lang)
            key = "land.fail.raster_no_data" if value is None else "land.fail.raster"
            out.append(
                t(
                    key,
                    lang,
                    raster=raster_name(r.raster, rasters or {}, lang),
                    stat=t(f"land.stat.{r.stat}", lang),
                    value=_with_unit(value, unit, 2),
                    range=_open_range(r.min, r.max, unit, lang),
                )
            )
    return out
