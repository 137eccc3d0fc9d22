"""Map exports: catalog layers over a chosen view as one standalone HTML file (works from
disk with no server and no network) or as a PNG drawn by system Chromium."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from gis_app.accounts.rights import Right
from gis_app.errors import InvalidParameter
from gis_app.http.auth import needs
from gis_app.http.language import Language
from gis_app.http.openapi import HTML_MEDIA_TYPE, PNG_MEDIA_TYPE, answers
from gis_app.http.params import BBoxDep
from gis_app.http.session import SessionDep
from gis_app.maps.catalog_map import catalog_map
from gis_app.maps.export import CHROMIUM, screenshot, standalone_html

router = APIRouter(prefix="/api/v1/maps", tags=["maps"], dependencies=[needs(Right.READ)])


@router.get(
    "/export",
    operation_id="export_map",
    summary="地图导出 / Export a map view",
    responses=answers(HTML_MEDIA_TYPE, PNG_MEDIA_TYPE),
)
def export_map(
    session: SessionDep,
    lang: Language,
    bbox: BBoxDep,
    layers: Annotated[str, Query(min_length=1, max_length=500, description="Layer ids, a,b,c")],
    format: Annotated[Literal["html", "png"], Query()] = "html",
    width: Annotated[int, Query(ge=200, le=4000)] = 1200,
    height: Annotated[int, Query(ge=200, le=4000)] = 800,
) -> Response:
    """The layers (ids from GET /api/v1/layers; unknown ones are a 404 naming them) inside
    `bbox`, their features written into the file; raster overlays are left out of it."""
    if bbox is None:
        raise InvalidParameter(field="bbox", reason="reason.missing", column="bbox")
    ids = [i.strip() for i in layers.split(",") if i.strip()]
    fmap = catalog_map(ids, lang, bbox, session=session, inline=True)
    page = standalone_html(fmap)
    if format == "html":
        return Response(
            page,
            media_type="text/html; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="map.html"'},
        )
    if not CHROMIUM.exists():
        raise InvalidParameter(field="format", reason="reason.no_browser")
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "map.html"
        html.write_text(page, encoding="utf-8")
        png = screenshot(html, Path(folder) / "map.png", width, height, bounds=bbox)
        return Response(png.read_bytes(), media_type="image/png")
