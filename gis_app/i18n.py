"""User-facing text: Simplified Chinese first, English second, from one catalogue per language."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


@cache
def _catalogue(lang: str) -> dict[str, str]:
    """`locales/<lang>.json` plus every `locales/<lang>/*.json` (one file per part of the
    app, so parts can grow their texts side by side); a key defined twice is an error."""
    root = resources.files("gis_app.locales")
    merged: dict[str, str] = json.loads(root.joinpath(f"{lang}.json").read_text("utf-8"))
    folder = root.joinpath(lang)
    parts = sorted(folder.iterdir(), key=lambda f: f.name) if folder.is_dir() else []
    for part in parts:
        if part.name.endswith(".json"):
            texts = json.loads(part.read_text("utf-8"))
            twice = merged.keys() & texts.keys()
            if twice:
                raise ValueError(f"locales/{lang}/{part.name} redefines {sorted(twice)}")
            merged.update(texts)
    return merged


def catalogue(lang: str) -> dict[str, str]:
    """Every text of `lang` (a copy): for checks that both languages say the same things."""
    return dict(_catalogue(lang))


def pick_language(accept_language: str | None) -> str:
    """The first supported language in an Accept-Language header (Chinese by default)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh-CN"
    return DEFAULT_LANGUAGE


def language_of(headers: Mapping[str, str]) -> str:
    """The language a request's Accept-Language header asks for (Chinese by default)."""
    return pick_language(headers.get("accept-language"))


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Message `key` in `lang`, falling back to Chinese, then to the key itself."""
    template = _catalogue(lang).get(key) or _catalogue(DEFAULT_LANGUAGE).get(key) or key
    return template.format(**values)
