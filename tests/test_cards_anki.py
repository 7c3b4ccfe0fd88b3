"""The cards as a learner meets them in the real Anki engine, with Anki's default import and
deck options: new cards in walk order, one fact per card and never on its own front, sequences
as overlapping cloze, the mnemonic on every back; a collection made from the deck of the
previous release (tests/fixtures/ml-palace-0.1.apkg) brought up to date as the build says; and
the cards Anki renders, shown in headless Chromium as Anki's reviewer shows them (a body of
class `card`, `nightMode` at night): readable on a phone and a desktop, light and night, nothing
wider than the screen, no serious or critical axe violation; screenshots go to `artifacts`.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from anki.cards import Card
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageRequest
from browser import chromium
from browser.session import browser, new_page, run_axe
from conftest import DEFAULT_OPTIONS, answer, card_of, counts, scheduling

from builder.deck import render_decks
from builder.deck.model import MODEL_NAME
from builder.notes.load import load_notes

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["browser"]  # a fixture: pytest finds it here

ROOT = Path(__file__).resolve().parent.parent
OLD_DECK = ROOT / "tests" / "fixtures" / "ml-palace-0.1.apkg"  # as release 0.1 built the seed
T1 = 1_800_000_000  # after the old deck was built

MNEMONICS = """\
# Mnemonic palace

## Hall
- Gate: Transfer learning: retrain the end layers
> a robot repainting only the top of the gate
- Arch: Overfitting: fits the noise
> the arch squeezes around one single car
- Window: Training step:
> a treadmill in the window
  - Balcony: forward pass
  - Silo: backward pass
  - Street: optimizer step
  - Lamp: zero the grads

