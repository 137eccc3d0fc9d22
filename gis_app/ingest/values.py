"""File cells as the text the database casts to each column's type, or a problem naming the
field: a number that is no number, a date that is no date, a code outside its vocabulary,
a value out of the column's range, text longer than the column."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

import numpy as np

from gis_app.ingest.targets import Field

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")


class BadCell(ValueError):
    """A cell that does not fit its field: `code` is the problem code, `detail` says why."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(code, detail)
        self.code, self.detail = code, detail


def as_text(value: object) -> str | None:
    """A cell as text: None for nulls, NaN/NaT and blanks; 3.0 as "3"; dates as ISO."""
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if float(value).is_integer():
            value = int(value)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        value = np.datetime_as_string(value, unit="D")
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).strip()
    return text or None


def _number(text: str, spec: Field) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadCell("bad_value", text) from None
    if not number.is_finite():
        raise BadCell("bad_value", text)
    if spec.type == "int":
        if number != number.to_integral_value():
            raise BadCell("bad_value", text)
        number = number.to_integral_value()
    low_ok = spec.low is None or (number > spec.low if spec.low_open else number >= spec.low)
    if not low_ok or (spec.high is not None and number > spec.high):
        bracket = "(" if spec.low_open else "["
        raise BadCell("out_of_range", f"{text} ∉ {bracket}{spec.low}, {spec.high}]")
    return number


def _date(text: str) -> str:
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        raise BadCell("bad_value", text) from None


def convert(text: str, spec: Field) -> str:
    """`text` as the database should receive it; raises `BadCell`."""
    if spec.type in ("int", "decimal"):
        return str(_number(text, spec))
    if spec.type == "date":
        return _date(text)
    if spec.type == "code":
        for allowed in spec.vocabulary:
            if allowed.casefold() == text.casefold():
                return allowed
        raise BadCell("unknown_code", text)
    if spec.max_length is not None and len(text) > spec.max_length:
        raise BadCell("too_long", f"{len(text)} > {spec.max_length}")
    return text


def _numbers_at_once(column: np.ndarray, spec: Field) -> tuple[list[str | None], list[int]]:
    """A numeric column's cells as text, checked as whole arrays; the positions that need
    the per-cell path (non-integral where an integer is wanted, out of range, ±inf)."""
    values = column.astype(np.float64)
    missing = np.isnan(values)
    with np.errstate(invalid="ignore"):
        slow = ~missing & ~np.isfinite(values)
        if spec.type == "int":
            slow |= ~missing & (values != np.round(values))
        if spec.low is not None:
            low = float(spec.low)
            slow |= ~missing & ((values <= low) if spec.low_open else (values < low))
        if spec.high is not None:
            slow |= ~missing & (values > float(spec.high))
    integral = np.issubdtype(column.dtype, np.integer)
    out: list[str | None] = [
        None if gone else (str(int(v)) if integral or v.is_integer() else str(v))
        for v, gone in zip(column.tolist(), missing.tolist(), strict=True)
    ]
    return out, np.flatnonzero(slow).tolist()


def convert_column(
    column: np.ndarray, spec: Field
) -> tuple[list[str | None], list[tuple[int, BadCell]]]:
    """Every cell of a file column as `convert` makes it (None for empty cells), and the
    cells that do not fit. Numeric columns of numeric fields are checked as arrays; text
    cells go one by one, each distinct value converted once."""
    bad: list[tuple[int, BadCell]] = []
    cells = column.tolist()
    if spec.type in ("int", "decimal") and column.dtype.kind in "iuf":
        out, positions = _numbers_at_once(column, spec)
    elif spec.type == "text" and all(isinstance(c, str) for c in cells):
        out = [c.strip() or None for c in cells]
        limit = spec.max_length
        positions = [i for i, v in enumerate(out) if v and limit and len(v) > limit]
    else:
        out, positions = [None] * len(column), list(range(len(column)))
    cache: dict[tuple[type, object], str | BadCell | None] = {}
    for i in positions:
        cell = cells[i]
        key = (type(cell), cell)
        try:
            known = cache[key]
        except (KeyError, TypeError):
            text = as_text(cell)
            try:
                known = None if text is None else convert(text, spec)
            except BadCell as problem:
                known = problem
            with contextlib.suppress(TypeError):
                cache[key] = known
        if isinstance(known, BadCell):
            out[i] = None
            bad.append((i, known))
        else:
            out[i] = known
    return out, bad
