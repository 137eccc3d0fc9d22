"""Land results on an offline map: ranked parcels coloured by score, excluded parcels with
why, and the reference layers that decided it (constraint zones, stations, roads), all from
plain rows (`gis_app.land.reference` reads the reference ones)."""

from __future__ import annotations

import json
from typing import Any

import folium

from gis_app.i18n import t
from gis_app.land.reference import Reference
from gis_app.layers.style import AnyStyle, Category, CategoryStyle, FixedStyle, RampStyle
from gis_app.maps.base import RESULT_STROKE, MapLayer
from gis_app.maps.render import feature_map
from gis_app.models.base import CGCS2000_BOUNDS, CONSTRAINT_KINDS

ZONE_COLOURS = {
    "basic_farmland": "#8bc34a",
    "ecological_redline": "#2e7d32",
    "flood_zone": "#4fc3f7",
    "urban_boundary": "#ffb74d",
    "heritage": "#a1887f",
    "geohazard": "#e57373",
}
SCORE_RAMP = ("#fff5eb", "#fdae6b", "#e6550d", "#7f2704")


def _collection(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(r["geometry"]),
                "properties": {k: _plain(r.get(k)) for k in keys},
            }
            for r in rows
            if r.get("geometry")
        ],
    }


def _plain(value: Any) -> Any:
    return float(value) if hasattr(value, "is_finite") else value


def _stroke(**changes: float) -> dict[str, float]:
    """The result maps' stroke with `changes`."""
    return RESULT_STROKE | changes


def _zones(rows: list[dict[str, Any]], lang: str) -> MapLayer:
    data = _collection(rows, ("kind", "name"))
    for feature in data["features"]:
        feature["properties"]["kind_label"] = t(f"land.zone.{feature['properties']['kind']}", lang)
    present = [k for k in CONSTRAINT_KINDS if any(r["kind"] == k for r in rows)]
    style = CategoryStyle(
        property="kind",
        categories=[
            Category(
                value=k,
                color=ZONE_COLOURS[k],
                label_zh=t(f"land.zone.{k}", "zh-CN"),
                label_en=t(f"land.zone.{k}", "en"),
            )
            for k in present
        ],
        **_stroke(fill_opacity=0.25),
    )
    return MapLayer(
        title=t("land.map.zones", lang),
        data=data,
        style=style,
        tooltip={"kind_label": t("land.map.zone_kind", lang), "name": t("land.map.name", lang)},
        caption=t("land.map.zone_kind", lang),
    )


def _reference_layers(reference: Reference, lang: str) -> list[MapLayer]:
    """Zones, stations and roads around the parcels shown (those that have any)."""
    layers = []
    if reference.zones:
        layers.append(_zones(reference.zones, lang))
    if reference.stations:
        layers.append(
            MapLayer(
                title=t("land.map.stations", lang),
                data=_collection(reference.stations, ("mode", "name")),
                style=FixedStyle(color="#6a1b9a", outline="#ffffff", **_stroke(radius=5)),
                tooltip={"name": t("land.map.name", lang), "mode": t("land.map.mode", lang)},
            )
        )
    if reference.roads:
        layers.append(
            MapLayer(
                title=t("land.map.roads", lang),
                data=_collection(reference.roads, ("road_class", "name")),
                style=FixedStyle(color="#9e9e9e", **_stroke(weight=2)),
                tooltip={"name": t("land.map.name", lang)},
            )
        )
    return layers


def land_map(
    ranked: list[dict[str, Any]],
    excluded: list[dict[str, Any]],
    lang: str,
    scored: bool,
    reference: Reference,
) -> folium.Map:
    """Ranked (or found) parcels over their reference layers; excluded ones in grey."""
    labels = {
        "rank": t("land.column.rank", lang),
        "parcel_code": t("land.column.parcel_code", lang),
        "landuse_name_zh": t("land.column.landuse_name_zh", lang),
        "measured_m2": t("land.column.measured_m2", lang),
        "score": t("land.column.score", lang),
    }
    keys = ("rank", "parcel_code", "landuse_name_zh", "measured_m2", "score", "explanation")
    if scored:
        style: AnyStyle = RampStyle(
            property="score", vmin=0, vmax=1, colors=SCORE_RAMP, **RESULT_STROKE
        )
        tooltip = labels
    else:
        style = FixedStyle(color="#e6550d", **RESULT_STROKE)
        tooltip = {k: v for k, v in labels.items() if k not in ("rank", "score")}
    popup = {"explanation": t("land.column.explanation", lang)} if scored else {}
    layers = _reference_layers(reference, lang)
    if excluded:
        layers.append(
            MapLayer(
                title=t("land.map.excluded", lang),
                data=_collection(excluded, ("parcel_code", "explanation")),
                style=FixedStyle(color="#757575", **_stroke(fill_opacity=0.35)),
                tooltip={"parcel_code": labels["parcel_code"]},
                popup={"explanation": t("land.column.explanation", lang)},
            )
        )
    layers.append(
        MapLayer(
            title=t("land.map.ranked" if scored else "land.map.found", lang),
            data=_collection(ranked, keys),
            style=style,
            tooltip=tooltip,
            popup=popup,
            caption=labels["score"] if scored else None,
        )
    )
    # No parcel at all yet: an empty map of the country, not an error.
    empty = reference.parcels_extent or CGCS2000_BOUNDS
    return feature_map(layers, empty_bounds=empty, lang=lang)