## Bedroom
- Bed: Dropout: drop some activations
> half the pillows vanish
"""


def deck_of(tmp_path: Path, text: str | None = None, previous: Path | None = None) -> Path:
    """The deck of the seed palace (or `text`), built as `palace build` does, in a new folder."""
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    if text is None:
        shutil.copy(ROOT / "source" / "ml-palace.md", source / "ml-palace.md")
    else:
        (source / "palace.md").write_text(text, encoding="utf-8")
    notes = load_notes([str(source)])
    assert not notes.errors
    out = render_decks(notes.palaces, previous, now=T1)
    folder = tmp_path / f"out-{len(list(tmp_path.glob('out-*')))}"
    folder.mkdir()
    (name, data), *_ = out.files.items()
    (folder / name).write_bytes(data)
    (folder / "summary.txt").write_text("\n".join(out.summary_lines()), encoding="utf-8")
    return folder / name


def import_deck(col: Collection, apkg: Path) -> dict[str, int]:
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=DEFAULT_OPTIONS)
    return counts(col.import_anki_package(request).log)


def note_types(col: Collection) -> list[str]:
    return sorted(m["name"] for m in col.models.all() if m["name"].startswith(MODEL_NAME))


def text_of(side: str) -> str:
    """What a card side shows as text: no style, no tags, entities read."""
    side = re.sub(r"<style>.*?</style>", "", side, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", side)).split())


def plain(field: str) -> str:
    return text_of(field)


def what_it_asks(card: Card) -> list[str]:
    """The answer a card asks for, as the texts that must not be on its front."""
    note, template = card.note(), card.template()["name"]
    if template == "Place → Concept":
        return [plain(note["Concept"])]
    if template == "Concept → Place":
        return [plain(note["Locus"])]
    if template == "Route":
        return [plain(note["Next"])]
    assert template == "Sequence"
    if note["Parent"]:
        return [plain(note["Concept"])]
    concepts = re.findall(r'class="step-concept">(.*?)</span></li>', note["Sequence"])
    return [plain(concept) for concept in concepts]


def stop_number(card: Card) -> int:
    return int(card.note()["Position"].split(" ", 1)[0])


def test_the_first_day_follows_the_walk(col: Collection, tmp_path: Path) -> None:
    assert import_deck(col, deck_of(tmp_path)) == {"new": 35}
    # The deck list shows the rooms in walk order.
    rooms = [name for name, _ in sorted((n.name, n.id) for n in col.decks.all_names_and_ids())]
    assert [name.split("::")[-1] for name in rooms if name.count("::") == 1] == [
        "01 Entrance and stairs", "02 Bathroom", "03 Hallway", "04 Kitchen", "05 Living room",
        "06 View from the window", "07 Bedroom",
    ]  # fmt: skip
    # The day's new cards under default deck options, from the top of the scheduler's queue.
    col.decks.select(col.decks.id_for_name("Machine learning palace") or 0)
    seen: list[int] = []
    for _ in range(20):
        (queued,) = col.sched.get_queued_cards(fetch_limit=1).cards
        card = col.get_card(queued.card.id)
        assert card.type == 0  # new
        seen.append(stop_number(card))
        answer(col, card.id, 4)
    assert col.sched.counts()[0] == 0  # the default limit: 20 new cards a day
    introduced = list(dict.fromkeys(seen))  # each stop where it first comes up
    assert introduced[0] == 1
    assert introduced == sorted(introduced), seen
    assert introduced == list(range(1, len(introduced) + 1))  # no stop skipped


def test_browse_sorts_the_notes_in_walk_order_by_a_readable_field(
    col: Collection, tmp_path: Path
) -> None:
    import_deck(col, deck_of(tmp_path))
    assert col.db is not None
    by_sort_field = col.db.list("SELECT sfld FROM notes ORDER BY sfld COLLATE NOCASE")
    assert by_sort_field[:3] == ["001 Enter property", "002 Torbogen", "003 Stairs up"]
    assert by_sort_field[27:30] == [
        "028 Window",
        "029 Window › Balcony",
        "030 Window › Stefan Silo",
    ]
    assert [int(text.split()[0]) for text in by_sort_field] == list(range(1, 36))


@pytest.mark.parametrize("palace", ["seed", "mnemonics"])
def test_one_fact_per_card_never_on_its_front(col: Collection, tmp_path: Path, palace: str) -> None:
    import_deck(col, deck_of(tmp_path, None if palace == "seed" else MNEMONICS))
    pairs = []
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        front, asked = text_of(card.question()), what_it_asks(card)
        for answer_text in asked:
            assert answer_text and answer_text.casefold() not in front.casefold(), (
                card.template()["name"], card.note()["Id"], answer_text, front
            )  # fmt: skip
        pairs.append((front, tuple(asked)))
    assert len(set(pairs)) == len(pairs)  # no two cards share cue and answer


def test_a_step_card_shows_only_the_steps_before_it(col: Collection, tmp_path: Path) -> None:
    import_deck(col, deck_of(tmp_path))
    steps = ["Balcony", "Stefan Silo", "Street", "Silo", "Halle"]
    concepts = [plain(col.get_note(col.find_notes(f'"Id:*/window--{s}"')[0])["Concept"])
                for s in ("balcony", "stefan-silo", "street", "silo", "halle")]  # fmt: skip
    for k, stop in enumerate(("balcony", "stefan-silo", "street", "silo", "halle"), 1):
        card = col.get_card(card_of(col, f"window--{stop}", "Sequence"))
        question, back = card.question(), card.answer()
        assert f"Core training step at Window · step {k} of 5" in text_of(question)
        shown = re.findall(r'class="step-locus">([^<]*)<', question)
        assert shown == steps[max(0, k - 3) : k]  # at most two before it, then itself
        for later in concepts[k - 1 :]:
            assert later not in text_of(question)
        # The back: the whole sequence in order, this step in its place.
        assert re.findall(r'class="step-locus">([^<]*)<', back.split('id="answer"')[1]) == steps
        assert f'<li class="asked"><span class="step-locus">{steps[k - 1]}</span>' in back
    whole = col.get_card(card_of(col, "window", "Sequence"))
    assert "Core training step" in text_of(whole.question())
    assert not re.findall(r'class="step-locus"', whole.question())
    assert re.findall(r'class="step-locus">([^<]*)<', whole.answer()) == steps


def test_every_back_shows_the_mnemonic_of_its_locus(col: Collection, tmp_path: Path) -> None:
    import_deck(col, deck_of(tmp_path, MNEMONICS))
    images = {
        "gate": "a robot repainting only the top of the gate",
        "arch": "the arch squeezes around one single car",
        "window": "a treadmill in the window",
        "bed": "half the pillows vanish",
    }
    cards = 0
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        stop = card.note()["Id"].split("/")[1]
        image = images[stop.split("--")[0]]  # a step shows its locus' image
        assert image in text_of(card.answer()).split("?")[-1], (stop, card.template()["name"])
        assert image not in text_of(card.question())
        cards += 1
    # 4 loci: place 4, concept 8, route 7, sequence 4 steps + the window's whole list
    assert cards == 4 + 8 + 7 + 5


def test_a_collection_of_the_previous_release_updates_in_place(
    col: Collection, tmp_path: Path
) -> None:
    """The README's upgrade: build over the old deck, do what the build says, import."""
    assert import_deck(col, OLD_DECK) == {"new": 35}
    studied = [card_of(col, stop, "Place → Concept") for stop in ("torbogen", "mash", "bed")]
    studied.append(card_of(col, "window--silo", "Place → Concept"))  # a card steps lose
    studied.append(card_of(col, "window--silo", "Sequence"))
    for card_id, ease in zip(studied, (3, 4, 1, 3, 4), strict=True):
        answer(col, card_id, ease)
    kept = [*studied[:3], studied[4]]  # every studied card but the one steps lose
    before = {card_id: scheduling(col, card_id) for card_id in kept}

    previous = tmp_path / "site"
    previous.mkdir()
    shutil.copy(OLD_DECK, previous / "ml-palace.apkg")
    deck = deck_of(tmp_path, None, previous)
    said = (deck.parent / "summary.txt").read_text(encoding="utf-8").splitlines()
    assert said[0].startswith("ml-palace.apkg: 0 added, 0 changed, 35 unchanged, 0 removed")
    assert said[1] == (
        "  rooms renamed or renumbered: before importing, rename these decks in Anki "
        "(Anki never moves cards on import):"
    )
    renames = [re.fullmatch(r"    '(.+)' → '(.+)'", line) for line in said[2:9]]
    assert said[9] == (
        "  5 cards of steps are no longer made (a step is asked by its Sequence card): after "
        "importing, Tools → Empty Cards in Anki deletes them"
    )
    # The learner renames the decks as said.
    for match in renames:
        assert match is not None
        old, new = match.groups()
        assert col.decks.id_for_name(old) is not None
        col.decks.rename(col.decks.id_for_name(old) or 0, new)
    palace = "Machine learning palace"
    walk = ["Entrance and stairs", "Bathroom", "Hallway", "Kitchen", "Living room",
            "View from the window", "Bedroom"]  # fmt: skip
    assert [match.groups() for match in renames if match] == [
        (f"{palace}::{room}", f"{palace}::{n:02d} {room}") for n, room in enumerate(walk, 1)
    ]
    assert sorted(n.name for n in col.decks.all_names_and_ids() if n.name.count("::") == 1) == [
        f"{palace}::{n:02d} {room}" for n, room in enumerate(walk, 1)
    ]
    assert import_deck(col, deck) == {"updated": 35}
    assert note_types(col) == [MODEL_NAME]  # no second note type
    assert {card_id: scheduling(col, card_id) for card_id in kept} == before
    # Tools → Empty Cards: the steps' Place → Concept cards, and nothing else.
    empty = col.get_empty_cards()
    gone = [card_id for note in empty.notes for card_id in note.card_ids]
    assert len(gone) == 5
    assert {col.get_card(card_id).template()["name"] for card_id in gone} == {"Place → Concept"}
    col.remove_cards_and_orphaned_notes(gone)
    assert col.card_count() == 105 and col.note_count() == 35
    assert len(col.find_cards('"Id:*/window" "card:Sequence"')) == 1  # the new whole-list card
    # Every card is in its room's numbered deck; no deck of the old names is left.
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        assert col.decks.name(card.did).endswith(f" {card.note()['Room']}")
    # Building again and importing again adds nothing, and never a note type.
    again = deck_of(tmp_path, None, deck.parent)
    assert again.read_bytes() == deck.read_bytes()
    assert import_deck(col, again) == {"duplicate": 35}
    assert note_types(col) == [MODEL_NAME]


