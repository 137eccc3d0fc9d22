"""The OGC API of the app serving the demo district on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2 as httpx
import pytest


@pytest.fixture(scope="module")
def ogc(live_url: str, live_headers: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live_url}/ogc", timeout=120, headers=live_headers) as client:
        yield client
