"""Plain-language explanations of analysis rows, in the caller's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gis_app.analysis.safety import DANGEROUS
from gis_app.i18n import t


def _m2(value: Any) -> str:
    return f"{Decimal(value or 0):.1f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value) * 100:.1f}%"


def _verdict(excess: Any, over: bool, lang: str) -> str:
    if over:
        return t("explain.over", lang, excess=_m2(excess))
    return t("explain.within", lang, spare=_m2(-Decimal(excess or 0)))


def _basis(row: dict[str, Any], lang: str) -> str:
    """The office quota's basis: the establishment (编制, leader posts at their ranks), or the
    staff in post where no authorised number is recorded."""
    if row["quota_basis"] == "establishment":
        return t(
            "explain.basis.establishment",
            lang,
            authorised=row["authorised_staff"],
            leaders=row["leader_count"],
            others=row["other_posts"],
            other_limit=_m2(row["other_limit_m2"]),
        )
    return t("explain.basis.in_post", lang, staff=row["staff_count"])


def _band_verdict(row: dict[str, Any], kind: str, lang: str) -> str:
    """A service or equipment excess under an unverified band is said, and said not to count."""
    excess, over = row[f"{kind}_excess_m2"], row[f"{kind}_over"]
    if not over and not row["service_rule_verified"] and Decimal(excess or 0) > 0:
        return t("explain.unverified_band", lang, excess=_m2(excess))
    return _verdict(excess, over, lang)


def over_standard(level: str, row: dict[str, Any], lang: str) -> str:
    """Why this room, building, campus or body is (or is not) over the standard."""
    if level == "room":
        return t(
            "explain.room_over_standard",
            lang,
            room=row["room_number"],
            counted=_m2(row["counted_area_m2"]),
            attached=_m2(row["attached_area_m2"]),
            n=row["occupant_count"],
            limit=_m2(row["limit_m2"]),
            verdict=_verdict(row["excess_m2"], row["over_standard"], lang),
        )
    if level == "body":
        return t(
            "explain.body_over_standard",
            lang,
            office=_m2(row["office_m2"]),
            quota=_m2(row["office_quota_m2"]),
            basis=_basis(row, lang),
            office_verdict=_verdict(row["office_excess_m2"], row["office_over"], lang),
            service=_m2(row["service_m2"]),
            service_allowance=_m2(row["service_allowance_m2"]),
            service_verdict=_band_verdict(row, "service", lang),
            equipment=_m2(row["equipment_m2"]),
            equipment_allowance=_m2(row["equipment_allowance_m2"]),
            equipment_verdict=_band_verdict(row, "equipment", lang),
        )
    return t(
        "explain.place_over_standard",
        lang,
        over=row["over_standard_rooms"],
        occupied=row["occupied_offices"],
        excess=_m2(row["excess_m2"]),
    )


def vacancy(level: str, row: dict[str, Any], lang: str) -> str:
    """What is vacant here, and how much of the allocatable area that is."""
    if level in ("room", "idle_space"):
        key = "explain.room_vacant" if row["reallocatable"] else "explain.room_vacant_unsafe"
        return t(key, lang, room=row["room_number"], area=_m2(row["usable_area_m2"]))
    if level == "body":
        return t(
            "explain.body_vacancy",
            lang,
            unoccupied=_m2(row["unoccupied_area_m2"]),
            office=_m2(row["office_area_m2"]),
            rate=_pct(row["vacancy_rate"]),
        )
    return t(
        "explain.place_vacancy",
        lang,
        vacant=_m2(row["vacant_area_m2"]),
        allocatable=_m2(row["allocatable_area_m2"]),
        rate=_pct(row["vacancy_rate"]),
    )


def _detail(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, float | Decimal):
        return _m2(value)
    return value


WORDED_BY = {"occupied_dangerous_building": "grade"}
"""Checks whose wording depends on one of their details: people in a D building must stop
using it, in a C building its use is restricted (explain.dq.<check>.<value>)."""


def finding(_level: str, row: dict[str, Any], lang: str) -> str:
    """What a data-quality finding means, with its figures."""
    details = {k: _detail(v) for k, v in row["details"].items()}
    key = f"explain.dq.{row['check']}"
    if row["check"] in WORDED_BY:
        key += f".{row['details'][WORDED_BY[row['check']]]}"
    return t(key, lang, **details)


def match(candidate: dict[str, Any], need: Any, lang: str) -> str:
    """Why a candidate fits and where it ranks."""
    key = "explain.match_floor" if candidate["unit"] == "floor" else "explain.match_building"
    return t(
        key,
        lang,
        rank=candidate["rank"],
        tier=t(f"match.tier.{candidate['tier']}", lang),
        building=candidate["building_name"],
        floor=candidate["rooms"][0]["floor_name"] if candidate["rooms"] else "",
        offices=candidate["offices"],
        need_offices=need.rooms.office,
        meetings=candidate["meetings"],
        need_meetings=need.rooms.meeting,
        picked=_m2(candidate["picked_area_m2"]),
        need_area=_m2(need.area_m2),
        surplus=_m2(candidate["surplus_m2"]),
        distance=f"{Decimal(candidate['distance_m']):.0f}",
        grade=candidate["safety_grade"] or "—",
    )


def _clauses(texts: list[str], lang: str) -> str:
    return ("; " if lang == "en" else "；").join(texts)


def _occupied_danger(row: dict[str, Any]) -> bool:
    return bool(row["people"]) and row["safety_grade"] in DANGEROUS


def safety_action(row: dict[str, Any], lang: str) -> str:
    """What to do about a building: move its people (D) or restrict its use and strengthen
    it (C), appraise it again when overdue; empty when nothing."""
    actions = []
    if _occupied_danger(row):
        actions.append(t(f"safety.action.{row['safety_grade']}", lang))
    if row["appraisal_overdue"]:
        actions.append(t("safety.action.overdue", lang))
    return _clauses(actions, lang)


def safety(_level: str, row: dict[str, Any], lang: str) -> str:
    """A building's safety findings in the data-quality wording, or that it has none."""
    details = {
        **row,
        "grade": row["safety_grade"],
        "bodies": [b["name"] for b in row["bodies"]],
        "appraised_on": row["safety_appraised_on"],
        "years": row["appraisal_years"],
    }
    checks = []
    if _occupied_danger(row):
        checks.append("occupied_dangerous_building")
    if row["appraisal_overdue"]:
        checks.append("appraisal_overdue")
    if not checks:
        grade = row["safety_grade"] or "—"
        return t("explain.safety.no_finding", lang, name=row["name"], grade=grade)
    return _clauses(
        [finding("building", {"check": c, "details": details}, lang) for c in checks], lang
    )
