"""The base of every request body: what all of them refuse before any of them is used."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    """Unknown members are refused, and so is NaN or ±Infinity in any number, nested lists
    and maps included (JSON as Python reads it allows both, and each answers silently wrong:
    `max: NaN` matches every parcel, `ideal: NaN` scores every one 1.0). Subclasses add to
    this config; pydantic merges it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
