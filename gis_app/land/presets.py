"""Saved land criteria (查询方案): kept under a unique name, listed, found and forgotten.

Writes run in the caller's transaction; a name already taken is a 422 naming `name`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
    }


def find_preset(session: Session, preset_id: int) -> LandQueryPreset:
    """The preset; 404 naming it when there is none."""
    preset = session.get(LandQueryPreset, preset_id)
    if preset is None:
        raise NotFound(resource="preset", id=preset_id)
    return preset


def list_presets(session: Session) -> list[dict[str, Any]]:
    """Every preset, by name."""
    presets = session.scalars(select(LandQueryPreset).order_by(LandQueryPreset.name))
    return [preset_out(p) for p in presets]


def save_preset(session: Session, name: str, kind: str, criteria: dict[str, Any]) -> dict[str, Any]:
    """Keep checked criteria under a new name, in one transaction."""
    preset = LandQueryPreset(name=name, kind=kind, criteria=criteria)
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
