"""Request and answer bodies of the editing API (docs/editing.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from gis_app.db.edit import EditContext
from gis_app.models.base import JURISDICTION_LEVELS, ORG_KINDS, ROOM_CATEGORIES, ROOM_STATUSES
from gis_app.models.request import RequestModel

Status = Literal[ROOM_STATUSES]  # type: ignore[valid-type]
Category = Literal[ROOM_CATEGORIES]  # type: ignore[valid-type]
Level = Literal[JURISDICTION_LEVELS]  # type: ignore[valid-type]
Kind = Literal[ORG_KINDS]  # type: ignore[valid-type]
Crs = Annotated[
    str,
    Field(
        max_length=60,
        description="CRS84 (lon/lat, default) or local (the floor plan's metres); any other: 400",
    ),
]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Number = Annotated[str, Field(min_length=1, max_length=24)]
Geometry = Annotated[dict[str, Any], Field(description="GeoJSON geometry")]


class EditBody(RequestModel):
    """What every change carries besides its own fields."""

    effective_date: date | None = Field(None, description="生效日期; default today, not later")
    document_no: Annotated[str | None, Field(max_length=100, description="文号")] = None
    note: Annotated[str | None, Field(max_length=500)] = None

    def context(self, action: str) -> EditContext:
        """The edit context of this change."""
        values = {"effective_date": self.effective_date, "document_no": self.document_no}
        values["note"] = self.note
        return EditContext(action=action, **{k: v for k, v in values.items() if v is not None})


class RoomChange(EditBody):
    """Only the fields given change; `organisation_id: null` releases the room."""

    number: Number | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    category: Category | None = None
    subtype: Annotated[str, Field(max_length=32)] | None = None
    status: Status | None = None
    organisation_id: Id | None = None
    serves_room_id: Id | None = None


class RoomSelection(EditBody):
    """Rooms by id, or every room of a floor."""

    room_ids: Annotated[list[Id], Field(max_length=2000)] | None = None
    floor_id: Id | None = None


class Allocation(RoomSelection):
    organisation_id: Id


class NewRoom(EditBody):
    number: Number
    name: Annotated[str, Field(max_length=200)] | None = None
    category: Category
    subtype: Annotated[str, Field(max_length=32)] | None = None
    status: Status = "vacant"
    organisation_id: Id | None = None
    serves_room_id: Id | None = None
    usable_area_m2: Annotated[float, Field(gt=0, le=100_000)] | None = None
    geometry: Geometry
    crs: Crs = "CRS84"


class Outline(EditBody):
    geometry: Geometry
    crs: Crs = "CRS84"
    usable_area_m2: Annotated[float, Field(gt=0, le=100_000)] | None = None


class SplitLine(EditBody):
    line: Geometry
    crs: Crs = "CRS84"
    numbers: (
        Annotated[list[Annotated[str, Field(min_length=1, max_length=24)]], Field(max_length=2)]
        | None
    ) = None


class Merge(EditBody):
    room_ids: Annotated[list[Id], Field(min_length=2, max_length=50)]
    number: Number | None = None


class NewStaff(EditBody):
    organisation_id: Id
    rank_code: Annotated[str, Field(min_length=1, max_length=40)]
    name: ShortText


class StaffChange(EditBody):
    organisation_id: Id | None = None
    rank_code: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    name: ShortText | None = None


class Move(EditBody):
    room_id: Id | None = Field(description="The room moved into; null ends the stay only")


Equivalence = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="An equivalence note of the standard (rank_equivalence.code), e.g. "
        "vice_ministerial_unit or provincial_division_dispatched; the body's level must be its",
    ),
]


class NewOrganisation(EditBody):
    code: Annotated[str, Field(min_length=1, max_length=40)]
    name: ShortText
    parent_id: Id | None = None
    level: Level
    kind: Kind
    authorised_staff: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    sub_provincial: bool = False
    equivalence: Equivalence | None = None


class OrganisationChange(EditBody):
    code: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    name: ShortText | None = None
    parent_id: Id | None = None
    level: Level | None = None
    kind: Kind | None = None
    authorised_staff: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    sub_provincial: bool | None = None
    equivalence: Equivalence | None = None


class ReallocationIn(EditBody):
    organisation_id: Id
    room_ids: Annotated[list[Id], Field(min_length=1, max_length=500)]
    request: dict[str, Any] = Field(description="The idle-space match request as asked")
    candidate: dict[str, Any] = Field(description="The candidate chosen from its answer")


class Undo(RequestModel):
    note: Annotated[str | None, Field(max_length=500)] = None


class Change(BaseModel):
    """One change to a row: who, when, which action and document, field by field."""

    id: int
    at: datetime
    who: str
    action: str | None
    table: str
    row_id: str | None
    operation: str
    effective_date: date | None
    document_no: str | None
    note: str | None
    changes: dict[str, dict[str, Any]]


class History(BaseModel):
    items: list[Change]
