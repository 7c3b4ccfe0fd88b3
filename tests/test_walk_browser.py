"""Walk, phone layout, keys and navigation in Chromium (issue 16): the walk's actions in view on
every stop of a phone, the hinted keys after a click on every control, steps in their sequence,
code that never breaks mid-token, the header's links, the map's names, search marks, the end of
a walk, and axe on the pages in the states a learner sees, both themes, 360 and 1280 px.
Screenshots of the walk, a room, the map, the palace, the home and the glossary go to
$PALACE_ARTIFACTS when set.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser import chromium
from browser.fixtures import GERMAN, HOSTILE, SEED
from browser.server import serve
from browser.session import (
    DESKTOP,
    PHONE,
    browser,
    change_fragment,
    checked_page,
    new_page,
    run_axe,
    write_site,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = ["browser"]  # a fixture: pytest finds it here
pytestmark = pytest.mark.slow  # a minute or more in Chromium

SEED_STOPS = 35
PHONES = ({"width": 360, "height": 640}, {"width": 375, "height": 740})
SCHEMES = ("light", "dark")

IN_VIEW = """selector => {
  const element = document.querySelector(selector);
  if (!element || element.hidden || !element.getClientRects().length) { return "not shown"; }
  const box = element.getBoundingClientRect();
  const inside = box.top >= 0 && box.left >= 0 &&
    box.bottom <= innerHeight && box.right <= innerWidth;
  return inside ? "" : `at ${Math.round(box.top)}–${Math.round(box.bottom)} of ${innerHeight}`;
}"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(write_site(tmp_path_factory.mktemp("site"), SEED, GERMAN, HOSTILE)) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with checked_page(browser) as page:
        yield page


def shown(page: Page) -> tuple[str, str]:
    """The stop on screen: its number and place."""
    card = page.locator("[data-card]")
    return card.locator("[data-number]").inner_text(), card.locator("[data-place]").inner_text()


def axe(page: Page) -> dict[str, list[str]]:
    script = chromium.axe_script()
    found = {}
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        found[scheme] = run_axe(page, script)
    page.emulate_media(color_scheme="light")
    return {scheme: problems for scheme, problems in found.items() if problems}


# -- the walk on a phone -----------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_reveal_and_next_are_in_view_on_every_stop_of_a_phone(
    browser: Browser, base: str, scheme: str
) -> None:
    for viewport in PHONES:
        context, page, watch = new_page(browser, viewport=viewport, color_scheme=scheme)
        try:
            page.goto(base + "ml-palace/walk.html")
            assert page.locator("[data-options]").get_attribute("open") is None, "folded away"
            off: dict[str, str] = {}
            for stop in range(1, SEED_STOPS + 1):
                assert shown(page)[0] == str(stop)
                if where := page.evaluate(IN_VIEW, "[data-reveal]"):
                    off[f"reveal {stop}"] = where
                page.keyboard.press("Space")
                last = "[data-again]" if stop == SEED_STOPS else "[data-next]"
                if where := page.evaluate(IN_VIEW, last):
                    off[f"{last} {stop}"] = where
                if where := page.evaluate(IN_VIEW, "[data-concept]"):
                    off[f"concept {stop}"] = where  # the answer is shown, not under the bar
                page.keyboard.press("Space")
            assert off == {}, viewport
            assert watch.console == [] and watch.failed == []
        finally:
            context.close()


# -- keys, whatever was clicked last -------------------------------------------------------------

CONTROLS = {
    "Backward": lambda page: page.get_by_text("Backward", exact=True).click(),
    "Forward radio": lambda page: page.get_by_role("radio", name="Forward").click(),
    "Options": lambda page: page.locator("[data-options] > summary").click(),
    "Next": lambda page: page.locator("[data-next]").click(),
    "Previous": lambda page: page.locator("[data-previous]").click(),
    "reveal": lambda page: page.locator("[data-reveal]").click(),
    "card": lambda page: page.locator("[data-place]").click(),
    "theme": lambda page: page.get_by_role("button", name="Dark theme").click(),
    "New random start": lambda page: click_shuffle(page),
    "room list": lambda page: click_select(page, "kitchen"),
    "room list, left as it was": lambda page: click_select(page, None),
}


def click_shuffle(page: Page) -> None:
    page.locator("[data-mode][value=random]").check()
    page.get_by_role("button", name="New random start").click()


