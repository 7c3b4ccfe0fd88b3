"""The study site in a real browser: headless Chromium over the site served from a sub-path.

One crawl visits every page from home (module fixture) and records what each page shows; the
tests below judge that record: reachability, links, console, axe-core, hostile notes, 360 px.
Other tests drive the theme toggle, the 404 page at depth, `file://`, and take screenshots
for review (kept in $PALACE_ARTIFACTS when set).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urldefrag, urlsplit

import pytest
from browser import chromium
from browser.fixtures import HOSTILE, SCRIPTS, SEED
from browser.server import serve
from browser.session import (
    DESKTOP,
    PHONE,
    Watch,
    background,
    browser,
    new_page,
    run_axe,
    write_site,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["browser"]  # a fixture: pytest finds it here
# a minute or more in Chromium: `-m "not slow"` leaves these out, CI runs them
pytestmark = pytest.mark.slow

EXTERNAL_IN_NOTES = {"https://example.org/", "https://example.org/lamp"}  # never fetched
STUDY_PAGES = ("/walk.html", "/quiz.html")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile palace next to the seed palace: every kind of page, and notes that attack."""
    return write_site(tmp_path_factory.mktemp("site"), HOSTILE, SEED)


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@dataclass
class Visit:
    """One page of the crawl, as the browser saw it."""

    url: str
    status: int
    links: list[str]  # absolute URLs of a[href], link[href], script[src], img[src]
    ids: set[str]
    broken_images: list[str]
    pwned: Any
    axe: dict[str, list[str]]  # colour scheme → serious/critical violations
    overflow_at_360: int
    watch: Watch


PAGE_FACTS = """async () => {
  const images = Array.from(document.images);
  images.forEach(image => { image.loading = "eager"; });  // lazy ones load now
  await Promise.all(images.map(image => image.decode().catch(() => null)));
  // an SVG link's href is an SVGAnimatedString: resolve its attribute as the browser does
  const href = e => typeof e.href === "string"
    ? e.href : new URL(e.getAttribute("href"), document.baseURI).href;
  return {
    links: [
      ...Array.from(document.querySelectorAll("a[href], link[href]"), href),
      ...Array.from(document.querySelectorAll("script[src], img[src]"), e => e.src),
    ],
    ids: Array.from(document.querySelectorAll("[id]"), e => e.id),
    broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
    pwned: window.__pwned,
  };
}"""


def is_page(url: str, base: str) -> bool:
    path = urlsplit(url).path
    return url.startswith(base) and (path.endswith(".html") or path.endswith("/"))


@pytest.fixture(scope="module")
def crawl(browser: Browser, base: str) -> dict[str, Visit]:
    """Every page reachable from home, breadth first, each looked at in light and dark."""
    axe = chromium.axe_script()
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    visits: dict[str, Visit] = {}
    queue = [base + "index.html"]
    try:
        while queue:
            url = queue.pop(0)
            if url in visits:
                continue
            page = context.new_page()
            watch = Watch()
            watch.attach(page)
            response = page.goto(url, wait_until="load")
            facts = page.evaluate(PAGE_FACTS)
            violations = {"light": run_axe(page, axe)}
            page.emulate_media(color_scheme="dark")
            violations["dark"] = run_axe(page, axe)
            page.set_viewport_size(PHONE)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            visits[url] = Visit(
                url,
                response.status if response else 0,
                facts["links"],
                set(facts["ids"]),
                facts["broken"],
                facts["pwned"],
                violations,
                overflow,
                watch,
            )
            page.close()
            for link in facts["links"]:
                target = urldefrag(link).url
                if is_page(target, base) and target not in visits:
                    queue.append(target)
    finally:
        context.close()
    return visits


# -- the crawl -------------------------------------------------------------------------------


def test_every_page_is_reachable_from_home(crawl: dict[str, Visit], base: str, site: Path) -> None:
    pages = {
        base + path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if path.name != "404.html"
    }
    assert set(crawl) == pages
    assert {visit.status for visit in crawl.values()} == {200}


