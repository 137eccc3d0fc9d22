"""A catalog layer as a client sees it: titles, legend and popup in one language.

The legend is derived from the style, so what a map draws and what its legend says cannot
drift apart: a ramp lists its colour stops with their values, categories their swatches.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from gis_app.layers.catalog import (
    CategoryStyle,
    Delivery,
    GeometryKind,
    LayerSpec,
    RampStyle,
    pick,
)

Value = bool | int | float | str


class LegendEntry(BaseModel):
    """One swatch (or colour stop) of a legend."""

    color: str
    label: str
    value: Value | None = None


class LegendInfo(BaseModel):
    """What a layer's colours mean."""

    kind: Literal["fixed", "ramp", "categories"]
    caption: str
    unit: str | None
    format: Literal["number", "percent"]
    entries: list[LegendEntry]
    no_data: LegendEntry | None
    """The swatch of features with no value (ramp) or an unlisted one (categories)."""


class PopupInfo(BaseModel):
    """A field shown for a clicked feature (and on hover when `tooltip`)."""

    field: str
    label: str
    unit: str | None
    format: Literal["text", "number", "percent", "yesno"]
    digits: int
    tooltip: bool


class LayerInfo(BaseModel):
    """One layer of the catalog in the reader's language, with its data links."""

    id: str
    title: str
    description: str
    geometry: GeometryKind
    delivery: Delivery
    source: dict[str, Any]
    min_zoom: int
    max_zoom: int
    visible: bool
    max_features: int
    style: dict[str, Any]
    legend: LegendInfo | None
    popup: list[PopupInfo]
    tiles: str | None
    """URL template of the vector tiles ({z}/{x}/{y}), for tiled layers."""
    features: str | None
    """URL of the GeoJSON features (by bbox), for vector layers."""


class LayerList(BaseModel):
    """The whole catalog."""

    layers: list[LayerInfo]


def format_number(value: float, fmt: str, digits: int = 0) -> str:
    """A legend or popup number: percent of a 0..1 share, or grouped with `digits`."""
    if fmt == "percent":
        return f"{value * 100:.{digits}f} %"
    return f"{value:,.{digits}f}"


def _ramp_entries(style: RampStyle, fmt: str) -> list[LegendEntry]:
    steps = len(style.colors) - 1
    entries = []
    for i, color in enumerate(style.colors):
        value = style.vmin + (style.vmax - style.vmin) * i / steps
        digits = 0 if fmt == "percent" or value == int(value) else 2
        entries.append(
            LegendEntry(color=color, value=value, label=format_number(value, fmt, digits))
        )
    return entries


def legend(spec: LayerSpec, lang: str) -> LegendInfo | None:
    """The layer's legend in `lang`, or None when the layer file hides it."""
    spec_legend, style = spec.legend, spec.style
    if not spec_legend.show:
        return None
    caption = (
        pick(lang, spec_legend.caption_zh, spec_legend.caption_en)
        if spec_legend.caption_zh
        else spec.title(lang)
    )
    no_data = None
    if isinstance(style, RampStyle):
        kind: Literal["fixed", "ramp", "categories"] = "ramp"
        entries = _ramp_entries(style, spec_legend.format)
        if spec_legend.no_data:
            label = spec_legend.no_data_label(lang, "layers.no_data")
            no_data = LegendEntry(color=style.no_data_color, label=label)
    elif isinstance(style, CategoryStyle):
        kind = "categories"
        entries = [
            LegendEntry(color=c.color, label=pick(lang, c.label_zh, c.label_en), value=c.value)
            for c in style.categories
        ]
        if spec_legend.no_data:
            label = spec_legend.no_data_label(lang, "layers.other")
            no_data = LegendEntry(color=style.other_color, label=label)
    else:
        kind = "fixed"
        entries = [LegendEntry(color=style.color, label=spec.title(lang))]
    return LegendInfo(
        kind=kind,
        caption=caption,
        unit=spec_legend.unit,
        format=spec_legend.format,
        entries=entries,
        no_data=no_data,
    )


def popup(spec: LayerSpec, lang: str) -> list[PopupInfo]:
    """The popup fields in `lang` (English pages read `field_en` where one is given)."""
    return [
        PopupInfo(
            field=item.shown_field(lang),
            label=pick(lang, item.label_zh, item.label_en),
            unit=item.unit,
            format=item.format,
            digits=item.digits,
            tooltip=item.tooltip,
        )
        for item in spec.popup
    ]


def describe(spec: LayerSpec, lang: str, *, tiles: str | None, features: str | None) -> LayerInfo:
    """`spec` for a client in `lang`; the caller builds the links (they depend on the app's
    root path)."""
    return LayerInfo(
        id=spec.id,
        title=spec.title(lang),
        description=spec.description(lang),
        geometry=spec.geometry,
        delivery=spec.delivery,
        source=spec.source.model_dump(),
        min_zoom=spec.min_zoom,
        max_zoom=spec.max_zoom,
        visible=spec.visible,
        max_features=spec.max_features,
        style=spec.style.model_dump(),
        legend=legend(spec, lang),
        popup=popup(spec, lang),
        tiles=tiles,
        features=features,
    )
