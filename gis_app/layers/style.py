"""How a layer is coloured: one colour, a numeric ramp, or a colour per category.

One model for the `[style]` table of a layer file and for the styles code draws with (land
result maps), so the colours a map draws and the ones its legend or tile script shows come
from the same place. Values are mapped to colours here, in Python, so a page needs no colour
library from a CDN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from gis_app.layers.fields import Color, Slug, Strict, Text, pick


def number(value: Any) -> float | None:
    """`value` as a finite float, or None for missing, text, booleans and NaN."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _two_or_more(colors: list[str]) -> list[str]:
    if len(colors) < 2:
        raise ValueError("a colour ramp needs at least two colours")
    return colors


class _Stroke(Strict):
    outline: Color | None = None
    """Outline colour; none draws it in the fill colour. White sets points apart."""
    weight: Annotated[float, Field(ge=0, le=20)] = 1.0
    opacity: Annotated[float, Field(ge=0, le=1)] = 0.9
    fill_opacity: Annotated[float, Field(ge=0, le=1)] = 0.6
    radius: Annotated[float, Field(gt=0, le=50)] = 5.0
    """Circle radius in pixels for point features."""

    def path_style(self, fill: str) -> dict[str, Any]:
        """Leaflet path options for one feature filled with `fill`."""
        return {
            "color": self.outline or fill,
            "fill": True,
            "weight": self.weight,
            "opacity": self.opacity,
            "fillColor": fill,
            "fillOpacity": self.fill_opacity,
        }


class FixedStyle(_Stroke):
    """Every feature in one colour."""

    kind: Literal["fixed"] = "fixed"
    color: Color

    def color_for(self, properties: Mapping[str, Any]) -> str:  # noqa: ARG002
        """The colour of a feature with these properties."""
        return self.color


class RampStyle(_Stroke):
    """A numeric field mapped linearly from vmin..vmax onto evenly spaced colours."""

    kind: Literal["ramp"] = "ramp"
    property: Slug
    vmin: float
    vmax: float
    colors: Annotated[list[Color], Field(max_length=12), AfterValidator(_two_or_more)]
    no_data_color: Color = "#bdbdbd"

    @model_validator(mode="after")
    def _range(self) -> RampStyle:
        if number(self.vmin) is None or number(self.vmax) is None or self.vmin >= self.vmax:
            raise ValueError(
                f"vmin..vmax: {self.vmin}..{self.vmax} is not a finite range "
                "(min <= max, min != max)"
            )
        return self

    def color_at(self, value: float) -> str:
        """The colour of `value`, clamped to the ramp's range."""
        span = self.vmax - self.vmin
        t = 0.0 if span == 0 else min(max((value - self.vmin) / span, 0.0), 1.0)
        position = t * (len(self.colors) - 1)
        i = min(int(position), len(self.colors) - 2)
        frac = position - i
        low, high = _rgb(self.colors[i]), _rgb(self.colors[i + 1])
        mixed = (round(a + (b - a) * frac) for a, b in zip(low, high, strict=True))
        return "#" + "".join(f"{c:02x}" for c in mixed)

    def color_for(self, properties: Mapping[str, Any]) -> str:
        """The colour of a feature with these properties."""
        value = number(properties.get(self.property))
        return self.no_data_color if value is None else self.color_at(value)


class Category(Strict):
    """One value of the field and how it is drawn and named."""

    value: StrictBool | StrictInt | StrictStr
    color: Color
    label_zh: Text
    label_en: Text

    def label(self, lang: str) -> str:
        """The legend text in `lang`."""
        return pick(lang, self.label_zh, self.label_en)


class CategoryStyle(_Stroke):
    """A colour per value of a field; values not listed get `other_color`."""

    kind: Literal["categories"] = "categories"
    property: Slug
    categories: Annotated[list[Category], Field(min_length=1, max_length=64)]
    other_color: Color = "#bdbdbd"

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[Category]) -> list[Category]:
        seen: set[tuple[type, object]] = set()
        for category in value:
            key = (type(category.value), category.value)
            if key in seen:
                raise ValueError(f"category value {category.value!r} is listed twice")
            seen.add(key)
        return value

    def color_for(self, properties: Mapping[str, Any]) -> str:
        """The colour of a feature with these properties."""
        colors = {c.value: c.color for c in self.categories}
        try:
            return colors.get(properties.get(self.property), self.other_color)
        except TypeError:  # an unhashable value (list, dict) is no category
            return self.other_color


AnyStyle = FixedStyle | RampStyle | CategoryStyle
Style = Annotated[AnyStyle, Field(discriminator="kind")]