def test_every_link_anchor_and_asset_resolves(
    crawl: dict[str, Visit], base: str, browser: Browser
) -> None:
    targets: dict[str, set[str]] = {}  # URL without fragment → fragments linked to
    for visit in crawl.values():
        assert not visit.broken_images, visit.url
        for link in visit.links:
            if link in EXTERNAL_IN_NOTES:
                continue
            assert link.startswith(base), f"{visit.url} links outside the site: {link}"
            url, fragment = urldefrag(link)
            targets.setdefault(url, set()).add(fragment)
    context = browser.new_context()
    try:
        for url, fragments in sorted(targets.items()):
            assert context.request.get(url).status == 200, url
            fragments.discard("")
            if url.endswith(STUDY_PAGES):  # "#room=…" is what to study there, not an anchor
                rooms = {f for f in fragments if f.startswith("room=")}
                assert all(re.fullmatch(r"room=[a-z0-9-]+", f) for f in rooms), rooms
                fragments -= rooms
            if fragments:
                assert url in crawl, f"fragment link into a non-page: {url}"
                missing = fragments - crawl[url].ids
                assert not missing, f"{url}: no element with id {sorted(missing)}"
    finally:
        context.close()


def test_no_console_errors_and_no_failed_requests(crawl: dict[str, Visit]) -> None:
    problems = {
        url: visit.watch.console + visit.watch.failed
        for url, visit in crawl.items()
        if visit.watch.console or visit.watch.failed
    }
    assert problems == {}


def test_axe_finds_no_serious_violations_in_either_theme(crawl: dict[str, Visit]) -> None:
    problems = {
        f"{url} ({scheme})": found
        for url, visit in crawl.items()
        for scheme, found in visit.axe.items()
        if found
    }
    assert problems == {}


def test_hostile_notes_run_nothing(crawl: dict[str, Visit]) -> None:
    assert any("/hostile/" in url for url in crawl), "the hostile palace was crawled"
    assert {url: visit.pwned for url, visit in crawl.items() if visit.pwned is not None} == {}
    assert [visit.watch.dialogs for visit in crawl.values() if visit.watch.dialogs] == []
    assert not [link for v in crawl.values() for link in v.links if "javascript:" in link.lower()]


def test_no_page_scrolls_sideways_at_360_px(crawl: dict[str, Visit]) -> None:
    assert {url: v.overflow_at_360 for url, v in crawl.items() if v.overflow_at_360 > 0} == {}


# -- behaviour -------------------------------------------------------------------------------


def test_theme_toggle_switches_and_is_remembered(browser: Browser, base: str) -> None:
    context, page, watch = new_page(browser, color_scheme="light")
    try:
        page.goto(base + "index.html")
        toggle = page.get_by_role("button", name="Dark theme")
        assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
        light = background(page)
        toggle.click()
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert toggle.get_attribute("aria-pressed") == "true"
        dark = background(page)
        assert dark != light
        page.reload()
        assert background(page) == dark, "the choice survives a reload"
        page.goto(base + "ml-palace/kitchen/index.html")
        assert background(page) == dark, "and holds on every page of the site"
        stored = page.evaluate("Object.keys(localStorage)")
        assert stored == [f"palace-theme:{urlsplit(base).path}"], "one key, scoped to the site"
        page.get_by_role("button", name="Dark theme").click()
        assert background(page) == light
        assert not watch.console
    finally:
        context.close()


def test_dark_mode_follows_the_os_until_the_reader_chooses(browser: Browser, base: str) -> None:
    context, page, _ = new_page(browser, color_scheme="dark")
    try:
        page.goto(base + "index.html")
        dark = background(page)
        assert page.get_by_role("button", name="Dark theme").get_attribute("aria-pressed") == "true"
        page.emulate_media(color_scheme="light")
        assert background(page) != dark
    finally:
        context.close()


def test_pages_are_complete_without_javascript(browser: Browser, base: str) -> None:
    context, page, _ = new_page(browser, java_script_enabled=False)
    try:
        page.goto(base + "ml-palace/kitchen/index.html")
        assert page.locator("article.locus").count() == 10
        assert page.locator("article.locus").first.is_visible()
        assert not page.locator("[data-theme-toggle]").is_visible(), "no dead button"
        assert page.locator("link[rel=stylesheet]").count() == 1
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    finally:
        context.close()


