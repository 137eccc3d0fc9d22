"""The caller's own account: who they are, their password, their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from gis_app.accounts.credentials import password_matches
from gis_app.accounts.rights import ROLE_RIGHTS, Right
from gis_app.accounts.users import create_token, revoke_token, set_password
from gis_app.errors import InvalidParameter, NotFound
from gis_app.http.auth import CallerDep, needs
from gis_app.http.params import IdPath
from gis_app.http.session import SessionDep
from gis_app.models import ApiToken, AppUser, Organisation, UserCredential

router = APIRouter(prefix="/api/v1/me", tags=["account"], dependencies=[needs(Right.READ)])


class Me(BaseModel):
    """The signed-in user as they may see themselves."""

    login: str
    display_name: str
    role: str
    organisation: str | None = Field(description="Code of the body at the root of the scope")
    rights: list[str]


class PasswordChange(BaseModel):
    current_password: Annotated[str, Field(max_length=256)]
    new_password: Annotated[str, Field(max_length=256)]


class TokenIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    expires_days: Annotated[float | None, Field(gt=0, le=3650, allow_inf_nan=False)] = 90


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(BaseModel):
    id: int
    token: str = Field(description="Shown once; only its hash is kept")
    expires_at: datetime | None


def _user(session: Any, caller: Any) -> AppUser:
    user = session.get(AppUser, caller.identity.user_id)
    assert user is not None
    return user


@router.get("", operation_id="me", summary="当前用户 / Who am I")
def me(caller: CallerDep, session: SessionDep) -> Me:
    """The caller's login, role, scope and rights."""
    user = _user(session, caller)
    code = session.scalar(select(Organisation.code).where(Organisation.id == user.organisation_id))
    return Me(
        login=user.login,
        display_name=user.display_name,
        role=user.role,
        organisation=code,
        rights=sorted(r.value for r in ROLE_RIGHTS[user.role] if r is not Right.PUBLIC),
    )


@router.post("/password", operation_id="change_password", status_code=204)
def change_password(body: PasswordChange, caller: CallerDep, session: SessionDep) -> Response:
    """Change one's password (the current one is required); every session ends."""
    user = _user(session, caller)
    credential = session.get(UserCredential, user.id)
    if credential is None or not password_matches(credential.password_hash, body.current_password):
        raise InvalidParameter(field="current_password", reason="reason.password_wrong")
    set_password(session, user, body.new_password)
    session.commit()
    return Response(status_code=204)


@router.get("/tokens", operation_id="list_my_tokens", summary="我的令牌 / My API tokens")
def list_tokens(caller: CallerDep, session: SessionDep) -> list[TokenOut]:
    """The caller's tokens (never the secrets)."""
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == caller.identity.user_id).order_by(ApiToken.id)
    )
    return [TokenOut.model_validate(tok, from_attributes=True) for tok in tokens]


@router.post("/tokens", operation_id="create_my_token", status_code=201)
def new_token(body: TokenIn, caller: CallerDep, session: SessionDep) -> NewTokenOut:
    """A token for a script or a GIS client (QGIS, GDAL), shown once."""
    made = create_token(session, _user(session, caller), body.name, body.expires_days)
    session.commit()
    return NewTokenOut(id=made.id, token=made.secret, expires_at=made.expires_at)


@router.delete("/tokens/{token_id}", operation_id="revoke_my_token", status_code=204)
def revoke(token_id: IdPath, caller: CallerDep, session: SessionDep) -> Response:
    """Revoke one of one's own tokens."""
    owner = session.scalar(select(ApiToken.user_id).where(ApiToken.id == token_id))
    if owner != caller.identity.user_id:
        raise NotFound(resource="token", id=token_id)
    revoke_token(session, token_id)
    session.commit()
    return Response(status_code=204)
