"""Plain-language explanations of analysis rows, in the caller's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gis_app.i18n import t


def _m2(value: Any) -> str:
    return f"{Decimal(value or 0):.1f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value) * 100:.1f}%"


def _verdict(excess: Any, over: bool, lang: str) -> str:
    if over:
        return t("explain.over", lang, excess=_m2(excess))
    return t("explain.within", lang, spare=_m2(-Decimal(excess or 0)))


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
            office_verdict=_verdict(row["office_excess_m2"], row["office_over"], lang),
            service=_m2(row["service_m2"]),
            service_allowance=_m2(row["service_allowance_m2"]),
            service_verdict=_verdict(row["service_excess_m2"], row["service_over"], lang),
            equipment=_m2(row["equipment_m2"]),
            equipment_allowance=_m2(row["equipment_allowance_m2"]),
            equipment_verdict=_verdict(row["equipment_excess_m2"], row["equipment_over"], lang),
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


def finding(_level: str, row: dict[str, Any], lang: str) -> str:
    """What a data-quality finding means, with its figures."""
    details = {k: _detail(v) for k, v in row["details"].items()}
    return t(f"explain.dq.{row['check']}", lang, **details)


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