def click_select(page: Page, room: str | None) -> None:
    """Choose a room with the mouse. The list that opens is the browser's, out of the page's
    reach: the pointer goes down on the select, which takes the focus, then the choice is made."""
    select = page.get_by_label("Walk through")
    select.focus()
    select.dispatch_event("pointerdown")
    if room is not None:
        select.select_option(room)


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("control", list(CONTROLS))
def test_hinted_keys_work_after_clicking_any_control(
    browser: Browser, base: str, control: str, width: int
) -> None:
    context, page, watch = new_page(browser, viewport={"width": width, "height": 740})
    try:
        press_the_hinted_keys(page, base, control)
        assert watch.console == [] and watch.failed == []
    finally:
        context.close()


def press_the_hinted_keys(page: Page, base: str, control: str) -> None:
    """Click `control`, then press every key the walk hints at: each does what it says."""
    page.goto(base + "ml-palace/walk.html#stop=5")
    page.locator("[data-options]").evaluate("details => { details.open = true; }")
    CONTROLS[control](page)
    page.keyboard.press("Home")
    start = shown(page)[0]
    page.keyboard.press("ArrowRight")
    assert shown(page)[0] != start, f"→ moves on after a click on {control}"
    second = shown(page)[0]
    page.keyboard.press("ArrowLeft")
    assert shown(page)[0] == start, "← goes back"
    page.keyboard.press("ArrowRight")
    answer = page.locator("[data-answer]")
    assert answer.is_hidden()
    page.keyboard.press("Space")
    assert answer.is_visible(), "Space reveals"
    page.keyboard.press("Enter")
    assert shown(page)[0] not in (start, second) and answer.is_hidden(), "then goes on"
    page.keyboard.press("End")
    page.keyboard.press("r")
    assert page.locator("[data-mode][value=random]").is_checked(), "R: a random start"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "_search", "/ searches"


def test_slash_searches_after_a_click_on_every_other_page(page: Page, base: str) -> None:
    for path in (
        "index.html",
        "ml-palace/index.html",
        "ml-palace/map.html",
        "ml-palace/kitchen/index.html",
        "ml-palace/glossary.html",
    ):
        page.goto(base + path)
        page.get_by_role("button", name="Dark theme").click()
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "_search", path
        page.keyboard.type("stove")
        assert page.get_by_role("combobox").input_value() == "stove", "typed into the box"


def test_radio_buttons_reached_by_tab_keep_their_arrow_keys(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/walk.html")
    page.locator("[data-options]").evaluate("details => { details.open = true; }")
    page.get_by_role("radio", name="Forward").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("radio", name="Backward").is_checked()
    assert shown(page) == ("35", "TV")
    page.keyboard.press("r")
    assert page.get_by_role("radio", name="From a random point").is_checked(), "R still works"


# -- steps, code, the end of a walk --------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_a_step_names_its_sequence_and_place_in_it(
    browser: Browser, base: str, viewport: dict[str, int]
) -> None:
    context, page, _ = new_page(browser, viewport=viewport)
    try:
        page.goto(base + "ml-palace/walk.html#stop=30")
        sequence = page.locator("[data-sequence]")
        assert sequence.inner_text() == "Core training step · step 2 of 5"
        assert page.locator("[data-where]").inner_text() == "Stop 30 of 35 · you came from Balcony"
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        assert shown(page) == ("28", "Window") and sequence.is_hidden(), "a locus has none"
        page.goto(base + "ml-palace/view-from-the-window/index.html#window--street")
        step = page.locator("#window--street .step-of")
        assert " ".join(step.inner_text().split()).startswith("Core training step · step 3 of 5")
        assert step.is_visible()
    finally:
        context.close()