def test_404_at_any_depth_is_styled_and_leads_home(browser: Browser, base: str) -> None:
    context, page, _ = new_page(browser, color_scheme="light")
    try:
        page.goto(base + "index.html")
        page.get_by_role("button", name="Dark theme").click()  # remembered, as on every page
        dark = background(page)
        for missing in ("nope", "ml-palace/kitchen/deeper/still/nope.html"):
            fresh = context.new_page()
            watch_404 = Watch()
            watch_404.attach(fresh, expected_status=404)
            response = fresh.goto(base + missing)
            assert response is not None and response.status == 404
            assert fresh.locator("h1").inner_text() == "Page not found"
            assert fresh.evaluate("getComputedStyle(document.body).fontFamily").startswith(
                "system-ui"
            ), "styled by its inline stylesheet"
            home = fresh.get_by_role("link", name="Go to the home page")
            fresh.wait_for_function("() => document.documentElement.hasAttribute('data-root')")
            assert home.get_attribute("href") == urlsplit(base).path + "index.html"
            assert background(fresh) == dark, "the theme choice holds on the 404 page too"
            # the browser reports the page's own 404; finding the site root fails no request
            assert watch_404.failed == []
            assert watch_404.console == [
                "Failed to load resource: the server responded with a status of 404 (Not Found)"
                f" [{base + missing}]"
            ]
            home.click()
            fresh.wait_for_url(base + "index.html")
            fresh.close()
    finally:
        context.close()


def test_site_works_from_file_url(browser: Browser, site: Path) -> None:
    context, page, watch = new_page(browser)
    try:
        page.goto((site / "index.html").as_uri())
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
        page.get_by_role("link", name="Machine learning palace").click()
        page.get_by_role("link", name=re.compile("Kitchen")).first.click()
        assert page.url.endswith("/ml-palace/kitchen/index.html")
        assert page.locator("h1").inner_text() == "Kitchen"
        # scripts run from disk: the toggle shows once the page (and its deferred scripts) is in
        page.get_by_role("button", name="Dark theme").wait_for(state="visible", timeout=5_000)
        assert watch.console == [] and watch.failed == []
    finally:
        context.close()


def test_ids_of_every_script_work_from_file_url(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Rooms and loci named in Japanese, Cyrillic, Arabic and emoji get ids of their own, and
    the folders and anchors named after them work from disk."""
    site = write_site(tmp_path_factory.mktemp("scripts"), SCRIPTS)
    context, page, watch = new_page(browser)
    try:
        page.goto((site / "index.html").as_uri())
        for room, heading in (("台所", "台所"), ("кухня", "Кухня"), ("المطبخ", "المطبخ")):
            page.goto((site / "index.html").as_uri())
            page.get_by_role("link", name=re.compile("^The palace")).click()  # its rooms
            page.get_by_role("link", name=re.compile(heading)).first.click()
            assert page.url.endswith(f"/{quote('世界')}/{quote(room)}/index.html"), page.url
            assert page.locator("h1").inner_text() == heading
        page.goto((site / "世界" / "台所" / "index.html").as_uri() + "#" + quote("冷蔵庫"))
        assert page.evaluate("decodeURIComponent(location.hash)") == "#冷蔵庫"
        assert page.locator("[id='冷蔵庫']").count() == 1
        assert watch.console == [] and watch.failed == []
    finally:
        context.close()


def test_screenshots_for_review(
    browser: Browser, base: str, tmp_path: Path, artifacts: Path
) -> None:
    """Pages at phone and desktop width, light and dark, and a palace printed: for a person to
    look at ($PALACE_ARTIFACTS). The seed site alone shows its one-palace home."""
    with serve(write_site(tmp_path, SEED)) as seed_base:
        shots = {
            "home": seed_base + "index.html",
            "room": seed_base + "ml-palace/kitchen/index.html",
            "palace": seed_base + "ml-palace/index.html",
            "steps": seed_base + "ml-palace/view-from-the-window/index.html",
            "glossary": seed_base + "ml-palace/glossary.html",
            "home-many": base + "index.html",
            "hostile-room": base + "hostile/index/index.html",
            "not-found": base + "ml-palace/kitchen/nope/nope.html",
        }
        for scheme in ("light", "dark"):
            for width, viewport in (("360", PHONE), ("1280", DESKTOP)):
                context, page, _ = new_page(browser, viewport=viewport, color_scheme=scheme)
                try:
                    for name, url in shots.items():
                        page.goto(url)
                        suffix = "" if scheme == "light" else "-dark"
                        file = artifacts / f"{name}-{width}{suffix}.png"
                        page.screenshot(path=file, full_page=True)
                finally:
                    context.close()
        context, page, _ = new_page(browser, viewport=PHONE)
        try:
            page.goto(seed_base + "ml-palace/kitchen/index.html")
            page.keyboard.press("Tab")  # the skip link shows when focused
            page.screenshot(path=artifacts / "focus-skip-link-360.png")
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            page.screenshot(path=artifacts / "focus-link-360.png")
            page.goto(seed_base + "ml-palace/index.html")
            page.pdf(path=artifacts / "palace-print.pdf", format="A4")
        finally:
            context.close()
    assert (artifacts / "room-360.png").stat().st_size > 0
