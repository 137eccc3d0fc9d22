"""The checked value types of layer files and map styles: slugs, #hex colours, short texts.

Colours must be #hex codes because they end up inside a page's CSS and script; ids are slugs
because they end up in URLs and tile layer names.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_SLUG = re.compile(r"[a-z][a-z0-9_]{0,39}")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


class Strict(BaseModel):
    """Unknown keys are refused (a misspelt key would otherwise be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a slug (a lower-case letter, then lower-case letters, digits "
            "or _, at most 40)"
        )
    return value


def check_color(value: Any) -> str:
    """`value` in lower case if it is a #rgb or #rrggbb code; anything else could inject
    markup."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ValueError(f"{value!r} is not a #rgb or #rrggbb colour")
    return value.lower()


def pick(lang: str, zh: str, en: str | None) -> str:
    """Chinese unless English is asked for and given."""
    return en if lang == "en" and en else zh


Slug = Annotated[str, AfterValidator(_slug)]
Color = Annotated[str, AfterValidator(check_color)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