# -- the cards on a screen ----------------------------------------------------------------

SIZES = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 800}}
# One card of each kind, and of a step: (stop id, card type)
CARDS = [
    ("arch", "Place → Concept"),
    ("arch", "Concept → Place"),
    ("arch", "Route"),
    ("window--street", "Sequence"),
    ("window", "Sequence"),
]
PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>card</title>'
    '</head><body class="{classes}"><main>{side}</main></body></html>'
)


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, str]]]:
    """Each card of CARDS as (question, answer) HTML, from the seed's steps and MNEMONICS."""
    folder = tmp_path_factory.mktemp("cards")
    (folder / "anki").mkdir()
    col = Collection(str(folder / "anki" / "collection.anki2"))
    try:
        text = MNEMONICS.replace(
            "  - Street: optimizer step",
            "  - Street: `optimizer.zero_grad()` # clear the previous grads, "
            "a_very_long_identifier_that_does_not_fit_on_a_phone_screen_at_all",
        )
        import_deck(col, deck_of(folder, text))
        found = {}
        for stop, template in CARDS:
            (card_id,) = col.find_cards(f'"Id:*/{stop}" "card:{template}"')
            card = col.get_card(card_id)
            found[f"{stop} {template}"] = (card.question(), card.answer())
        yield found
    finally:
        col.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_cards_are_readable_everywhere(
    browser: Browser,
    cards: dict[str, tuple[str, str]],
    artifacts: Path,
    size: str,
    night: bool,
) -> None:
    context, page, watch = new_page(browser, viewport=SIZES[size])
    try:
        script = chromium.axe_script()
        for name, sides in cards.items():
            for side_name, side in zip(("front", "back"), sides, strict=True):
                classes = "card nightMode" if night else "card"
                page.set_content(PAGE.format(classes=classes, side=side))
                overflow = page.evaluate(
                    "document.scrollingElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 0, (name, side_name, overflow)
                assert run_axe(page, script) == [], (name, side_name)
                shot = f"card-{name}-{side_name}-{size}-{'night' if night else 'light'}.png"
                page.screenshot(path=str(artifacts / shot.replace(" ", "_").replace("→", "to")))
        assert watch.console == [] and watch.dialogs == []
    finally:
        context.close()
