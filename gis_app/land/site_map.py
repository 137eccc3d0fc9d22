"""Land results on an offline map: ranked parcels coloured by score, excluded parcels with
why, and the reference layers that decided it (constraint zones, stations, roads)."""

from __future__ import annotations

import json
from typing import Any

import folium
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.i18n import t
from gis_app.maps.render import MapLayer, feature_map
from gis_app.maps.style import CategoryStyle, FixedStyle, RampStyle
from gis_app.models.base import CONSTRAINT_KINDS

ZONE_COLOURS = {
    "basic_farmland": "#8bc34a",
    "ecological_redline": "#2e7d32",
    "flood_zone": "#4fc3f7",
    "urban_boundary": "#ffb74d",
    "heritage": "#a1887f",
    "geohazard": "#e57373",
}
SCORE_RAMP = ("#fff5eb", "#fdae6b", "#e6550d", "#7f2704")
MARGIN_DEG = 0.01
"""Reference features drawn this far (about 1 km) beyond the parcels shown."""


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


def _reference(session: Session, rows: list[dict[str, Any]], lang: str) -> list[MapLayer]:
    """Zones, stations and roads around the parcels shown."""
    if not rows:
        return []
    envelope = (
        "SELECT ST_Expand(ST_Extent(ST_GeomFromGeoJSON(g)), :margin) "
        "FROM unnest(CAST(:geoms AS text[])) g"
    )
    params = {"geoms": [r["geometry"] for r in rows if r.get("geometry")], "margin": MARGIN_DEG}
    layers = []
    queries = (
        (
            "zones",
            f"SELECT kind, name, ST_AsGeoJSON(geom, 7, 0) AS geometry FROM constraint_zone "
            f"WHERE geom && ({envelope})",
            ("kind", "name"),
        ),
        (
            "stations",
            f"SELECT mode, name, ST_AsGeoJSON(geom, 7, 0) AS geometry FROM transit_station "
            f"WHERE geom && ({envelope})",
            ("mode", "name"),
        ),
        (
            "roads",
            f"SELECT road_class, name, ST_AsGeoJSON(geom, 7, 0) AS geometry FROM road "
            f"WHERE geom && ({envelope})",
            ("road_class", "name"),
        ),
    )
    for name, sql, keys in queries:
        found = [dict(r) for r in session.execute(text(sql), params).mappings()]
        if not found:
            continue
        data = _collection(found, keys)
        if name == "zones":
            for feature in data["features"]:
                feature["properties"]["kind_label"] = t(
                    f"land.zone.{feature['properties']['kind']}", lang
                )
            present = [k for k in CONSTRAINT_KINDS if any(r["kind"] == k for r in found)]
            style: Any = CategoryStyle(
                property="kind",
                colors={k: ZONE_COLOURS[k] for k in present},
                labels={k: t(f"land.zone.{k}", lang) for k in present},
                fill_opacity=0.25,
                label=t("land.map.zone_kind", lang),
            )
            tooltip = {
                "kind_label": t("land.map.zone_kind", lang),
                "name": t("land.map.name", lang),
            }
        elif name == "stations":
            style = FixedStyle(color="#6a1b9a", outline="#ffffff", radius=5)
            tooltip = {"name": t("land.map.name", lang), "mode": t("land.map.mode", lang)}
        else:
            style = FixedStyle(color="#9e9e9e", weight=2)
            tooltip = {"name": t("land.map.name", lang)}
        layers.append(
            MapLayer(title=t(f"land.map.{name}", lang), data=data, style=style, tooltip=tooltip)
        )
    return layers


def land_map(
    session: Session,
    ranked: list[dict[str, Any]],
    excluded: list[dict[str, Any]],
    lang: str,
    scored: bool,
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
        style: Any = RampStyle(
            property="score", vmin=0, vmax=1, colors=SCORE_RAMP, label=labels["score"]
        )
        tooltip = labels
    else:
        style = FixedStyle(color="#e6550d")
        tooltip = {k: v for k, v in labels.items() if k not in ("rank", "score")}
    popup = {"explanation": t("land.column.explanation", lang)} if scored else {}
    layers = _reference(session, [*ranked, *excluded], lang)
    if excluded:
        layers.append(
            MapLayer(
                title=t("land.map.excluded", lang),
                data=_collection(excluded, ("parcel_code", "explanation")),
                style=FixedStyle(color="#757575", fill_opacity=0.35),
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
        )
    )
    return feature_map(layers, empty_bounds=_all_parcels(session))


def _all_parcels(session: Session) -> tuple[float, float, float, float] | None:
    """Where the parcels are, for a map of an empty result."""
    box = session.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(geom) AS e FROM land_parcel) x"
        )
    ).one()
    return None if box[0] is None else (box[0], box[1], box[2], box[3])
