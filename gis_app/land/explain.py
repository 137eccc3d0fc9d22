"""Plain explanations of site-selection rows: each criterion's raw value, normalised score
and weighted contribution for a ranked parcel; each failed test for an excluded one."""

from __future__ import annotations

from typing import Any

from gis_app.i18n import t
from gis_app.land.criteria import Distance, LandCriteria, Scored
from gis_app.land.weights import Weights


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    number = float(value)
    return f"{number:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{number:,.0f}"


def _target(d: Distance, lang: str) -> str:
    return t(f"land.target.{d.to}", lang)


def _kinds(kinds: list[str] | None, lang: str) -> str:
    return t("land.separator", lang).join(t(f"land.zone.{k}", lang) for k in kinds or [])


def _unit(s: Scored, lang: str) -> str:
    if s.measure in ("area",):
        return " m²"
    if s.measure == "distance":
        return " m"
    if s.measure == "raster":
        return " " + t("land.stat." + s.stat, lang)
    return ""


def contributions(
    row: dict[str, Any], scores: list[Scored], weights: Weights
) -> list[dict[str, Any]]:
    """Per scored criterion: name, raw value, score 0–1, weight, weighted contribution."""
    out = []
    for i, (s, w) in enumerate(zip(scores, weights.values, strict=True)):
        raw = row.get(f"score_{i}")
        score = float(row.get(f"score_{i}_score") or 0)
        out.append(
            {
                "name": s.name,
                "measure": s.measure,
                "value": float(raw) if isinstance(raw, int | float) else raw,
                "score": round(score, 4),
                "weight": round(w, 4),
                "contribution": round(w * score, 4),
                "no_data": raw is None,
            }
        )
    return out


def ranked_text(
    row: dict[str, Any], parts: list[dict[str, Any]], scores: list[Scored], lang: str
) -> str:
    """'#1 P-001: score 0.87 = 近地铁 320 m → 0.84 × 0.64 = 0.54; …'."""
    pieces = []
    for part, s in zip(parts, scores, strict=True):
        value = (
            t("land.no_data", lang)
            if part["no_data"]
            else (
                str(part["value"])
                if s.measure == "landuse"
                else f"{_num(part['value'])}{_unit(s, lang)}"
            )
        )
        pieces.append(
            t(
                "land.explain.part",
                lang,
                name=part["name"],
                value=value,
                score=_num(part["score"], 2),
                weight=_num(part["weight"], 3),
                contribution=_num(part["contribution"], 3),
            )
        )
    return t(
        "land.explain.ranked",
        lang,
        rank=row["rank"],
        parcel=row["parcel_code"],
        score=_num(row["score"], 3),
        parts="; ".join(pieces),
    )


def failures(row: dict[str, Any], c: LandCriteria, lang: str) -> list[str]:
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
                min=_num(c.area_m2.min, 0),
                max=_num(c.area_m2.max, 0),
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
                    target=_target(d, lang),
                    distance=_num(distance, 0),
                    within=_num(d.within_m, 0),
                    beyond=_num(d.beyond_m, 0),
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
            key = "land.fail.raster_no_data" if value is None else "land.fail.raster"
            out.append(
                t(
                    key,
                    lang,
                    raster=r.raster,
                    stat=t(f"land.stat.{r.stat}", lang),
                    value=_num(value, 2),
                    min=_num(r.min, 2),
                    max=_num(r.max, 2),
                )
            )
    return out
