"""Bodies: add, change, end, and a body's history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gis_app.accounts.rights import Right
from gis_app.api.rooms import given
from gis_app.db.edit import editing
from gis_app.editing import organisations
from gis_app.editing.history import history
from gis_app.http.auth import needs
from gis_app.http.params import IdPath
from gis_app.http.session import SessionDep
from gis_app.schemas.edits import EditBody, History, NewOrganisation, OrganisationChange

router = APIRouter(
    prefix="/api/v1/organisations", tags=["organisations"], dependencies=[needs(Right.READ)]
)
EDIT = [needs(Right.EDIT)]


@router.post(
    "",
    operation_id="add_organisation",
    dependencies=EDIT,
    status_code=201,
    summary="新增单位 / Add a body",
)
def add(body: NewOrganisation, session: SessionDep) -> dict[str, Any]:
    """A new body under one in the caller's scope (top level: whole-system roles)."""
    fields = body.model_dump(exclude=set(EditBody.model_fields))
    with editing(session, body.context("organisation.add")):
        return organisations.add_organisation(session, fields)


@router.patch(
    "/{organisation_id}",
    operation_id="update_organisation",
    dependencies=EDIT,
    summary="修改单位 / Change a body",
)
def update(
    organisation_id: IdPath, body: OrganisationChange, session: SessionDep
) -> dict[str, Any]:
    """Name, code, parent, level, kind, authorised staff or sub-provincial standing."""
    with editing(session, body.context("organisation.update")):
        return organisations.edit_organisation(session, organisation_id, given(body))


@router.post(
    "/{organisation_id}/end",
    operation_id="end_organisation",
    dependencies=EDIT,
    summary="撤销单位 / End a body",
)
def end(organisation_id: IdPath, body: EditBody, session: SessionDep) -> dict[str, Any]:
    """The body ends on the effective date (refused while it holds rooms or staff)."""
    with editing(session, body.context("organisation.end")):
        return organisations.end_organisation(session, organisation_id)


@router.get(
    "/{organisation_id}/history",
    operation_id="organisation_history",
    summary="单位变更记录 / A body's history",
)
def organisation_history(organisation_id: IdPath, session: SessionDep) -> History:
    """Every change of the body's record, newest first."""
    with session.begin():
        return History(items=history(session, "organisation", organisation_id))
