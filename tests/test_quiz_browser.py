"""The quiz as a daily quiz, in Chromium: new cards a day that persist across reloads and reset
at the learner's midnight, the same counts on the palace page, a room page and the quiz, undo,
the deck's four kinds of cards (every card of the seed checked: no answer on its front, no later
step on a step's), progress of the old format kept, the actions in view on a phone in both
themes, keys that work whatever was clicked last, axe, and screenshots to look at.

The seed palace, served from a sub-path as GitHub Pages serves a project site.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser import chromium
from browser.fixtures import SEED, palaces
from browser.server import serve
from browser.session import (
    DESKTOP,
    STEADY,
    browser,
    change_fragment,
    checked_page,
    new_page,
    run_axe,
)

from builder.config import CARD_KINDS
from builder.site import render_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = ["browser"]  # a fixture: pytest finds it here
pytestmark = pytest.mark.slow  # Chromium: `-m "not slow"` leaves these out, CI runs them

KEY = "palace-progress:/repo/ml-palace"
SEED_CARDS = 105  # 30 loci × pc, 35 stops × cp, 34 route, 5 steps × seq, 1 list
PHONES = ({"width": 375, "height": 740}, {"width": 360, "height": 640})
ZONE = "America/St_Johns"  # midnight far from UTC's, with a half-hour offset


def write(
    root: Path, new_cards_per_day: int = 20, card_kinds: tuple[str, ...] = CARD_KINDS
) -> Path:
    files = render_site(
        palaces(SEED), {}, new_cards_per_day=new_cards_per_day, card_kinds=card_kinds
    )
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(write(tmp_path_factory.mktemp("site"))) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with checked_page(browser, timezone_id=ZONE) as page:
        yield page


def counts(page: Page) -> str:
    return page.locator("[data-counts]").inner_text()


def cue(page: Page) -> str:
    return page.locator("[data-cue]").inner_text()


def stored(page: Page) -> dict[str, Any]:
    text = page.evaluate(f"localStorage.getItem({json.dumps(KEY)})")
    return json.loads(text) if text else {}


def badge(page: Page, path: str) -> str:
    page.goto(path)
    found = page.locator("[data-due]")
    found.wait_for()
    return found.inner_text()


def answer_new(page: Page, count: int, rating: str = "3") -> None:
    for _ in range(count):
        page.keyboard.press("Space")
        page.keyboard.press(rating)


# -- new cards a day ---------------------------------------------------------------------------


def test_five_new_cards_then_a_reload_shows_five_fewer_and_every_page_agrees(
    page: Page, base: str
) -> None:
    page.goto(base + "ml-palace/quiz.html")
    assert counts(page) == "New 20 · Learning 0 · Due 0"
    assert badge(page, base + "ml-palace/index.html") == "20 new cards today"
    page.goto(base + "ml-palace/quiz.html")
    answer_new(page, 5)  # Good: each back in 10 minutes
    assert counts(page) == "New 15 · Learning 5 · Due 0"
    page.reload()
    assert counts(page) == "New 15 · Learning 5 · Due 0", "5 fewer new cards today"
    assert badge(page, base + "ml-palace/index.html") == "5 cards due today · 15 new"
    # the entrance's 18 cards, 5 of them answered: 13 left, fewer than today's 15
    room = base + "ml-palace/entrance-and-stairs/index.html"
    assert badge(page, room) == "5 cards due today · 13 new"
    page.get_by_role("link", name="Quiz this room").click()
    page.locator("[data-card]").wait_for()
    assert counts(page) == "New 13 · Learning 5 · Due 0"
    assert badge(page, base + "ml-palace/kitchen/index.html") == "nothing due today · 15 new"
    page.goto(base + "ml-palace/quiz.html#room=kitchen")
    assert counts(page) == "New 15 · Learning 0 · Due 0"


def test_the_day_ends_at_the_learners_midnight(browser: Browser, base: str) -> None:
    context, page, watch = new_page(browser, timezone_id=ZONE)
    try:
        evening = dt.datetime(2026, 3, 14, 23, 40, tzinfo=dt.timezone(dt.timedelta(hours=-2.5)))
        page.clock.install(time=evening)  # 23:40 in St. John's (summer time: UTC-2:30)
        page.goto(base + "ml-palace/quiz.html")
        answer_new(page, 20, "4")  # Easy: the whole day's new cards, none back today
        assert page.locator("[data-done]").is_visible()
        assert counts(page) == "New 0 · Learning 0 · Due 0"
        text = page.locator("[data-done-text]").inner_text()
        assert "That is all of today's 20 new cards." in text
        page.reload()
        assert counts(page) == "New 0 · Learning 0 · Due 0", "still today"
        assert badge(page, base + "ml-palace/index.html") == "nothing due today"
        page.clock.set_system_time(evening + dt.timedelta(minutes=30))  # 00:10 the next day
        page.goto(base + "ml-palace/quiz.html")
        assert counts(page) == "New 20 · Learning 0 · Due 0", "a new day, a new limit"
        assert badge(page, base + "ml-palace/index.html") == "nothing due today · 20 new"
        first = stored(page)["cards"]["enter-property:pc"]["first_review"]
        assert 0 <= first - evening.timestamp() * 1000 < 60_000, "when it was new"
        assert watch.console == [] and watch.failed == []
    finally:
        context.close()


def test_learn_more_raises_todays_limit_on_every_page(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/quiz.html#room=bedroom")  # 2 loci: 2 pc, 2 cp, 1 route
    answer_new(page, 5, "4")
    page.goto(base + "ml-palace/quiz.html")
    answer_new(page, 15, "4")
    more = page.get_by_role("button", name="Learn 20 more new cards today (85 not seen yet)")
    more.click()
    assert counts(page) == "New 20 · Learning 0 · Due 0"
    answer_new(page, 2, "4")
    assert stored(page)["extra_new"]["count"] == 20
    page.reload()
    assert counts(page) == "New 18 · Learning 0 · Due 0"
    assert badge(page, base + "ml-palace/index.html") == "nothing due today · 18 new"


# -- undo ----------------------------------------------------------------------------------------


def test_undo_by_button_and_by_key_restores_the_card_and_the_days_count(
    page: Page, base: str
) -> None:
    page.goto(base + "ml-palace/quiz.html")
    undo = page.get_by_role("button", name="Undo")
    assert undo.is_disabled(), "nothing to undo yet"
    answer_new(page, 1, "4")
    assert counts(page) == "New 19 · Learning 0 · Due 0"
    assert cue(page) == "Torbogen"
    undo.click()
    assert cue(page) == "Enter property" and counts(page) == "New 20 · Learning 0 · Due 0"
    assert page.locator("[data-answer]").is_hidden(), "the card's front again"
    assert stored(page)["cards"] == {}, "stored progress too"
    assert undo.is_disabled()
    answer_new(page, 1, "1")  # Again: the card is learning
    answer_new(page, 1, "3")
    before = stored(page)["cards"]
    answer_new(page, 1, "2")
    assert counts(page) == "New 17 · Learning 3 · Due 0"
    page.keyboard.press("u")
    assert counts(page) == "New 18 · Learning 2 · Due 0"
    assert stored(page)["cards"] == before
    page.keyboard.press("Control+z")
    assert cue(page) == "Torbogen"
    assert counts(page) == "New 19 · Learning 1 · Due 0"
    page.reload()
    assert counts(page) == "New 19 · Learning 1 · Due 0"
    assert badge(page, base + "ml-palace/index.html") == "1 card due today · 19 new"


# -- the deck's kinds ----------------------------------------------------------------------------


def test_route_and_sequence_cards_are_offered_and_chosen(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/quiz.html#cards=route")
    assert page.get_by_role("checkbox", name="Route").is_checked()
    assert not page.get_by_role("checkbox", name="Place → Concept").is_checked()
    assert cue(page) == "At Enter property, where next?"
    assert page.locator("[data-where]").inner_text() == "the start of the walk"
    page.keyboard.press("Space")
    assert page.locator("[data-answer-main]").inner_text() == "Torbogen"
    change_fragment(page, base + "ml-palace/quiz.html#room=view-from-the-window&cards=seq")
    assert cue(page) == "Core training step"
    assert page.locator("[data-where]").inner_text() == "at Window · step 1 of 5"
    assert page.locator("[data-steps] li").all_inner_texts() == ["Balcony: […]"]
    page.keyboard.press("Space")
    page.keyboard.press("4")
    assert page.locator("[data-steps] li").all_inner_texts() == [
        "Balcony: output_batch = model(train_batch)",
        "Stefan Silo: […]",
    ]
    page.get_by_role("checkbox", name="Concept → Place").check()
    assert page.evaluate("location.hash") == "#room=view-from-the-window&cards=cp,seq"


def test_the_quiz_asks_the_decks_kinds_unless_the_learner_chooses(
    page: Page, tmp_path: Path
) -> None:
    """palace.toml `card_kinds = ["concept-place", "route"]`: the quiz and every count ask those
    two kinds; ticking another is a choice the address keeps."""
    with serve(write(tmp_path, card_kinds=("route", "concept-place"))) as base:
        room = base + "ml-palace/entrance-and-stairs/index.html"
        assert badge(page, room) == "12 new cards today"  # 6 stops × (cp, route), not 18
        page.get_by_role("link", name="Quiz this room").click()
        page.locator("[data-card]").wait_for()
        assert counts(page) == "New 12 · Learning 0 · Due 0"
        checked = {
            name: page.get_by_role("checkbox", name=name).is_checked()
            for name in ("Place → Concept", "Concept → Place", "Route", "Sequence")
        }
        assert checked == {
            "Place → Concept": False,
            "Concept → Place": True,
            "Route": True,
            "Sequence": False,
        }
        assert page.evaluate("location.hash") == "#room=entrance-and-stairs"
        page.get_by_role("checkbox", name="Place → Concept").check()
        assert page.evaluate("location.hash") == "#room=entrance-and-stairs&cards=pc,cp,route"
        assert counts(page) == "New 18 · Learning 0 · Due 0"
        page.get_by_role("checkbox", name="Place → Concept").uncheck()
        assert page.evaluate("location.hash") == "#room=entrance-and-stairs"
        asked = []
        for _ in range(12):  # every new card of the room: Good, each back in 10 minutes
            asked.append(page.locator("[data-card]").get_attribute("data-kind"))
            answer_new(page, 1)
        assert sorted(asked) == ["cp"] * 6 + ["route"] * 6
        assert counts(page) == "New 0 · Learning 12 · Due 0"


FRONT_AND_ANSWER = """card => {
  const front = card.cloneNode(true);
  front.querySelector("[data-answer]").remove();
  front.querySelectorAll("[hidden]").forEach((node) => node.remove());
  const kind = card.getAttribute("data-kind");
  const texts = (selector) => [...card.querySelectorAll(selector)].map((n) => n.textContent);
  const answer = kind === "seq" ? texts(".answer .asked .step-concept")
    : kind === "list" ? texts(".answer .step-concept") : texts("[data-answer-main]");
  const steps = [...front.querySelectorAll("[data-steps] li")].map((li) => li.textContent);
  // another stop's name may hold the answer ("Stefan Silo" and "Silo"), nothing else may
  [...front.querySelectorAll(".from, .step-place")]
    .filter((node) => !answer.includes(node.textContent)).forEach((node) => node.remove());
  return {kind, answer, steps, text: front.textContent.replace(/\\s+/g, " ").trim(),
    all: texts("[data-answer-steps] li")};
}"""


def test_every_card_of_the_seed_keeps_its_answer_off_its_front(
    browser: Browser, tmp_path: Path
) -> None:
    context, page, watch = new_page(browser)
    try:
        with serve(write(tmp_path, new_cards_per_day=1000)) as base:
            page.goto(base + "ml-palace/quiz.html")
            assert counts(page) == f"New {SEED_CARDS} · Learning 0 · Due 0"
            seen: dict[str, str] = {}
            kinds: dict[str, int] = {}
            card = page.locator("[data-card]")
            for _ in range(SEED_CARDS):
                page.keyboard.press("Space")
                shown = card.evaluate(FRONT_AND_ANSWER)
                front, answer = shown["text"], shown["answer"]
                kinds[shown["kind"]] = kinds.get(shown["kind"], 0) + 1
                for text in answer:
                    assert text and text not in front, f"{shown['kind']}: {text!r} on {front!r}"
                key = f"{front} => {answer}"
                assert key not in seen, f"two cards with the same cue and answer: {key}"
                seen[key] = shown["kind"]
                if shown["kind"] == "seq":  # the steps before the asked one, never later ones
                    asked = len(shown["steps"])
                    step_k = next(t for t in front.split(" · ") if t.startswith("step "))
                    k = int(step_k.split()[1])
                    assert shown["steps"][-1].endswith(": […]")
                    assert [s.split(":")[0] for s in shown["steps"]] == [
                        s.split(":")[0] for s in shown["all"][k - asked : k]
                    ]
                    assert asked <= 3
                if shown["kind"] == "route":
                    assert "›" not in front, "no room on a route's front"
                page.keyboard.press("4")
            assert page.locator("[data-done]").is_visible()
            assert kinds == {"pc": 30, "cp": 35, "route": 34, "seq": 5, "list": 1}
        assert watch.console == [] and watch.failed == []
    finally:
        context.close()


# -- progress stored so far ------------------------------------------------------------------


def test_progress_of_the_first_format_keeps_its_cards(page: Page, base: str) -> None:
    now = int(STEADY.timestamp() * 1000)  # the pages' clock starts there (`new_page`)
    day = 86_400_000

    def state(due: int, reps: int) -> dict[str, float]:
        return {"due": due, "stability": 3.2, "difficulty": 5.1, "scheduled_days": 3,
                "learning_steps": 0, "reps": reps, "lapses": 0, "state": 2,
                "last_review": now - 3 * day}  # fmt: skip

    old = {
        "format": "palace-progress",
        "version": 1,
        "palace": "ml-palace",
        "cards": {
            "enter-property:pc": state(now - day, 4),  # due: comes first
            "torbogen:cp": state(now + 5 * day, 2),
            "window--street:pc": state(now + 9 * day, 7),  # a step's: now its Sequence card
        },
    }
    page.goto(base + "ml-palace/quiz.html")
    page.evaluate(f"localStorage.setItem({json.dumps(KEY)}, {json.dumps(json.dumps(old))})")
    page.reload()
    assert page.locator("[data-message]").inner_text() == "", "read without complaint"
    assert counts(page) == "New 20 · Learning 0 · Due 1"
    assert cue(page) == "Enter property", "the card due, as it was stored"
    page.keyboard.press("Space")
    assert page.locator("[data-grades] [data-interval]").first.inner_text() != "1 min"
    assert badge(page, base + "ml-palace/index.html") == "1 card due today · 20 new"
    page.goto(base + "ml-palace/quiz.html")
    answer_new(page, 1, "3")
    saved = stored(page)
    assert saved["version"] == 2
    assert saved["cards"]["torbogen:cp"] == old["cards"]["torbogen:cp"]
    assert saved["cards"]["window--street:seq"] == old["cards"]["window--street:pc"]
    assert "window--street:pc" not in saved["cards"]
    assert saved["cards"]["enter-property:pc"]["reps"] == 5, "reviewed once more"
    assert "first_review" not in saved["cards"]["enter-property:pc"], "not new today"
    assert counts(page) == "New 20 · Learning 0 · Due 0"


# -- phone, keyboard, axe -----------------------------------------------------------------------


def in_view(page: Page, name: str) -> None:
    box = page.get_by_role("button", name=name).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None, name
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], f"{name}: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], f"{name}: {box}"


def answer_in_view(page: Page) -> None:
    """The answer's top is above the action bar, seen without scrolling (the page scrolls by
    itself when the answer opens below the bar)."""
    answer = page.locator("[data-answer]").bounding_box()
    bar = page.locator("[data-actions]").bounding_box()
    assert answer is not None and bar is not None
    assert answer["y"] >= 0 and answer["y"] + 40 <= bar["y"], (answer, bar)


def cue_in_view(page: Page) -> None:
    cue = page.locator("[data-cue]").bounding_box()
    bar = page.locator("[data-actions]").bounding_box()
    assert cue is not None and bar is not None
    assert cue["y"] >= 0 and cue["y"] + cue["height"] <= bar["y"], (cue, bar)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_show_answer_and_the_grades_are_in_view(
    browser: Browser, base: str, scheme: str
) -> None:
    for phone in PHONES:
        context, page, watch = new_page(
            browser, viewport=phone, color_scheme=scheme, has_touch=True, is_mobile=True
        )
        try:
            for path in ("ml-palace/quiz.html", "ml-palace/quiz.html#room=view-from-the-window"):
                page.goto("about:blank")  # a new page load, not a change of the fragment
                page.goto(base + path)
                assert page.locator("[data-options]").get_attribute("open") is None
                assert page.evaluate("window.scrollY") == 0
                in_view(page, "Show the answer")
                page.get_by_role("button", name="Show the answer").tap()
                answer_in_view(page)
                for grade in ("Again", "Hard", "Good", "Easy"):
                    in_view(page, grade)
                in_view(page, "Undo")
                page.get_by_role("button", name="Easy").tap()
                cue_in_view(page)
                in_view(page, "Show the answer")
                page.get_by_role("button", name="Show the answer").tap()
                answer_in_view(page)
                for grade in ("Again", "Hard", "Good", "Easy"):
                    in_view(page, grade)
            # a sequence's whole list on the back: the grades stay in view
            page.goto(base + "ml-palace/quiz.html#room=view-from-the-window&cards=seq")
            answer_new(page, 4, "4")
            page.get_by_role("button", name="Show the answer").tap()
            answer_in_view(page)
            for grade in ("Again", "Hard", "Good", "Easy"):
                in_view(page, grade)
            page.get_by_role("button", name="Good").tap()
            cue_in_view(page)
            assert (
                page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                <= 0
            )
            assert watch.console == [] and watch.failed == []
        finally:
            context.close()


def test_keys_work_whatever_was_clicked_last(page: Page, base: str) -> None:
    page.goto(base + "ml-palace/quiz.html")
    answer = page.locator("[data-answer]")
    route = page.get_by_role("checkbox", name="Route")
    page.locator("label:has(input[value=route])").click()  # a kind of card, by its label
    assert not route.is_checked()
    page.keyboard.press("Space")
    assert answer.is_visible(), "Space reveals"
    assert not route.is_checked(), "and leaves the box alone"
    page.keyboard.press("3")
    assert answer.is_hidden()
    route.click()  # the box itself
    assert route.is_checked()
    page.keyboard.press("Enter")
    assert answer.is_visible() and route.is_checked()
    page.get_by_role("button", name="Hard").click()  # a grade
    assert answer.is_hidden()
    page.keyboard.press("Space")
    assert answer.is_visible()
    page.keyboard.press("1")
    assert answer.is_hidden()
    page.get_by_role("button", name="Show the answer").click()
    page.keyboard.press("4")
    assert counts(page).startswith("New 16 ")
    page.get_by_role("button", name="Undo").click()  # undo, then keys
    assert counts(page).startswith("New 17 ")
    page.keyboard.press("u")
    assert counts(page).startswith("New 18 ")
    page.locator("[data-options] summary").click()  # the options, folded or unfolded
    opened = page.locator("[data-options]").get_attribute("open")
    page.keyboard.press("Space")
    assert answer.is_visible()
    assert page.locator("[data-options]").get_attribute("open") == opened
    page.keyboard.press("Enter")  # Good
    assert answer.is_hidden()
    theme = page.evaluate("document.documentElement.getAttribute('data-theme')")
    page.get_by_role("button", name="Dark theme").click()  # the header's theme toggle
    toggled = page.evaluate("document.documentElement.getAttribute('data-theme')")
    assert toggled != theme
    page.keyboard.press("Space")
    assert answer.is_visible()
    assert page.evaluate("document.documentElement.getAttribute('data-theme')") == toggled
    page.keyboard.press("2")
    assert counts(page).startswith("New 16 ")
    search = page.get_by_role("combobox", name="Search rooms, loci and concepts")
    search.click()  # a text field keeps its keys
    page.keyboard.type("u 1")
    assert search.input_value() == "u 1" and counts(page).startswith("New 16 ")


def test_axe_finds_nothing_serious_in_either_theme_at_360_and_1280(
    browser: Browser, base: str
) -> None:
    script = chromium.axe_script()
    problems: dict[str, list[str]] = {}
    for viewport in ({"width": 360, "height": 640}, DESKTOP):
        for scheme in ("light", "dark"):
            context, page, _ = new_page(browser, viewport=viewport, color_scheme=scheme)
            try:
                states = {
                    "front": ("ml-palace/quiz.html", []),
                    "answer, undo on": ("ml-palace/quiz.html", ["Space", "3", "Space"]),
                    "sequence answer": (
                        "ml-palace/quiz.html#room=view-from-the-window&cards=seq",
                        ["Space", "4", "Space", "4", "Space"],
                    ),
                    "route answer": ("ml-palace/quiz.html#cards=route", ["Space"]),
                    "done": ("ml-palace/quiz.html#room=bedroom&cards=route", ["Space", "4"]),
                    "room page": ("ml-palace/kitchen/index.html", []),
                }
                for name, (path, keys) in states.items():
                    page.goto("about:blank")
                    page.goto(base + path)
                    for key in keys:
                        page.keyboard.press(key)
                    found = run_axe(page, script)
                    if found:
                        problems[f"{name} at {viewport['width']} {scheme}"] = found
            finally:
                context.close()
    assert problems == {}


def test_screenshots_of_the_quiz(browser: Browser, base: str, artifacts: Path) -> None:
    """The quiz at phone and desktop width, light and dark, front and back, for a person."""
    shots = {
        "quiz-front": ("ml-palace/quiz.html", []),
        "quiz-back": ("ml-palace/quiz.html", ["Space"]),
        "quiz-sequence": (
            "ml-palace/quiz.html#room=view-from-the-window&cards=seq",
            ["Space", "4", "Space", "4", "Space"],
        ),
        "quiz-route": ("ml-palace/quiz.html#cards=route", ["Space"]),
    }
    for scheme in ("light", "dark"):
        for viewport in ({"width": 375, "height": 740}, DESKTOP):
            context, page, _ = new_page(browser, viewport=viewport, color_scheme=scheme)
            try:
                for name, (path, keys) in shots.items():
                    page.goto("about:blank")
                    page.goto(base + path)
                    for key in keys:
                        page.keyboard.press(key)
                    suffix = "" if scheme == "light" else "-dark"
                    page.screenshot(path=artifacts / f"{name}-{viewport['width']}{suffix}.png")
            finally:
                context.close()
    assert (artifacts / "quiz-back-375-dark.png").stat().st_size > 0