BROKEN = r"""selector => {
  // Places where a line ends between two characters of one word: both sides not spaces.
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let previous = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentNode.closest("svg")) { previous = null; continue; }  // lines of its own
      for (let at = 0; at < node.data.length; at += 1) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        const rect = range.getClientRects()[0];
        const char = node.data[at];
        if (!rect || /\s/.test(char)) { previous = null; continue; }
        if (previous && rect.top > previous.top + 4) {
          broken.push(previous.char + " / " + char + " in " + node.data.trim());
        }
        previous = { top: rect.top, char: char };
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_code_and_permalinks_never_break_mid_token_at_360_px(
    browser: Browser, base: str, scheme: str
) -> None:
    context, page, _ = new_page(browser, viewport=PHONE, color_scheme=scheme)
    try:
        page.goto(base + "ml-palace/walk.html#stop=31")
        page.keyboard.press("Space")
        assert page.locator("[data-concept]").inner_text() == "optimizer.zero_grad()"
        assert page.evaluate(BROKEN, "[data-card]") == []
        page.goto(base + "ml-palace/view-from-the-window/index.html")
        assert page.evaluate(BROKEN, "main") == []
        alone = page.evaluate(
            """() => Array.from(document.querySelectorAll('.permalink')).filter(link => {
              const range = document.createRange();
              range.selectNodeContents(link.parentNode);
              range.setEndBefore(link);
              const rects = Array.from(range.getClientRects());
              const top = link.getBoundingClientRect().top;
              return !rects.length || Math.abs(rects[rects.length - 1].top - top) > 4;
            }).length"""
        )
        assert alone == 0, "a # never wraps onto a line of its own"
        for path in ("ml-palace/index.html", "ml-palace/map.html", "ml-palace/glossary.html"):
            page.goto(base + path)
            assert page.evaluate(BROKEN, "main") == [], path
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    finally:
        context.close()


def test_the_end_of_a_walk_offers_to_walk_again_or_the_next_room(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/walk.html#room=kitchen")
    page.keyboard.press("End")
    end = page.locator("[data-end]")
    assert end.is_hidden(), "the last stop is recalled first"
    page.keyboard.press("Space")
    assert end.is_visible()
    next_room = page.locator("[data-next-room]")
    assert next_room.inner_text() == "Next room: Living room →"
    next_room.click()
    assert shown(page) == ("21", "Walking to living Room")
    assert page.get_by_label("Walk through").input_value() == "living-room"
    page.keyboard.press("End")
    page.keyboard.press("Space")
    page.locator("[data-again]").click()
    assert shown(page) == ("21", "Walking to living Room"), "again, from the room's start"
    change_fragment(page, base + "ml-palace/walk.html#room=bedroom&stop=35")
    page.keyboard.press("Space")
    assert page.locator("[data-again]").is_visible() and next_room.is_hidden(), "the last room"
    change_fragment(page, base + "ml-palace/walk.html#stop=35")
    page.keyboard.press("Space")
    assert next_room.is_hidden(), "the whole palace has no next room"
    page.locator("[data-again]").click()
    assert shown(page) == ("1", "Enter property")


# -- navigation --------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_every_page_of_a_palace_links_its_study_pages(
    browser: Browser, base: str, viewport: dict[str, int]
) -> None:
    context, page, _ = new_page(browser, viewport=viewport)
    try:
        pages = {
            "ml-palace/index.html": "Rooms",
            "ml-palace/walk.html": "Walk",
            "ml-palace/quiz.html": "Quiz",
            "ml-palace/map.html": "Map",
            "ml-palace/glossary.html": "Glossary",
            "ml-palace/kitchen/index.html": None,
        }
        for path, current in pages.items():
            page.goto(base + path)
            nav = page.get_by_role("navigation", name="Machine learning palace")
            links = nav.get_by_role("link")
            assert links.all_inner_texts() == ["Rooms", "Walk", "Quiz", "Map", "Glossary"]
            for link in links.all():
                box = link.bounding_box()
                assert (
                    box is not None
                    and box["x"] >= 0
                    and box["x"] + box["width"] <= viewport["width"]
                )
            marked = nav.locator("[aria-current=page]").all_inner_texts()
            assert marked == ([current] if current else []), path
        page.goto(base + "ml-palace/kitchen/index.html")
        page.get_by_role("navigation", name="Machine learning palace").get_by_role(
            "link", name="Map"
        ).click()
        page.wait_for_url(base + "ml-palace/map.html")
    finally:
        context.close()


def test_the_map_names_every_stop_as_text_at_360_px(browser: Browser, base: str) -> None:
    context, page, _ = new_page(browser, viewport=PHONE)
    try:
        page.goto(base + "ml-palace/map.html")
        labels = page.evaluate(
            """() => Array.from(document.querySelectorAll('svg.map-svg .map-label'), text => {
              const box = text.getBoundingClientRect();
              const size = parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a;
              return [text.textContent, size, box.left, box.right];
            })"""
        )
        assert [name for name, *_ in labels][:3] == ["Enter property", "Torbogen", "Stairs up"]
        assert len(labels) == SEED_STOPS
        assert min(size for _, size, _, _ in labels) >= 10.5, "readable without zooming"
        assert all(left >= 0 and right <= PHONE["width"] for _, _, left, right in labels)
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll('svg.map-svg .map-label'), text => {
              const b = text.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom];
            })"""
        )
        overlaps = [
            (a, b)
            for i, a in enumerate(boxes)
            for b in boxes[i + 1 :]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        ]
        assert overlaps == [], "names never overlap"
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_search_marks_the_words_found(
    browser: Browser, base: str, viewport: dict[str, int]
) -> None:
    context, page, watch = new_page(browser, viewport=viewport)
    try:
        search_and_look_at_the_marks(page, base)
        assert watch.console == [] and watch.failed == []
    finally:
        context.close()


