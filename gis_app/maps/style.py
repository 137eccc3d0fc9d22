"""How a map layer is coloured: one colour, a numeric ramp, or a colour per category.

Colours are checked to be hex codes because they end up inside the page's CSS and JS, and
values are mapped to colours in Python so the page needs no colour library from a CDN.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")

DEFAULT_RAMP: tuple[str, ...] = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
"""Light to dark (ColorBrewer YlGnBu, 5 classes): readable on a plain background."""


def check_color(color: str) -> str:
    """`color` if it is a #rgb or #rrggbb code; anything else could inject markup."""
    if not isinstance(color, str) or not _HEX.fullmatch(color):
        raise ValueError(f"colour {color!r} is not a #rgb or #rrggbb code")
    return color.lower()


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def number(value: Any) -> float | None:
    """`value` as a finite float, or None for missing, text, booleans and NaN."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


@dataclass(frozen=True, kw_only=True)
class _Stroke:
    weight: float = 1.5
    opacity: float = 0.9
    fill_opacity: float = 0.65
    radius: float = 6.0
    """Radius in pixels of the circle drawn for a point feature."""
    outline: str | None = None
    """Outline colour; None draws the outline in the fill colour. White sets points apart."""

    def __post_init__(self) -> None:
        if self.outline is not None:
            check_color(self.outline)

    def path_style(self, fill: str) -> dict[str, Any]:
        """Leaflet path options for one feature filled with `fill`."""
        return {
            "color": self.outline.lower() if self.outline else fill,
            "fill": True,
            "weight": self.weight,
            "opacity": self.opacity,
            "fillColor": fill,
            "fillOpacity": self.fill_opacity,
        }


@dataclass(frozen=True, kw_only=True)
class FixedStyle(_Stroke):
    """Every feature in one colour."""

    color: str = "#3388ff"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_color(self.color)

    def color_for(self, properties: Mapping[str, Any]) -> str:  # noqa: ARG002
        """The colour of a feature with these properties."""
        return self.color.lower()


@dataclass(frozen=True, kw_only=True)
class RampStyle(_Stroke):
    """A numeric property mapped linearly from vmin..vmax onto evenly spaced colours."""

    property: str
    vmin: float
    vmax: float
    colors: tuple[str, ...] = DEFAULT_RAMP
    label: str | None = None
    """Legend caption for the property; defaults to its tooltip/popup label or its name."""
    no_data_color: str = "#bdbdbd"
    no_data_label: str = "无数据 No data"

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.colors) < 2:
            raise ValueError("a colour ramp needs at least two colours")
        for color in (*self.colors, self.no_data_color):
            check_color(color)
        if number(self.vmin) is None or number(self.vmax) is None or self.vmin > self.vmax:
            raise ValueError(f"ramp range {self.vmin}..{self.vmax} is not a finite min <= max")

    def color_at(self, value: float) -> str:
        """The colour of `value`, clamped to the ramp's range."""
        span = self.vmax - self.vmin
        t = 0.0 if span == 0 else min(max((value - self.vmin) / span, 0.0), 1.0)
        position = t * (len(self.colors) - 1)
        i = min(int(position), len(self.colors) - 2)
        frac = position - i
        low, high = _rgb(self.colors[i].lower()), _rgb(self.colors[i + 1].lower())
        mixed = (round(a + (b - a) * frac) for a, b in zip(low, high, strict=True))
        return "#" + "".join(f"{c:02x}" for c in mixed)

    def color_for(self, properties: Mapping[str, Any]) -> str:
        """The colour of a feature with these properties."""
        value = number(properties.get(self.property))
        return self.no_data_color.lower() if value is None else self.color_at(value)


@dataclass(frozen=True, kw_only=True)
class CategoryStyle(_Stroke):
    """A colour per value of a property; values not listed get `other_color`."""

    property: str
    colors: Mapping[Any, str]
    labels: Mapping[Any, str] = field(default_factory=dict)
    """Legend text per value; defaults to the value itself."""
    label: str | None = None
    """Legend caption for the property; defaults to its tooltip/popup label or its name."""
    other_color: str = "#bdbdbd"
    other_label: str = "其他 Other"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.colors:
            raise ValueError("a category style needs at least one category")
        for color in (*self.colors.values(), self.other_color):
            check_color(color)

    def color_for(self, properties: Mapping[str, Any]) -> str:
        """The colour of a feature with these properties."""
        value = properties.get(self.property)
        try:
            return self.colors.get(value, self.other_color).lower()
        except TypeError:  # an unhashable value (list, dict) is no category
            return self.other_color.lower()

    def label_for(self, value: Any) -> str:
        """Legend text for one category."""
        return str(self.labels.get(value, value))


LayerStyle = FixedStyle | RampStyle | CategoryStyle
