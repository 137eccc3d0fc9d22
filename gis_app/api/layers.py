"""The map-layer catalog: every layer with its legend and popup in the reader's language,
and GeoJSON features of a vector layer by bbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from gis_app.accounts.rights import Right
from gis_app.api.features import GeoJSONResponse, feature_collection
from gis_app.http.auth import needs
from gis_app.http.language import api_language
from gis_app.http.params import MAX_INT, AsOf, BBoxDep, Page, PageDep
from gis_app.http.session import SessionDep
from gis_app.layers.catalog import LayerSpec, get_layer, load_catalog
from gis_app.layers.describe import LayerInfo, LayerList, describe
from gis_app.layers.query import Filters, layer_features
from gis_app.schemas.geojson import FeatureCollection

router = APIRouter(prefix="/api/v1/layers", tags=["layers"], dependencies=[needs(Right.READ)])

LayerId = Annotated[str, Path(max_length=40, description="Layer id, e.g. buildings_vacancy")]
FloorId = Annotated[
    int | None, Query(ge=1, le=MAX_INT, description="Only this floor (layers with floors: rooms)")
]
Ordinal = Annotated[
    int | None,
    Query(ge=-20, le=300, description="Only floors with this ordinal (0 = 1F, -1 = B1); rooms"),
]


def _info(request: Request, spec: LayerSpec) -> LayerInfo:
    lang = api_language(request)
    tiles = features = None
    if spec.delivery == "tiles":
        tiles = str(request.url_for("get_tile", layer=spec.id, z="{z}", x="{x}", y="{y}"))
    if spec.delivery != "raster":
        features = str(request.url_for("layer_features", layer_id=spec.id))
    return describe(spec, lang, tiles=tiles, features=features)


@router.get(
    "",
    operation_id="list_layers",
    response_model=LayerList,
    summary="Map layers / 图层目录",
)
def list_layers(request: Request) -> LayerList:
    """Every layer of the catalog (`layers/*.toml`): titles, legend and popup in the
    Accept-Language language, zoom range, and where its tiles or features are."""
    return LayerList(layers=[_info(request, s) for s in load_catalog().layers.values()])


@router.get(
    "/{layer_id}",
    operation_id="get_layer",
    response_model=LayerInfo,
    summary="One map layer / 单个图层",
)
def get_layer_route(request: Request, layer_id: LayerId) -> LayerInfo:
    """One layer; 404 naming the id when the catalog has none."""
    return _info(request, get_layer(layer_id))


@router.get(
    "/{layer_id}/features",
    operation_id="layer_features",
    name="layer_features",
    response_model=FeatureCollection,
    response_model_by_alias=True,
    response_class=GeoJSONResponse,
    summary="Layer features as GeoJSON by bbox / 按范围取图层要素",
)
def layer_features_route(
    request: Request,
    session: SessionDep,
    layer_id: LayerId,
    bbox: BBoxDep,
    page: PageDep,
    floor_id: FloorId = None,
    ordinal: Ordinal = None,
    as_of: AsOf = None,
) -> FeatureCollection:
    """Features meeting the box with every field of the layer's source, largest first, at
    most the layer's `max_features` a page. Tiled (large) layers need a bbox; an empty box
    is an empty collection."""
    spec = get_layer(layer_id)
    capped = Page(limit=min(page.limit, spec.max_features), offset=page.offset)
    rows, total = layer_features(
        session,
        spec,
        bbox,
        limit=capped.limit,
        offset=capped.offset,
        filters=Filters(floor_id=floor_id, ordinal=ordinal, as_of=as_of),
    )
    return feature_collection(request, rows, total, capped)
