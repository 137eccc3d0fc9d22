"""Both languages say the same things: every text exists in Chinese and in English, with the
same placeholders, across the main catalogue and the per-part files."""

from __future__ import annotations

import string

from gis_app.i18n import LANGUAGES, catalogue, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_languages_have_the_same_keys_and_placeholders() -> None:
    zh, en = (catalogue(lang) for lang in LANGUAGES)
    assert sorted(zh.keys() - en.keys()) == []
    assert sorted(en.keys() - zh.keys()) == []
    differing = [k for k in zh if _fields(zh[k]) != _fields(en[k])]
    assert differing == []


def test_missing_key_falls_back_to_the_key() -> None:
    assert t("no.such.key", "en") == "no.such.key"
