"""JSON a user sends (form fields holding JSON, uploaded GeoJSON and IMDF files, request
bodies), read without trusting it: nesting deeper than `MAX_DEPTH` is refused before any
parser recurses into it (Python's raises RecursionError, a 500, near 1000 levels), and
NaN or ±Infinity, which the JSON standard does not have, are refused as not JSON.

Both refusals are `json.JSONDecodeError`s, so each caller names its own field exactly as
it does for any other text that is not JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

MAX_DEPTH = 64
"""Far above what any input of the app needs (a GeoJSON MultiPolygon in a feature
collection is 7 deep)."""
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPEN = np.zeros(256, dtype=np.int8)
_OPEN[[ord("["), ord("{")]] = 1
_OPEN[[ord("]"), ord("}")]] = -1


class JsonTooDeep(json.JSONDecodeError):
    """Nested deeper than the limit."""


def depth(text: str | bytes) -> int:
    """The deepest nesting of arrays and objects in `text`, brackets inside strings not
    counted; linear in the text's length and recursing nowhere."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if b"[" not in data and b"{" not in data:
        return 0
    bare = _STRINGS.sub(b'""', data)
    steps = _OPEN[np.frombuffer(bare, dtype=np.uint8)]
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def check_depth(text: str | bytes, max_depth: int = MAX_DEPTH) -> None:
    """Raise `JsonTooDeep` when `text` nests deeper than `max_depth`."""
    found = depth(text)
    if found > max_depth:
        shown = text if isinstance(text, str) else text[:200].decode("utf-8", "replace")
        raise JsonTooDeep(f"nested {found} levels deep, more than {max_depth}", shown[:200], 0)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` once the nesting is within `max_depth`; NaN and Infinity refused."""
    check_depth(text, max_depth)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        shown = text if isinstance(text, str) else text[:200].decode("utf-8", "replace")
        raise json.JSONDecodeError(str(exc), shown[:200], 0) from None
