"""Database access for request handlers: one session per request, from the engine the app
opened, always after the caller is known (so every transaction runs as them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis_app.http.auth import CallerDep


def get_engine(request: Request, _caller: CallerDep) -> Engine:
    """The engine opened by the app's lifespan (connected as the app's login role)."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request, _caller: CallerDep) -> Iterator[Session]:
    """A session that is closed when the request ends; writes use `session.begin()`."""
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
EngineDep = Annotated[Engine, Depends(get_engine)]