def search_and_look_at_the_marks(page: Page, base: str) -> None:
    page.goto(base + "index.html")
    page.keyboard.press("/")
    page.keyboard.type("kuche")
    page.get_by_role("option").first.wait_for()
    first = page.get_by_role("option").first
    assert first.locator("mark").all_inner_texts() == ["Küche"]
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.keyboard.type("loss fun")
    page.get_by_role("option", name="Loss Functions").first.wait_for()
    marks = page.get_by_role("option").first.locator(".search-title mark").all_inner_texts()
    assert marks == ["Loss", "Fun"]
    page.keyboard.press("ArrowDown")
    assert axe(page) == {}
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.keyboard.type("script")
    page.get_by_role("option").first.wait_for()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("[role=listbox] script").count() == 0, "marks are text, never markup"


# -- axe and screenshots -----------------------------------------------------------------------

STATES = {
    "home": ("index.html", []),
    "palace": ("ml-palace/index.html", []),
    "room": ("ml-palace/view-from-the-window/index.html", []),
    "walk": ("ml-palace/walk.html#stop=31", ["Space"]),
    "walk-end": ("ml-palace/walk.html#room=kitchen&stop=20", ["Space"]),
    "walk-options": ("ml-palace/walk.html#stop=30", ["click=[data-options] > summary"]),
    "map": ("ml-palace/map.html", []),
    "glossary": ("ml-palace/glossary.html", []),
}


def go_to_state(page: Page, url: str, keys: Sequence[str]) -> None:
    """Open `url`, then press each key (`click=<selector>`: click that instead), as `STATES`
    list them."""
    page.goto(url)
    for key in keys:
        if key.startswith("click="):
            page.locator(key[6:]).click()
        else:
            page.keyboard.press(key)


def test_axe_finds_nothing_serious_in_either_theme_at_360_and_1280(
    browser: Browser, base: str
) -> None:
    problems: dict[str, object] = {}
    for viewport in (PHONE, DESKTOP):
        context, page, _ = new_page(browser, viewport=viewport)
        try:
            for name, (path, keys) in STATES.items():
                go_to_state(page, base + path, keys)
                if found := axe(page):
                    problems[f"{name} at {viewport['width']}"] = found
                if page.evaluate("document.documentElement.scrollWidth > innerWidth"):
                    problems[f"{name} at {viewport['width']} overflows"] = True
        finally:
            context.close()
    assert problems == {}


def test_screenshots_of_walk_room_map_palace_home_and_glossary(
    browser: Browser, tmp_path: Path, artifacts: Path
) -> None:
    """The pages of a one-palace site (its home is not the palace's page) for a person to
    look at, at 375 and 1280 px, light and dark."""
    with serve(write_site(tmp_path, SEED)) as base:
        take_screenshots(browser, base, artifacts)
    assert (artifacts / "walk-375-dark.png").stat().st_size > 0


def take_screenshots(browser: Browser, base: str, artifacts: Path) -> None:
    for scheme in SCHEMES:
        for viewport in ({"width": 375, "height": 740}, DESKTOP):
            context, page, _ = new_page(browser, viewport=viewport, color_scheme=scheme)
            try:
                for name, (path, keys) in STATES.items():
                    go_to_state(page, base + path, keys)
                    full = not name.startswith("walk")
                    shot = artifacts / f"{name}-{viewport['width']}-{scheme}.png"
                    page.screenshot(path=shot, full_page=full)
            finally:
                context.close()
