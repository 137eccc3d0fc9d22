"""User-facing text: Simplified Chinese first, English second, from one catalogue per language."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


@cache
def _catalogue(lang: str) -> dict[str, str]:
    text = resources.files("gis_app.locales").joinpath(f"{lang}.json").read_text("utf-8")
    return json.loads(text)


def pick_language(accept_language: str | None) -> str:
    """The first supported language in an Accept-Language header (Chinese by default)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh-CN"
    return DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Message `key` in `lang`, falling back to Chinese, then to the key itself."""
    template = _catalogue(lang).get(key) or _catalogue(DEFAULT_LANGUAGE).get(key) or key
    return template.format(**values)
