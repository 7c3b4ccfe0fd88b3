"""Driving the site in Chromium: the browser fixture, a page with its problems watched, axe.

Shared by the site's browser tests (tests/test_site_browser.py) and the study pages' ones
(tests/test_study_browser.py); a test module imports `browser` to use the fixture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from builder.site import render_site

from . import chromium
from .fixtures import deck_files, decks_for, palaces

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

SERIOUS = {"serious", "critical"}
STEADY = dt.datetime(2026, 3, 16, 14, 0, tzinfo=dt.UTC)  # 11:30 in St. John's, 14:00 in UTC
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        chromium.unavailable("the playwright package is not installed")
        raise
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


def write_site(root: Path, *sources: Path) -> Path:
    """The site of the palaces in `sources`, written as the build would, decks included."""
    found = palaces(*sources)
    for path, data in {**render_site(found, decks_for(found)), **deck_files(found)}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


@dataclass
class Watch:
    """What went wrong on a page while it was open."""

    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, page: Page, expected_status: int = 200) -> None:
        page.on(
            "console",
            lambda m: (
                self.console.append(f"{m.text} [{m.location.get('url')}]")
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.console.append(str(error)))
        page.on("dialog", self._dialog)
        page.on("requestfailed", self._request_failed)
        page.on(
            "response",
            lambda r: (
                self.failed.append(f"{r.url}: {r.status}")
                if r.status >= 400
                and not (r.request.is_navigation_request() and r.status == expected_status)
                else None
            ),
        )

    def _request_failed(self, request: Any) -> None:
        # net::ERR_ABORTED is a request cut short because the test left the page (a favicon
        # still loading, say): not a fault of the site. Blocked or missing files still count.
        if request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.url}: {request.failure}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def run_axe(page: Page, script: str) -> list[str]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(script)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def new_page(browser: Browser, **options: Any) -> tuple[BrowserContext, Page, Watch]:
    context = browser.new_context(**{"viewport": DESKTOP, **options})
    context.set_default_timeout(15_000)
    # The study pages count "today" to the learner's midnight: on the real clock, a test run
    # near one (23:5x in St. John's is 03:2x UTC) saw its 10-minute learning cards go to the
    # next day. Time flows from STEADY, far from midnight in every zone the tests use.
    context.clock.install(time=STEADY)
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    return context, page, watch


@contextmanager
def checked_page(browser: Browser, **options: Any) -> Iterator[Page]:
    """A new page (`new_page`) for the block; after it, nothing may have gone wrong on it."""
    context, page, watch = new_page(browser, **options)
    yield page
    problems = watch.console + watch.failed + watch.dialogs
    context.close()
    assert problems == [], "the page logged errors, failed requests or opened dialogs"


def background(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def change_fragment(page: Page, url: str) -> None:
    """Go to `url`, the open page with another fragment, as a learner editing the address does,
    and return once the page has handled the `hashchange`. Playwright's `goto` returns as soon as
    the address changes, before the event; a key pressed then reaches the old state."""
    here, there = page.url.partition("#"), url.partition("#")
    assert here[0] == there[0] and here[2] != there[2], f"{url}: not {page.url}, another fragment"
    page.evaluate(
        """url => new Promise(resolve => {
            // added after the page's own listener, so it runs once that one has
            window.addEventListener("hashchange", () => resolve(), { once: true });
            window.location.assign(url);
        })""",
        url,
    )
