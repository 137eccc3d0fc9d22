"""The reader's language, as a route dependency: API routes follow Accept-Language (a query
parameter would be an unknown parameter to OGC clients); pages also take `?lang=`, which is
their language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gis_app.i18n import LANGUAGES, language_of


def api_language(request: Request) -> str:
    """zh-CN or en from the Accept-Language header."""
    return language_of(request.headers)


def page_language(request: Request) -> str:
    """`?lang=` when given (the language switch), else the browser's Accept-Language."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGUAGES else language_of(request.headers)


Language = Annotated[str, Depends(api_language)]
PageLanguage = Annotated[str, Depends(page_language)]
