"""Studying on the site, in a real browser, with the keyboard only: walk mode, the quiz with its
progress (kept, exported, imported), the search box, the map; axe-core on every study page in
the states a learner sees, both themes; from `file://` and without JavaScript. Screenshots of
the study pages are kept for review in $PALACE_ARTIFACTS when set.

The site is the seed palace, the German one (for the search: `kuche` finds `Küche`) and the
hostile one, served from a sub-path as GitHub Pages serves a project site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urldefrag

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
    from playwright.sync_api import Browser, Locator, Page

__all__ = ["browser"]  # a fixture: pytest finds it here
# a minute or more in Chromium: `-m "not slow"` leaves these out, CI runs them
pytestmark = pytest.mark.slow

SEED_STOPS = 35
KEY = "palace-progress:/repo/ml-palace"
NO_PROBLEMS: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("site"), SEED, GERMAN, HOSTILE)


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with checked_page(browser) as page:
        yield page


# -- helpers -----------------------------------------------------------------------------------


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def choose_file(page: Page, path: Path) -> None:
    """Tab to "Import progress…" and pick `path`, as a keyboard user would.

    The file is handed to the focused input rather than through the native chooser
    that Space opens: under load headless Chromium now and then never reports the
    chooser (CI waited 15 s for a "filechooser" event that did not come), and the
    chooser is the browser's, not ours. What is ours is tested: the control is
    reached by Tab, and picking a file fires the events the page listens to.
    """
    control = page.get_by_label("Import progress…")
    tab_to(page, control)
    control.set_input_files(str(path))


def shown(page: Page) -> tuple[str, str, str]:
    """Walk mode: (stop number, place, progress) on screen."""
    card = page.locator("[data-card]")
    return (
        card.locator("[data-number]").inner_text(),
        card.locator("[data-place]").inner_text(),
        page.locator("[data-progress]").inner_text(),
    )


def stored(page: Page) -> dict[str, dict[str, float]]:
    text = page.evaluate(f"localStorage.getItem({json.dumps(KEY)})")
    return json.loads(text)["cards"] if text else {}


def fragment(page: Page) -> str:
    """The address's fragment, as the page has it now (Playwright's page.url may lag behind
    history.replaceState)."""
    return str(page.evaluate("location.hash.slice(1)"))


def counts(page: Page) -> str:
    return page.locator("[data-counts]").inner_text()


def axe(page: Page) -> dict[str, list[str]]:
    """Serious axe-core violations in the light and the dark theme."""
    script = chromium.axe_script()
    found = {"light": run_axe(page, script)}
    page.emulate_media(color_scheme="dark")
    found["dark"] = run_axe(page, script)
    page.emulate_media(color_scheme="light")
    return {scheme: problems for scheme, problems in found.items() if problems}


def overflow(page: Page) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


# -- walk mode ---------------------------------------------------------------------------------


def test_walk_forward_reveal_and_the_address_keeps_the_place(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/walk.html")
    assert shown(page) == ("1", "Enter property", f"1 / {SEED_STOPS}")
    answer = page.locator("[data-answer]")
    assert answer.is_hidden(), "the concept waits to be recalled"
    assert page.locator("[data-where]").inner_text() == "Stop 1 of 35 · the start of your walk"
    page.keyboard.press("Space")
    assert answer.is_visible()
    assert page.locator("[data-concept]").inner_text() == "Transfer learning"
    assert "retrain end layers" in page.locator("[data-description]").inner_text()
    page.keyboard.press("ArrowRight")
    assert shown(page) == ("2", "Torbogen", "2 / 35")
    assert answer.is_hidden(), "each stop starts hidden"
    assert (
        page.locator("[data-where]").inner_text() == "Stop 2 of 35 · you came from Enter property"
    )
    assert fragment(page) == "stop=2"
    page.keyboard.press("Enter")  # reveal
    page.keyboard.press("Enter")  # then on
    assert shown(page)[0] == "3"
    page.reload()
    assert shown(page) == ("3", "Stairs up", "3 / 35"), "a reload comes back to the same stop"
    page.keyboard.press("ArrowLeft")
    assert shown(page)[0] == "2"
    page.keyboard.press("End")
    assert shown(page) == ("35", "TV", "35 / 35 · the end of the walk")
    assert page.locator("[data-next]").is_disabled()
    page.keyboard.press("Home")
    assert shown(page)[0] == "1" and page.locator("[data-previous]").is_disabled()


def test_walk_all_35_stops_forward_steps_one_by_one(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/walk.html")
    seen = []
    for _ in range(SEED_STOPS):
        seen.append(shown(page)[:2])
        page.keyboard.press("Space")  # reveal
        page.keyboard.press("Space")  # next
    assert [number for number, _ in seen] == [str(n) for n in range(1, SEED_STOPS + 1)]
    assert seen[27:33] == [
        ("28", "Window"),
        ("29", "Balcony"),
        ("30", "Stefan Silo"),
        ("31", "Street"),
        ("32", "Silo"),
        ("33", "Halle"),
    ]
    assert shown(page)[2] == "35 / 35 · the end of the walk"
    page.goto(base + "ml-palace/walk.html#stop=31")
    trail = page.locator("[data-trail]").inner_text()
    assert trail == "Machine learning palace › View from the window › Window", "a step's locus"


def test_walk_backward_chosen_with_the_keyboard(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/walk.html")
    backward = page.get_by_role("radio", name="Backward")
    tab_to(page, page.get_by_role("radio", name="Forward"))
    page.keyboard.press("ArrowRight")  # radio buttons move with the arrow keys
    assert backward.is_checked()
    assert shown(page) == ("35", "TV", "1 / 35")
    assert fragment(page) == "mode=backward&stop=35"
    numbers = []
    page.locator("main").focus()  # the arrow keys walk again once the radios let go
    for _ in range(SEED_STOPS):
        numbers.append(int(shown(page)[0]))
        page.keyboard.press("ArrowRight")
    assert numbers == list(range(SEED_STOPS, 0, -1))
    assert page.locator("[data-where]").inner_text() == "Stop 1 of 35 · you came from Torbogen"
    page.reload()
    assert shown(page) == ("1", "Enter property", "35 / 35 · the end of the walk")
    assert backward.is_checked()


def test_walk_from_a_random_point_goes_round_the_whole_route(browser: Browser, base: str) -> None:
    context, page, watch = new_page(browser)
    try:
        context.add_init_script("Math.random = () => 0.5")  # the random point: stop 18
        page.goto(base + "ml-palace/walk.html")
        page.keyboard.press("r")
        assert page.get_by_role("radio", name="From a random point").is_checked()
        assert shown(page) == ("18", "Kitchenaid", "1 / 35")
        assert fragment(page) == "mode=random&from=18&stop=18"
        assert page.locator("[data-where]").inner_text().endswith("the start of your walk")
        numbers = []
        for _ in range(SEED_STOPS):
            numbers.append(int(shown(page)[0]))
            page.keyboard.press("ArrowRight")
        assert numbers == [*range(18, 36), *range(1, 18)], "on around to where it started"
        shuffle = page.get_by_role("button", name="New random start")
        assert shuffle.is_visible()
        change_fragment(page, base + "ml-palace/walk.html#mode=random&from=30&stop=2")
        assert shown(page) == ("2", "Torbogen", "8 / 35"), "a shared random walk"
        assert watch.console == []
    finally:
        context.close()


def test_walk_one_room(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/view-from-the-window/index.html")
    page.get_by_role("link", name="Walk this room").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"walk\.html#room=view-from-the-window"))
    assert shown(page) == ("28", "Window", "1 / 6")
    assert page.get_by_label("Walk through").input_value() == "view-from-the-window"
    page.keyboard.press("End")
    assert shown(page) == ("33", "Halle", "6 / 6 · the end of the walk")
    assert fragment(page) == "room=view-from-the-window&stop=33"
    tab_to(page, page.get_by_label("Walk through"))
    page.keyboard.press("ArrowDown")  # the next room in the list: Bedroom
    assert page.get_by_label("Walk through").input_value() == "bedroom"
    assert shown(page) == ("34", "Bed", "1 / 2")


# -- the quiz ----------------------------------------------------------------------------------


def test_quiz_grades_with_keys_and_keeps_progress(page: Page, base: str, tmp_path: Path) -> None:
    page.goto(base + "ml-palace/quiz.html")
    assert counts(page) == "New 20 · Learning 0 · Due 0"
    cue = page.locator("[data-cue]")
    assert cue.inner_text() == "Enter property"
    assert page.locator("[data-trail]").inner_text() == (
        "Machine learning palace › Entrance and stairs"
    )
    assert page.locator("[data-where]").inner_text() == "stop 1 · the start of the walk"
    assert page.locator("[data-prompt]").inner_text() == "What lives here?"
    assert page.locator("[data-grades]").is_hidden()
    page.keyboard.press("3")
    assert stored(page) == {}, "no grade before the answer is shown"
    page.keyboard.press("Space")
    assert page.locator("[data-answer-main]").inner_text() == "Transfer learning"
    intervals = page.locator("[data-grades] [data-interval]").all_inner_texts()
    assert intervals == ["1 min", "6 min", "10 min", "8 days"]  # FSRS-6 for a new card
    page.keyboard.press("4")  # Easy: seen again in 8 days
    assert cue.inner_text() == "Torbogen", "its Concept → Place card comes a few stops later"
    assert page.locator("[data-where]").inner_text() == "stop 2 · you came from Enter property"
    page.keyboard.press("Enter")
    assert page.locator("[data-answer-main]").inner_text() == "Overfitting"
    page.keyboard.press("1")  # Again: back in a minute
    assert cue.inner_text() == "At Enter property, where next?", "the route from the first stop"
    page.keyboard.press("Space")
    page.keyboard.press("Space")  # Space again is Good: back in 10 minutes
    cards = stored(page)
    assert sorted(cards) == ["enter-property:pc", "enter-property:route", "torbogen:pc"]
    assert cards["enter-property:pc"]["state"] == 2 and cards["enter-property:pc"]["reps"] == 1
    assert cards["torbogen:pc"]["state"] == 1 and cards["torbogen:pc"]["lapses"] == 0
    assert counts(page) == "New 17 · Learning 2 · Due 0"

    page.reload()
    assert stored(page) == cards, "progress survives a reload"
    assert counts(page) == "New 17 · Learning 2 · Due 0", "today's new cards, less 3 answered"
    assert cue.inner_text() == "Stairs up", "the next new card; learning cards come when due"

    page.goto(base + "ml-palace/index.html")
    due = page.locator("[data-due]")
    assert due.inner_text() == "2 cards due today · 17 new"


def test_quiz_export_then_import_restores_progress(page: Page, base: str, tmp_path: Path) -> None:
    page.goto(base + "ml-palace/quiz.html")
    for key in ("Space", "3", "Space", "2"):
        page.keyboard.press(key)
    before = stored(page)
    assert len(before) == 2
    tab_to(page, page.get_by_role("button", name="Export progress"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    name = download.value.suggested_filename
    assert re.fullmatch(r"palace-progress-ml-palace-\d{4}-\d\d-\d\d\.json", name)
    exported = tmp_path / name
    download.value.save_as(exported)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert (data["format"], data["version"], data["palace"]) == ("palace-progress", 2, "ml-palace")
    assert data["cards"] == before
    assert page.locator("[data-message]").inner_text() == (
        f"Exported the progress of 2 cards to {name}."
    )

    page.evaluate("localStorage.clear()")
    page.reload()
    assert counts(page) == "New 20 · Learning 0 · Due 0"
    choose_file(page, exported)
    message = page.locator("[data-message]")
    message.filter(has_text="Imported").wait_for()
    assert message.inner_text() == f"Imported 2 cards from {name}."
    assert stored(page) == before
    assert counts(page) == "New 18 · Learning 2 · Due 0", "what was imported, 2 of them new today"

    page.reload()
    assert stored(page) == before, "imported progress is saved"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "This file is not a progress file: it is not valid JSON."),
        (
            '{"format": "palace-progress", "version": 1, "palace": "haus", "cards": {}}',
            'This file holds progress for the palace "haus", not for "ml-palace".',
        ),
    ],
    ids=["not-json", "other-palace"],
)
def test_quiz_refuses_a_bad_progress_file(
    page: Page, base: str, tmp_path: Path, content: str, message: str
) -> None:
    page.goto(base + "ml-palace/quiz.html")
    for key in ("Space", "3"):
        page.keyboard.press(key)
    before = stored(page)
    bad = tmp_path / "progress.json"
    bad.write_text(content, encoding="utf-8")
    choose_file(page, bad)
    shown_message = page.locator("[data-message].error")
    shown_message.wait_for()
    assert shown_message.inner_text() == f"Nothing was imported from progress.json: {message}"
    assert stored(page) == before, "a bad file changes nothing"


def test_quiz_one_room_and_one_kind_of_card(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/kitchen/index.html")
    page.get_by_role("link", name="Quiz this room").press("Enter")
    page.wait_for_url(re.compile(r"quiz\.html#room=kitchen$"))
    assert counts(page) == "New 20 · Learning 0 · Due 0"
    assert page.locator("[data-cue]").inner_text() == "Stove"
    assert page.locator("[data-where]").inner_text() == "stop 11 · you came from Hallway"
    for kind in ("Place → Concept", "Route", "Sequence"):  # Concept → Place cards only
        tab_to(page, page.get_by_role("checkbox", name=kind))
        page.keyboard.press("Space")
    assert fragment(page) == "room=kitchen&cards=cp"
    assert counts(page) == "New 10 · Learning 0 · Due 0"
    assert page.locator("[data-cue]").inner_text() == "Loss Functions"
    page.locator("main").focus()
    page.keyboard.press("Space")
    assert page.locator("[data-answer-trail]").inner_text() == "Kitchen"
    assert page.locator("[data-answer-main]").inner_text() == "Stove"
    assert page.locator("[data-answer-where]").inner_text() == "stop 11 · after Hallway"
    page.reload()
    assert page.get_by_role("checkbox", name="Place → Concept").is_checked() is False


def test_quiz_finishes_and_offers_more_new_cards(page: Page, base: str) -> None:
    page.goto(base + "haus/quiz.html#room=torbogen")  # 2 stops: 2 + 2 + 1 route card
    for _ in range(5):
        page.keyboard.press("Space")
        page.keyboard.press("4")  # Easy: nothing comes back today
    done = page.locator("[data-done]")
    assert done.is_visible()
    assert page.locator("[data-done-text]").inner_text() == (
        "You answered 5 cards. The next card is due in 8 days."
    )
    assert page.locator("[data-more]").is_hidden()
    assert counts(page) == "New 0 · Learning 0 · Due 0"
    assert axe(page) == NO_PROBLEMS


# -- search ------------------------------------------------------------------------------------


def search_for(page: Page, text: str) -> list[str]:
    page.keyboard.press("/")
    box = page.get_by_role("combobox", name="Search rooms, loci and concepts")
    assert box.evaluate("element => element === document.activeElement"), "/ focuses the box"
    page.keyboard.type(text)
    options = page.get_by_role("option")
    options.first.wait_for()
    return [
        " ".join(str(option.locator(".search-title").text_content()).split())
        for option in options.all()
    ]


def test_search_finds_concepts_with_the_keyboard(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/kitchen/index.html")
    box = page.get_by_role("combobox")
    assert box.get_attribute("aria-expanded") == "false"
    assert search_for(page, "Softmax") == ["Softmax (Locus)"]
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    option = page.get_by_role("option", name=re.compile("Softmax"))
    assert option.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "ml-palace/kitchen/index.html#filter")
    assert page.locator("#filter").evaluate("e => e.matches(':target')")


def test_search_ignores_case_and_accents(page: Page, base: str) -> None:
    page.goto(base + "index.html")
    assert search_for(page, "kuche")[:2] == ["Küche (Room)", "Gradientenabstieg (Locus)"]
    page.keyboard.press("Enter")  # the first result
    page.wait_for_url(base + "haus/kuche/index.html")
    assert search_for(page, "torbogen")[:2] == ["Torbogen (Room)", "Overfitting (Locus)"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "ml-palace/entrance-and-stairs/index.html#torbogen")


def test_search_escape_closes_then_clears(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/index.html")
    search_for(page, "loss")
    listbox = page.get_by_role("listbox")
    box = page.get_by_role("combobox")
    page.keyboard.press("Escape")
    assert listbox.is_hidden() and box.input_value() == "loss"
    page.keyboard.press("Escape")
    assert box.input_value() == ""
    page.keyboard.type("no such thing")
    status = page.locator("[data-search-status]")
    status.filter(has_text="No matches").wait_for()
    assert listbox.is_hidden()
    assert axe(page) == NO_PROBLEMS


# -- the map -----------------------------------------------------------------------------------


def test_every_map_link_resolves(page: Page, base: str) -> None:
    for palace, stops, rooms in (("ml-palace", SEED_STOPS, 7), ("haus", 5, 2)):
        page.goto(base + f"{palace}/map.html")
        svg_links = page.locator("svg.map-svg a").evaluate_all(
            "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"
        )
        list_links = page.locator("nav.route a").evaluate_all("links => links.map(a => a.href)")
        assert len(svg_links) == len(list_links) == stops + rooms
        assert sorted(svg_links) == sorted(list_links), "the list is the map's text equivalent"
        ids: dict[str, set[str]] = {}
        for link in svg_links:
            url, fragment = urldefrag(link)
            if url not in ids:
                check = page.context.new_page()
                response = check.goto(url)
                assert response is not None and response.status == 200, url
                ids[url] = set(check.locator("[id]").evaluate_all("es => es.map(e => e.id)"))
                check.close()
            assert not fragment or fragment in ids[url], link
    page.goto(base + "ml-palace/map.html")
    stove = page.locator("svg.map-svg a.map-locus").nth(10)
    assert stove.locator("title").text_content() == "11: Stove, Loss Functions"
    assert page.get_by_role("link", name="11: Stove, Loss Functions").count() == 1, "its name"


def test_map_link_keyboard_focus_and_follow(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/map.html")
    first = page.locator("svg.map-svg a.map-locus").first
    tab_to(page, first, limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "ml-palace/entrance-and-stairs/index.html#enter-property")


# -- every study page: axe, phones, file://, no JavaScript, hostile notes -----------------------


def test_axe_and_360_px_in_every_state(browser: Browser, base: str) -> None:
    problems: dict[str, object] = {}
    for viewport in (DESKTOP, PHONE):
        context, page, watch = new_page(browser, viewport=viewport)
        try:
            states = {
                "walk revealed": ("ml-palace/walk.html#stop=29", ["Space"]),
                "quiz front": ("ml-palace/quiz.html", []),
                "quiz answer": ("ml-palace/quiz.html", ["Space"]),
                "search open": ("ml-palace/index.html", ["/", "l", "o", "ArrowDown"]),
                "map": ("ml-palace/map.html", []),
                "hostile walk": ("hostile/walk.html#stop=3", ["Space"]),
            }
            for name, (path, keys) in states.items():
                page.goto(base + path)
                for key in keys:
                    page.keyboard.press(key)
                label = f"{name} at {viewport['width']}"
                found = axe(page)
                if found:
                    problems[label] = found
                if overflow(page) > 0:
                    problems[label + " overflows"] = overflow(page)
            assert watch.console == [] and watch.failed == []
        finally:
            context.close()
    assert problems == {}


def test_hostile_notes_run_nothing_in_walk_and_quiz(page: Page, base: str) -> None:
    page.goto(base + "hostile/walk.html")
    total = int(page.locator("[data-progress]").inner_text().split(" / ")[1])
    for _ in range(total):
        page.keyboard.press("Space")
        page.keyboard.press("Space")
    page.goto(base + "hostile/quiz.html")
    for _ in range(2 * total):
        page.keyboard.press("Space")
        page.keyboard.press("4")
    page.goto(base + "hostile/walk.html#stop=1")
    page.keyboard.press("Space")
    assert page.locator("[data-concept]").inner_text() == (
        'Concept <script>window.__pwned = "concept"</script>'
    )
    assert page.evaluate("window.__pwned") is None
    page.keyboard.press("/")
    page.keyboard.type("pwned")
    page.get_by_role("option").first.wait_for()
    assert page.evaluate("window.__pwned") is None


def test_study_pages_work_from_file_url(browser: Browser, site: Path) -> None:
    context, page, watch = new_page(browser)
    try:
        page.goto((site / "ml-palace" / "walk.html").as_uri())
        page.keyboard.press("ArrowRight")
        assert shown(page)[0] == "2"
        page.goto((site / "ml-palace" / "quiz.html").as_uri())
        page.keyboard.press("Space")
        page.keyboard.press("3")
        key = "palace-progress:" + (site.as_posix().rstrip("/") + "/") + "ml-palace"
        assert page.evaluate(f"Object.keys(localStorage).includes({json.dumps(key)})")
        page.goto((site / "index.html").as_uri())
        assert search_for(page, "kuche")[0] == "Küche (Room)"
        assert watch.console == [] and watch.failed == []
    finally:
        context.close()


def test_without_javascript_walk_and_quiz_say_so_and_the_map_stands(
    browser: Browser, base: str
) -> None:
    context, page, _ = new_page(browser, java_script_enabled=False)
    try:
        for name in ("walk", "quiz"):
            page.goto(base + f"ml-palace/{name}.html")
            assert page.locator("[data-walk], [data-quiz]").is_hidden(), "no dead controls"
            assert "needs JavaScript" in page.locator("main").inner_text()
        page.goto(base + "ml-palace/map.html")
        assert page.locator("svg.map-svg").is_visible()
        assert page.locator("nav.route li").count() == SEED_STOPS + 7
        page.goto(base + "ml-palace/index.html")
        assert page.locator("[data-due]").is_hidden()
        assert page.locator("[data-search]").is_hidden()
    finally:
        context.close()


# -- pages and study data of different builds ---------------------------------------------------


def edited_seed(folder: Path) -> Path:
    """The seed's notes after a round of edits: the kitchen renamed (and so its id), the
    bedroom's loci gone, an attic added."""
    text = (SEED / "ml-palace.md").read_text(encoding="utf-8").replace("## Kitchen", "## Scullery")
    text = text[: text.index("## Bedroom")]
    text += "## Bedroom\n\n## Attic\n\n- Trunk: Embedding: a learned lookup table\n"
    (folder / "ml-palace.md").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def crossed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The seed's pages with the edited notes' study data, and the edited notes' pages with
    the seed's: what a browser may mix for a few minutes after a publish, when it keeps the
    data of one build (the same name in every build, see `study.data_path`) with the pages of
    another."""
    seed = write_site(tmp_path_factory.mktemp("seed-pages"), SEED)
    edited = write_site(
        tmp_path_factory.mktemp("edited-pages"), edited_seed(tmp_path_factory.mktemp("notes"))
    )
    (seed_data,) = seed.glob("assets/data-ml-palace.*.js")
    edited_data = edited / seed_data.relative_to(seed)
    old, new = seed_data.read_bytes(), edited_data.read_bytes()
    assert old != new
    seed_data.write_bytes(new)
    edited_data.write_bytes(old)
    with serve(seed) as seed_pages, serve(edited) as edited_pages:
        yield seed_pages, edited_pages


def visit(page: Page, url: str) -> None:
    page.goto("about:blank")  # a new page load, not a change of the fragment
    page.goto(url)


def test_walk_takes_a_room_its_data_does_not_know_as_the_whole_palace(
    page: Page, crossed: tuple[str, str]
) -> None:
    seed_pages, edited_pages = crossed
    stops = SEED_STOPS - 2 + 1  # the edited data: the bedroom's two loci gone, the trunk added
    for room in ("kitchen", "bedroom"):  # gone from the data; there without stops
        visit(page, seed_pages + f"ml-palace/walk.html#room={room}&stop=12")
        assert shown(page) == ("12", "Oven Adjusters", f"12 / {stops}"), "the stop is kept"
        assert fragment(page) == "stop=12"
    scope = page.get_by_label("Walk through")
    scope.select_option("kitchen")  # the page offers it, the data does not have it
    assert shown(page)[2] == f"1 / {stops}" and scope.input_value() == ""
    scope.select_option("living-room")
    assert shown(page) == ("21", "Walking to living Room", "1 / 7")
    visit(page, edited_pages + "ml-palace/walk.html#room=attic")  # new pages, old data
    assert shown(page) == ("1", "Enter property", f"1 / {SEED_STOPS}")
    visit(page, edited_pages + "ml-palace/walk.html#room=kitchen")
    assert shown(page) == ("11", "Stove", "1 / 10"), "the old data still has the kitchen"


def test_quiz_takes_a_room_its_data_does_not_know_as_the_whole_palace(
    page: Page, crossed: tuple[str, str]
) -> None:
    seed_pages, edited_pages = crossed
    for room in ("kitchen", "bedroom"):
        visit(page, seed_pages + f"ml-palace/quiz.html#room={room}")
        assert page.locator("[data-cue]").is_visible()
        assert fragment(page) == "" and page.get_by_label("Cards from").input_value() == ""
    page.get_by_label("Cards from").select_option("kitchen")
    assert fragment(page) == "" and page.get_by_label("Cards from").input_value() == ""
    visit(page, edited_pages + "ml-palace/quiz.html#room=attic&cards=cp")
    assert fragment(page) == "cards=cp"
    visit(page, seed_pages + "ml-palace/index.html")
    assert page.locator("[data-due]").inner_text() == "20 new cards today"  # of 101


def test_search_and_map_with_data_of_another_build(page: Page, crossed: tuple[str, str]) -> None:
    seed_pages, _ = crossed
    visit(page, seed_pages + "ml-palace/kitchen/index.html")
    assert search_for(page, "Embedding") == ["Embedding (Locus)"], "what the data has"
    visit(page, seed_pages + "ml-palace/map.html")
    assert page.locator("svg.map-svg").is_visible()


def test_walk_and_quiz_say_when_their_data_did_not_load(browser: Browser, tmp_path: Path) -> None:
    site = write_site(tmp_path, SEED)
    (data,) = site.glob("assets/data-ml-palace.*.js")
    data.unlink()
    context, page, watch = new_page(browser)
    try:
        with serve(site) as base:
            for name in ("walk", "quiz"):
                page.goto(base + f"ml-palace/{name}.html")
                assert page.locator("[data-unavailable]").is_visible()
                assert page.locator(f"[data-{name}]").is_hidden()
            page.goto(base + "ml-palace/index.html")
            page.keyboard.press("/")
            page.keyboard.type("stove")
            assert page.locator("[data-search-status]").inner_text() == "Search is not available."
        errors = [line for line in watch.console if not line.startswith("Failed to load resource")]
        assert errors == [] and watch.dialogs == [], "no script failed"
        assert {failed.split(": ")[0].rsplit("/", 1)[1] for failed in watch.failed} == {data.name}
    finally:
        context.close()


def test_screenshots_of_the_study_pages(browser: Browser, tmp_path: Path, artifacts: Path) -> None:
    """The study pages at phone and desktop width, light and dark, for a person to look at."""
    with serve(write_site(tmp_path, SEED)) as seed:
        shots = {
            "walk": ("ml-palace/walk.html#stop=29", ["Space"]),
            "quiz": ("ml-palace/quiz.html", ["Space"]),
            "quiz-cue": ("ml-palace/quiz.html#cards=cp", []),
            "map": ("ml-palace/map.html", []),
            "search": ("ml-palace/kitchen/index.html", ["/", "l", "o", "ArrowDown"]),
            "study-home": ("index.html", []),
        }
        for scheme in ("light", "dark"):
            for width, viewport in (("360", PHONE), ("1280", DESKTOP)):
                context, page, _ = new_page(browser, viewport=viewport, color_scheme=scheme)
                try:
                    for name, (path, keys) in shots.items():
                        page.goto(seed + path)
                        for key in keys:
                            page.keyboard.press(key)
                        suffix = "" if scheme == "light" else "-dark"
                        full = name not in {"search"}
                        page.screenshot(
                            path=artifacts / f"{name}-{width}{suffix}.png", full_page=full
                        )
                finally:
                    context.close()
        context, page, _ = new_page(browser, viewport=PHONE)
        try:
            page.goto(seed + "ml-palace/map.html")
            page.pdf(path=artifacts / "map-print.pdf", format="A4")
        finally:
            context.close()
    assert (artifacts / "walk-360.png").stat().st_size > 0
