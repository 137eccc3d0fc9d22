"""The map-layer catalog: one TOML file per layer in `layers/`, validated by these models
and the style's (`gis_app.layers.style`).

The models are the schema. Unknown keys are refused (a misspelt key would otherwise be
silently ignored), colours must be #hex codes (they end up in the page's CSS and script),
ids are slugs (they end up in URLs and tile layer names), zoom ranges must be sane, and
every field a style, legend or popup names must be one the source provides, of the right
kind. A file that breaks any rule stops the load with an error naming the file and field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from gis_app.config import PROJECT_ROOT
from gis_app.errors import NotFound, field_path
from gis_app.i18n import t
from gis_app.layers.fields import Slug, Strict, Text, pick
from gis_app.layers.grid import MAX_ZOOM
from gis_app.layers.sources import ANALYSES, RASTER_FIELDS, TABLES, FieldKind, source_def
from gis_app.layers.style import CategoryStyle, RampStyle, Style

LAYERS_DIR = PROJECT_ROOT / "layers"
"""Where the shipped layer files live."""

Zoom = Annotated[int, Field(ge=0, le=MAX_ZOOM)]
Lang = Literal["zh-CN", "en"]


# --- sources ------------------------------------------------------------------------------


class TableSource(Strict):
    """Rows of a table (collection), e.g. `building`, `land_parcel`, `room`."""

    kind: Literal["table"]
    table: str

    @field_validator("table")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in TABLES:
            raise ValueError(f"unknown table {value!r} (one of: {', '.join(TABLES)})")
        return value


class AnalysisSource(Strict):
    """An office-space analysis per place, as its report computes it."""

    kind: Literal["analysis"]
    analysis: Literal["vacancy", "over_standard", "safety"]
    level: Literal["building"] = "building"


class RasterSource(Strict):
    """A registered raster (its code in `raster_layer`), drawn as an image overlay."""

    kind: Literal["raster"]
    raster: Slug
    render: Literal["values", "hillshade"] = "values"
    opacity: Annotated[float, Field(ge=0, le=1)] = 0.7


Source = Annotated[TableSource | AnalysisSource | RasterSource, Field(discriminator="kind")]


# --- legend, popup (the style is `gis_app.layers.style`) -----------------------------------


class Legend(Strict):
    """The legend entry of a layer: caption, unit and how its numbers read."""

    show: bool = True
    caption_zh: Text | None = None
    caption_en: Text | None = None
    unit: Annotated[str, Field(max_length=16)] | None = None
    format: Literal["number", "percent"] = "number"
    no_data: bool = True
    """Show the swatch for features with no value (ramp) or an unlisted one (categories)."""
    no_data_label_zh: Text | None = None
    no_data_label_en: Text | None = None
    """What that swatch says (default 无数据 / 其他); e.g. why a building has no value."""

    def no_data_label(self, lang: str, default_key: str) -> str:
        """The no-data swatch's text in `lang`."""
        if self.no_data_label_zh:
            return pick(lang, self.no_data_label_zh, self.no_data_label_en)
        return t(default_key, lang)


class PopupField(Strict):
    """A field shown when a feature is clicked (and, with `tooltip`, on hover)."""

    field: Slug
    field_en: Slug | None = None
    """Field shown instead on English pages (e.g. `landuse_name_en`)."""
    label_zh: Text
    label_en: Text
    unit: Annotated[str, Field(max_length=16)] | None = None
    format: Literal["text", "number", "percent", "yesno"] = "text"
    digits: Annotated[int, Field(ge=0, le=6)] = 1
    tooltip: bool = False

    def shown_field(self, lang: str) -> str:
        """The field read for a page in `lang`."""
        return self.field_en if lang == "en" and self.field_en else self.field


# --- the layer ----------------------------------------------------------------------------

Delivery = Literal["tiles", "geojson", "raster"]
GeometryKind = Literal["point", "line", "polygon", "raster"]
_FORMAT_KINDS: dict[str, tuple[FieldKind, ...]] = {
    "text": ("text", "number", "bool"),
    "number": ("number",),
    "percent": ("number",),
    "yesno": ("bool",),
}


