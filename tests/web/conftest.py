"""Browser tests: the app served on a loopback port over the demo district (`sample_db`),
driven by system Chromium through Playwright. Every page a test opens is watched: a request
that would leave 127.0.0.1 is blocked, and it, any console error, script error or failed
local request fails the test after it ran."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from gis_app.maps.export import CHROMIUM, CHROMIUM_ARGS, BrowserReport, watched_page
from tests.artifacts import ARTIFACTS
from tests.auth import auth_headers


@pytest.fixture(scope="module")
def browser():
    """System Chromium (scripts/ensure-system.sh installs it); no browser is downloaded.
    One per module: a Playwright kept open for the session would leave its event loop
    running under later tests that drive a browser of their own (map PNG export)."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (scripts/ensure-system.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        yield chromium
        chromium.close()


class Watched:
    """A page and what went wrong on it; `shot(name)` saves a screenshot artifact."""

    def __init__(self, page, report: BrowserReport, base: str) -> None:
        self.page = page
        self.report = report
        self.base = base

    def open(self, path: str) -> None:
        self.page.goto(self.base + path, wait_until="load")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"web_{name}.png"))


@pytest.fixture
def web(browser, live_url: str, live_headers: dict[str, str]) -> Iterator[Watched]:
    """A fresh 1400 × 900 page in a Chinese browser; the test fails afterwards on anything
    the page did wrong."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 900},
        device_scale_factor=1,
        service_workers="block",
        locale="zh-CN",
        extra_http_headers=live_headers,
    )
    context.set_default_timeout(20_000)
    report = BrowserReport()
    watched = Watched(watched_page(context, report), report, live_url)
    yield watched
    context.close()
    assert report.problems() == []


@pytest.fixture
def web_as(browser, live_url: str, sample_db: dict) -> Iterator[Callable[..., Watched]]:
    """`web_as(role, org_code, width=1400, height=900)`: a watched Chinese page of that size
    signed in as that user (made once); every page opened fails the test afterwards on
    anything it did wrong."""
    opened: list[tuple] = []

    def open_as(
        role: str = "admin", org_code: str | None = None, width: int = 1400, height: int = 900
    ) -> Watched:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            service_workers="block",
            locale="zh-CN",
            extra_http_headers=auth_headers(sample_db["url"], role, org_code),
        )
        context.set_default_timeout(20_000)
        report = BrowserReport()
        opened.append((context, report))
        return Watched(watched_page(context, report), report, live_url)

    yield open_as
    for context, report in opened:
        context.close()
        assert report.problems() == []
