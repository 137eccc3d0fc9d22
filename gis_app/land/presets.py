"""Saved land criteria (查询方案): kept under a unique name, listed, found and forgotten.

Writes run in the caller's transaction; a name already taken is a 422 naming `name`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gis_app.db.identity import current_identity
from gis_app.errors import InvalidParameter, NotFound
from gis_app.models import LandQueryPreset


def preset_out(preset: LandQueryPreset) -> dict[str, Any]:
    """The preset as the API shows it."""
    return {
        "id": preset.id,
        "name": preset.name,
        "kind": preset.kind,
        "criteria": preset.criteria,
        "updated_at": preset.updated_at.isoformat(),
        "shared": preset.owner_id is None,
    }


def find_preset(session: Session, preset_id: int) -> LandQueryPreset:
    """The preset; 404 naming it when there is none."""
    preset = session.get(LandQueryPreset, preset_id)
    if preset is None:
        raise NotFound(resource="preset", id=preset_id)
    return preset


def list_presets(session: Session) -> list[dict[str, Any]]:
    """The presets the caller may see (their own and the shared ones), by name."""
    presets = session.scalars(select(LandQueryPreset).order_by(LandQueryPreset.name))
    return [preset_out(p) for p in presets]


def save_preset(session: Session, name: str, kind: str, criteria: dict[str, Any]) -> dict[str, Any]:
    """Keep checked criteria under a name new to the caller, in one transaction; the
    preset is the caller's (commands, with no identity, save shared ones)."""
    identity = current_identity()
    owner = identity.user_id if identity is not None else None
    preset = LandQueryPreset(name=name, kind=kind, criteria=criteria, owner_id=owner)
    try:
        with session.begin():
            session.add(preset)
    except IntegrityError:
        raise InvalidParameter(field="name", reason="reason.preset_name_taken") from None
    return preset_out(preset)


def delete_preset(session: Session, preset_id: int) -> None:
    """Forget a preset (404 when there is none), in one transaction."""
    with session.begin():
        session.delete(find_preset(session, preset_id))