class LayerSpec(Strict):
    """One map layer: what it shows, where from, how it is drawn and at which zooms."""

    id: Slug
    title_zh: Text
    title_en: Text
    description_zh: Annotated[str, Field(max_length=1000)] = ""
    description_en: Annotated[str, Field(max_length=1000)] = ""
    geometry: GeometryKind
    delivery: Delivery
    """`tiles` for large layers (MVT), `geojson` for small ones (features by bbox)."""
    source: Source
    style: Style
    legend: Legend = Legend()
    popup: list[PopupField] = []
    min_zoom: Zoom = 0
    max_zoom: Zoom = 22
    visible: bool = False
    """Whether the layer is on when a map opens."""
    max_features: Annotated[int, Field(ge=1, le=50_000)] = 5_000
    """Most features one tile (or one GeoJSON request) carries; the most important first."""

    @model_validator(mode="after")
    def _consistent(self) -> LayerSpec:
        if self.min_zoom > self.max_zoom:
            raise ValueError(f"min_zoom: {self.min_zoom} is above max_zoom ({self.max_zoom})")
        raster = isinstance(self.source, RasterSource)
        if raster != (self.geometry == "raster") or raster != (self.delivery == "raster"):
            raise ValueError("geometry, delivery: 'raster' goes with a raster source, only")
        if not raster and self.geometry != self.definition_geometry():
            raise ValueError(
                f"geometry: {self.geometry!r} does not match the source's "
                f"({self.definition_geometry()!r})"
            )
        self._check_fields()
        return self

    def definition_geometry(self) -> str:
        """Geometry type the (vector) source provides."""
        source = self.source
        assert not isinstance(source, RasterSource)
        if isinstance(source, TableSource):
            return source_def("table", source.table).geometry
        return source_def("analysis", source.analysis, source.level).geometry

    def source_fields(self) -> dict[str, FieldKind]:
        """Every field the source provides, with its kind."""
        source = self.source
        if isinstance(source, RasterSource):
            return RASTER_FIELDS[source.render]
        if isinstance(source, TableSource):
            fields = source_def("table", source.table).fields
        else:
            fields = ANALYSES[(source.analysis, source.level)].fields
        return {name: f.kind for name, f in fields.items()}

    def _check_fields(self) -> None:
        provided = self.source_fields()

        def need(name: str, where: str, kinds: tuple[FieldKind, ...]) -> None:
            if name not in provided:
                raise ValueError(
                    f"{where}: the source has no field {name!r} (it has: {', '.join(provided)})"
                )
            if provided[name] not in kinds:
                raise ValueError(f"{where}: field {name!r} is {provided[name]}, not {kinds[0]}")

        style = self.style
        if isinstance(style, RampStyle):
            need(style.property, "style.property", ("number",))
        elif isinstance(style, CategoryStyle):
            need(style.property, "style.property", ("text", "number", "bool"))
        elif isinstance(self.source, RasterSource):
            raise ValueError("style: a raster overlay needs a ramp")
        for i, item in enumerate(self.popup):
            kinds = _FORMAT_KINDS[item.format]
            need(item.field, f"popup[{i}].field", kinds)
            if item.field_en:
                need(item.field_en, f"popup[{i}].field_en", kinds)

    def title(self, lang: str) -> str:
        """Title in `lang`."""
        return pick(lang, self.title_zh, self.title_en)

    def description(self, lang: str) -> str:
        """Description in `lang`."""
        return pick(lang, self.description_zh, self.description_en)

    def used_fields(self) -> list[str]:
        """Fields a map of this layer reads (style and popup, both languages)."""
        names = [getattr(self.style, "property", None)]
        for item in self.popup:
            names += [item.field, item.field_en]
        return list(dict.fromkeys(n for n in names if n))


# --- loading ------------------------------------------------------------------------------


class CatalogError(ValueError):
    """A layer file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Catalog:
    """Every layer, in file-name order."""

    layers: dict[str, LayerSpec]

    def get(self, layer_id: str) -> LayerSpec | None:
        """The layer with this id, or None."""
        return self.layers.get(layer_id)


def load_layer(path: Path) -> LayerSpec:
    """One layer file, validated; CatalogError naming the file and field when it is wrong."""
    name = f"{path.parent.name}/{path.name}"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{name}: not valid TOML: {exc}") from None
    try:
        spec = LayerSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_problem(err) for err in exc.errors())
        raise CatalogError(f"{name}: {problems}") from None
    if spec.id != path.stem:
        raise CatalogError(f"{name}: id: {spec.id!r} must match the file name {path.stem!r}")
    return spec


_TAGS = {"table", "analysis", "raster", "fixed", "ramp", "categories"}


def _problem(err: ErrorDetails) -> str:
    """`field: reason`; rules across fields name their field in the reason itself."""
    error = (err.get("ctx") or {}).get("error")
    reason = str(error) if err["type"] == "value_error" and error else err["msg"]
    loc = list(err["loc"])
    if len(loc) > 1 and loc[0] in ("source", "style") and loc[1] in _TAGS:
        del loc[1]  # the union member pydantic tried: the file never says it
    where = field_path(loc)
    return f"{where}: {reason}" if where else reason


@lru_cache
def load_catalog(folder: Path = LAYERS_DIR) -> Catalog:
    """Every `*.toml` in `folder` (cached: layer files change with a deployment, not while
    the app runs)."""
    files = sorted(folder.glob("*.toml"))
    return Catalog(layers={path.stem: load_layer(path) for path in files})


def get_layer(layer_id: str, folder: Path = LAYERS_DIR) -> LayerSpec:
    """The layer with this id; 404 naming the id when the catalog has none."""
    spec = load_catalog(folder).get(layer_id)
    if spec is None:
        raise NotFound(resource="layer", id=layer_id)
    return spec
