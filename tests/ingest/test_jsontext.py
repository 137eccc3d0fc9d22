"""The one reader of JSON users send: depth measured without recursion, NaN refused."""

from __future__ import annotations

import json

import pytest

from gis_app.ingest import jsontext


def test_depth_ignores_brackets_in_strings() -> None:
    assert jsontext.depth('{"a": "[[[[[[", "b": [[1]]}') == 3
    assert jsontext.depth('"\\"[[["') == 0
    assert jsontext.depth(b"[" * 100_000) == 100_000


def test_loads_refuses_too_deep_before_parsing() -> None:
    with pytest.raises(json.JSONDecodeError, match="levels deep"):
        jsontext.loads("[" * 100_000 + "]" * 100_000)
    assert jsontext.loads("[" * 64 + "]" * 64) is not None


@pytest.mark.parametrize("text", ["[NaN]", '{"a": Infinity}', "-Infinity"])
def test_loads_refuses_what_json_does_not_have(text: str) -> None:
    with pytest.raises(json.JSONDecodeError, match="not a JSON number"):
        jsontext.loads(text)
