"""The decks read back by the real Anki engine (PyPI `anki`, headless), with the import options
Anki's import screen starts with: cards render, edits arrive, nothing is duplicated, reviews stay.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import unicodedata
import zipfile
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageRequest, ImportResponse
from conftest import DEFAULT_OPTIONS, answer, card_of, counts, scheduling

from builder.deck import ALL_KINDS, render, render_decks
from builder.deck.model import MODEL_NAME, Design, design
from builder.notes.load import load_notes
from builder.notes.records import Palace

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_700_000_000  # the first build
T1 = T0 + 86_400  # the rebuild after editing, a day later


def load(folder: Path) -> tuple[Palace, ...]:
    notes = load_notes([str(folder)])
    assert not notes.errors, notes.errors
    return notes.palaces


def write_notes(folder: Path, text: str, name: str = "test-palace.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def build(palaces: tuple[Palace, ...], out: Path, previous: Path | None, now: int) -> list[str]:
    """Render the decks into `out`, as the build will; returns the change summary."""
    decks = render_decks(palaces, previous, now=now)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in decks.files.items():
        (out / name).write_bytes(data)
    return decks.summary_lines()


def import_deck(col: Collection, apkg: Path) -> ImportResponse.Log:
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=DEFAULT_OPTIONS)
    return col.import_anki_package(request).log


def note_types(col: Collection) -> list[str]:
    return sorted(m["name"] for m in col.models.all() if m["name"].startswith(MODEL_NAME))


def note_of(col: Collection, stop_id: str) -> dict[str, str]:
    (note_id,) = col.find_notes(f'"Id:*/{stop_id}"')
    return dict(col.get_note(note_id).items())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def html_tags(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.tags


def assert_renders(col: Collection) -> None:
    """Every card renders both sides through Anki, non-empty, with no unrendered `{{`."""
    assert col.get_empty_cards().notes == []
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        for side in (card.question(), card.answer()):
            visible = side.split("</style>", 1)[-1]
            assert "palace-card" in visible and "{{" not in visible, (card_id, visible)
            assert "}}" not in visible, (card_id, visible)


# -- importing the seed palace ---------------------------------------------------------------


def test_default_options_are_those_of_the_import_screen(col: Collection) -> None:
    assert col._backend.get_import_anki_package_presets() == DEFAULT_OPTIONS


def test_seed_palace_imports_with_every_card_rendering(col: Collection, tmp_path: Path) -> None:
    summary = build(load(ROOT / "source"), tmp_path / "site", None, T0)
    assert summary == ["ml-palace.apkg: 35 added, 0 changed, 0 unchanged, 0 removed"]
    log = import_deck(col, tmp_path / "site" / "ml-palace.apkg")
    # 30 loci + 5 steps (the window's view) = 35 notes
    assert counts(log) == {"new": 35}
    assert col.note_count() == 35
    # place→concept 30 (the loci; a step is asked by its Sequence card), concept→place 35,
    # route 34 (none for the last stop), sequence 6 (the 5 steps, and the window asking for all)
    assert col.card_count() == 105
    by_template = {
        template: len(col.find_cards(f'"card:{template}"'))
        for template in ("Place → Concept", "Concept → Place", "Route", "Sequence")
    }
    assert by_template == {
        "Place → Concept": 30, "Concept → Place": 35, "Route": 34, "Sequence": 6,
    }  # fmt: skip
    assert note_types(col) == [MODEL_NAME]
    deck_names = sorted(d.name for d in col.decks.all_names_and_ids())
    assert deck_names == [
        "Default",
        "Machine learning palace",
        "Machine learning palace::01 Entrance and stairs",
        "Machine learning palace::02 Bathroom",
        "Machine learning palace::03 Hallway",
        "Machine learning palace::04 Kitchen",
        "Machine learning palace::05 Living room",
        "Machine learning palace::06 View from the window",
        "Machine learning palace::07 Bedroom",
    ]
    assert_renders(col)
    # Anki generates no card we left out: making the cards again adds none.
    col.after_note_updates(list(col.find_notes("")), mark_modified=False, generate_cards=True)
    assert col.card_count() == 105

    torbogen = col.get_card(card_of(col, "torbogen", "Place → Concept"))
    question = torbogen.question()
    for cue in ("Machine learning palace", "Entrance and stairs", "Torbogen", "Enter property"):
        assert cue in question
    assert re.search(r"you came from <span[^>]*>Enter property<", question)
    assert "Overfitting" not in question
    assert "Overfitting" in torbogen.answer()
    street = col.get_card(card_of(col, "window--street", "Sequence")).question()
    # the window's steps up to this one (at most two before it), this one blanked
    assert "Core training step" in street and "step 3 of 5" in street
    assert re.findall(r'class="step-locus">([^<]*)<', street) == [
        "Balcony",
        "Stefan Silo",
        "Street",
    ]
    assert (
        '<li class="asked"><span class="step-locus">Street</span>: <span class="blank">' in street
    )
    assert "output_batch = model(train_batch)" in street
    assert "optimizer.zero_grad()" not in street
    last = col.find_cards('"Id:*/bedroom-tv" "card:Route"')
    assert last == []  # the walk ends here
    tv = note_of(col, "tv")
    assert (tv["Next"], tv["NextConcept"], tv["Position"]) == ("Photo Books", "", "024 TV")
    assert col.get_note(col.find_notes('"Id:*/tv"')[0]).tags == [
        "ml-palace",
        "ml-palace::living-room",
    ]


# -- regeneration --------------------------------------------------------------------------


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def seed_imported(col: Collection, tmp_path: Path) -> tuple[Path, str, Path, Path]:
    """The seed's notes in `source/`, built into the first of two build folders and imported
    into `col`: (source, its text, first build, second build)."""
    source = tmp_path / "source"
    source.mkdir()
    seed = (ROOT / "source" / "ml-palace.md").read_text(encoding="utf-8")
    (source / "ml-palace.md").write_text(seed, encoding="utf-8")
    first, second = tmp_path / "build-1", tmp_path / "build-2"
    build(load(source), first, None, T0)
    assert counts(import_deck(col, first / "ml-palace.apkg")) == {"new": 35}
    return source, seed, first, second


def test_rebuild_after_edits_updates_in_place_and_keeps_reviews(
    col: Collection, tmp_path: Path
) -> None:
    source, seed, first, second = seed_imported(col, tmp_path)

    # Study a little: cards of loci that will be edited, moved, renamed or left alone.
    studied = {
        stop: card_of(col, stop, "Place → Concept")
        for stop in (
            "torbogen",
            "kitchenaid",
            "basement-door",
            "mash",
            "bedroom-tv",
        )
    }
    studied["window--silo"] = card_of(col, "window--silo", "Sequence")
    for ease, card_id in zip((3, 4, 4, 3, 4, 1), studied.values(), strict=True):
        answer(col, card_id, ease)
    answer(col, card_of(col, "kitchenaid", "Route"), 4)
    before = {stop: scheduling(col, card_id) for stop, card_id in studied.items()}
    assert all(len(s.revlog) == 1 for s in before.values())
    assert before["kitchenaid"].ivl > 0 and before["kitchenaid"].type == 2  # a review card now

    text = seed
    # typo fix in a concept
    text = edit(text, "Kitchenaid: Super Convergence:", "Kitchenaid: Super-convergence:")
    # a locus inserted in the middle of a room
    text = edit(
        text, "- Cook book text:", "- Spice rack: Vocabulary: every token once\n- Cook book text:"
    )
    # a room renamed
    text = edit(text, "## Hallway", "## Corridor")
    # a locus regrouped into the next room (the walk order stays)
    mash = "- Mash: Weight decay: subtract constant wd * weights every time a batch is processed\n"
    text = edit(text, mash + "\n## Living room\n", "\n## Living room\n\n" + mash)
    # a locus added at the end
    text += "- Nightstand: Early stopping: stop when the validation loss rises\n"
    (source / "ml-palace.md").write_text(text, encoding="utf-8")

    summary = build(load(source), second, first, T1)
    # 37 stops; 22 unchanged ones move one stop down, change room or neighbour; the build says
    # what an import cannot do, and the learner does it as said.
    palace = "Machine learning palace"
    assert summary == [
        "ml-palace.apkg: 2 added, 1 changed, 34 unchanged, 0 removed; "
        "22 unchanged with a new position, room or neighbour",
        "  rooms renamed or renumbered: before importing, rename these decks in Anki "
        "(Anki never moves cards on import):",
        f"    '{palace}::03 Hallway' → '{palace}::03 Corridor'",
        "  1 moved to another room: after importing, move their cards in Anki's Browse with "
        f"Change Deck: Mash to '{palace}::05 Living room'",
    ]
    hallway = col.decks.id_for_name(f"{palace}::03 Hallway")
    assert hallway is not None
    col.decks.rename(hallway, f"{palace}::03 Corridor")
    log = import_deck(col, second / "ml-palace.apkg")
    mash_cards = col.find_cards('"Id:*/mash"')
    col.set_deck(mash_cards, col.decks.id_for_name(f"{palace}::05 Living room") or 0)
    # updated: the 2 loci of the renamed room (stops 9-10), Scale (15: its next stop is now the
    # spice rack) and stops 16-35, one further down the walk (20, among them Kitchenaid's typo
    # fix and the regrouped Mash); unchanged: stops 1-8 and 11-14.
    assert counts(log) == {"new": 2, "updated": 23, "duplicate": 12}
    assert col.note_count() == 37  # nothing duplicated
    # 105 + spice rack (3 cards) + nightstand (2: the last stop has no route) + bedroom TV's new
    # route card (it is no longer the last stop)
    assert col.card_count() == 111
    assert note_types(col) == [MODEL_NAME]
    assert_renders(col)
    # Every card is in the deck of its room now, and no deck is left empty.
    rooms = {deck.id: deck.name for deck in col.decks.all_names_and_ids()}
    for card_id in col.find_cards('"note:Palace locus"'):
        card = col.get_card(card_id)
        room = card.note()["Room"]
        assert rooms[card.did].split("::")[-1][3:] == room, (card.note()["Id"], rooms[card.did])
    assert sorted(rooms.values())[1:] == [palace] + [f"{palace}::{name}" for name in (
        "01 Entrance and stairs", "02 Bathroom", "03 Corridor", "04 Kitchen", "05 Living room",
        "06 View from the window", "07 Bedroom",
    )]  # fmt: skip

    assert note_of(col, "kitchenaid")["Concept"] == "Super-convergence"
    assert note_of(col, "basement-door")["Room"] == "Corridor"
    assert note_of(col, "mash")["Room"] == "Living room"
    assert note_of(col, "mash")["Position"] == "021 Mash"
    assert note_of(col, "bedroom-tv")["Next"] == "Nightstand"
    assert col.get_note(col.find_notes('"Id:*/mash"')[0]).tags == [
        "ml-palace", "ml-palace::living-room",
    ]  # fmt: skip
    assert col.find_cards('"Id:*/bedroom-tv" "card:Route"') != []

    after = {stop: scheduling(col, card_id) for stop, card_id in studied.items()}
    assert after == before  # due dates, intervals and review history survive

    # Rebuilding the edited notes again changes nothing, in the file or in Anki.
    third = tmp_path / "build-3"
    build(load(source), third, second, T1 + 3600)
    assert (third / "ml-palace.apkg").read_bytes() == (second / "ml-palace.apkg").read_bytes()
    assert counts(import_deck(col, third / "ml-palace.apkg")) == {"duplicate": 37}


def test_a_new_title_is_one_rename_of_the_palace_deck_in_anki(
    col: Collection, tmp_path: Path
) -> None:
    """A new title renames every room's deck; Anki renames a deck's subdecks with it, so the
    build asks for that one rename, then the room renamed too, from the palace's new name."""
    source, seed, first, second = seed_imported(col, tmp_path)
    studied = card_of(col, "kitchenaid", "Place → Concept")
    answer(col, studied, 4)
    before = scheduling(col, studied)
    text = edit(seed, "# Machine learning palace\n", "# ML palace\n")
    (source / "ml-palace.md").write_text(edit(text, "## Hallway", "## Corridor"), "utf-8")

    summary = build(load(source), second, first, T1)
    assert summary[1:] == [
        "  rooms renamed or renumbered: before importing, rename these decks in Anki "
        "(Anki never moves cards on import):",
        "    'Machine learning palace' → 'ML palace'",
        "    'ML palace::03 Hallway' → 'ML palace::03 Corridor'",
    ]
    for line in summary[2:]:  # as the learner does: in the order said
        old, new = re.findall(r"'([^']*)'", line)
        col.decks.rename(col.decks.id_for_name(old) or 0, new)
    assert counts(import_deck(col, second / "ml-palace.apkg")) == {"updated": 35}
    assert col.note_count() == 35 and scheduling(col, studied) == before
    rooms = {deck.id: deck.name for deck in col.decks.all_names_and_ids()}
    for card_id in col.find_cards('"note:Palace locus"'):
        card = col.get_card(card_id)
        palace, room = rooms[card.did].split("::")
        assert (palace, room[3:]) == ("ML palace", card.note()["Room"]), card.note()["Id"]
    assert sorted(rooms.values())[1:] == ["ML palace"] + [f"ML palace::{name}" for name in (
        "01 Entrance and stairs", "02 Bathroom", "03 Corridor", "04 Kitchen", "05 Living room",
        "06 View from the window", "07 Bedroom",
    )]  # fmt: skip


def test_template_and_css_changes_reach_anki_without_a_second_note_type(
    col: Collection, tmp_path: Path
) -> None:
    palaces = load(write_notes(tmp_path / "source", SMALL))
    first = render(palaces, None, ALL_KINDS, T0, design())
    save(first.files, tmp_path / "build-1")
    assert counts(import_deck(col, tmp_path / "build-1" / "test-palace.apkg")) == {"new": 3}

    fronts = [(front.replace("What lives here?", "What lives here, again?"), back)
              for front, back in design().templates]  # fmt: skip
    restyled = Design(tuple(fronts), design().css + "\n.cue { letter-spacing: 0.02em; }\n")
    second = render(palaces, tmp_path / "build-1", ALL_KINDS, T1, restyled)
    save(second.files, tmp_path / "build-2")
    assert counts(import_deck(col, tmp_path / "build-2" / "test-palace.apkg")) == {"duplicate": 3}
    assert note_types(col) == [MODEL_NAME]
    card = col.get_card(card_of(col, "gate", "Place → Concept"))
    assert "What lives here, again?" in card.question()
    assert ".cue { letter-spacing: 0.02em; }" in card.question()


# -- pictures and hostile notes ----------------------------------------------------------------

SMALL = """\
# Test palace

## Hall
- Gate: Transfer learning: retrain the end layers
- Arch: Overfitting: fits the noise
- Stairs: Learning rate: how fast the weights move
"""


def save(files: dict[str, bytes], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def test_pictures_reach_the_media_folder_and_the_cards(col: Collection, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(ROOT / "tests" / "cases" / "pictures" / "gate.png", source / "gate.png")
    text = edit(SMALL, "## Hall\n", "## Hall\n![the hall](gate.png)\n")
    text = edit(text, "end layers\n", "end layers\n  ![the gate](gate.png)\n")
    write_notes(source, text)
    build(load(source), tmp_path / "site", None, T0)
    assert counts(import_deck(col, tmp_path / "site" / "test-palace.apkg")) == {"new": 3}
    media = sorted(p.name for p in Path(col.media.dir()).iterdir())
    assert len(media) == 1 and media[0].startswith("palace-") and media[0].endswith(".png")
    assert (Path(col.media.dir()) / media[0]).read_bytes() == (source / "gate.png").read_bytes()
    gate = col.get_card(card_of(col, "gate", "Place → Concept")).question()
    assert f'<img src="{media[0]}" alt="the gate">' in gate
    arch = col.get_card(card_of(col, "arch", "Place → Concept")).question()
    assert f'<img src="{media[0]}" alt="the hall">' in arch  # the room's picture
    assert col.media.check().missing == []


HOSTILE = """\
# Hostile <script>alert(1)</script>

## Room <img src=x onerror=alert(1)>
- Door <b onmouseover=alert(1)>x</b>: <script>alert(1)</script>: <img src=x onerror=alert(1)>
  > [x](javascript:alert(1)) and <a href="javascript:alert(1)">y</a>
- Hall: [safe](https://example.com): `a < b` & c <iframe src=javascript:alert(1)>
  - Step <svg onload=alert(1)>: <style>body{display:none}</style> # [z](JaVaScRiPt:alert(1))
"""


def test_hostile_notes_stay_inert_on_cards(col: Collection, tmp_path: Path) -> None:
    build(load(write_notes(tmp_path / "source", HOSTILE)), tmp_path / "site", None, T0)
    assert counts(import_deck(col, tmp_path / "site" / "test-palace.apkg")) == {"new": 3}
    assert_renders(col)
    sides = []
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        sides += [card.question(), card.answer()]
    for side in sides:
        body = side.split("</style>", 1)[1]  # Anki puts the note type's CSS first
        for tag, attrs in html_tags(body):
            assert tag not in {"script", "iframe", "svg", "style", "b"}, (tag, body)
            assert tag != "img" or dict(attrs).get("src") != "x", body
            for name, value in attrs:
                assert not name.startswith("on"), (tag, name, body)
                assert "javascript" not in (value or "").lower(), (tag, name, body)
    everything = "\n".join(sides)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in everything  # shown as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in everything
    assert "<a>x</a>" in everything  # the link text stays, its target does not
    assert '<a href="https://example.com">safe</a>' in everything
    assert "<code>a &lt; b</code> &amp; c" in everything  # Markdown code, escaped


@pytest.mark.parametrize(
    "title",
    [":::Haus:", 'Oma\'s "Garten"', "Haus\tzwei\x7f", unicodedata.normalize("NFD", "Küche"), "::"],
    ids=["colons", "quotes", "control", "nfd", "only-colons"],
)
def test_the_decks_palace_writes_are_the_ones_anki_keeps(
    col: Collection, tmp_path: Path, title: str
) -> None:
    """Anki keeps a deck name's levels in NFC, without control characters and `"`, trimmed, an
    empty one as `blank` (`::` separates them): the decks Palace writes must be the ones Anki
    keeps, or every later build's advice and every sync would speak of decks Anki lacks."""
    text = f"# {title}\n## Flur::Küche\n- A: B\n## :Bad\t\n- C: D\n## ::\n- E: F\n"
    build(load(write_notes(tmp_path / "source", text)), tmp_path / "site", None, T0)
    with zipfile.ZipFile(tmp_path / "site" / "test-palace.apkg") as package:
        (tmp_path / "c.anki2").write_bytes(package.read("collection.anki2"))
    with closing(sqlite3.connect(tmp_path / "c.anki2")) as db:
        (decks,) = db.execute("SELECT decks FROM col").fetchone()
    written = sorted(deck["name"] for deck in json.loads(decks).values())
    import_deck(col, tmp_path / "site" / "test-palace.apkg")
    kept = sorted(deck.name for deck in col.decks.all_names_and_ids())
    assert written == kept
    assert len(kept) == 5 and all("blank" not in name for name in kept)


def test_two_palaces_share_one_note_type(col: Collection, tmp_path: Path) -> None:
    source = tmp_path / "source"
    write_notes(source, SMALL, "first.md")
    write_notes(source, SMALL.replace("# Test palace", "# Other palace"), "second.md")
    build(load(source), tmp_path / "site", None, T0)
    assert counts(import_deck(col, tmp_path / "site" / "first.apkg")) == {"new": 3}
    assert counts(import_deck(col, tmp_path / "site" / "second.apkg")) == {"new": 3}
    assert col.note_count() == 6 and col.card_count() == 6 + 6 + 4
    assert note_types(col) == [MODEL_NAME]
    assert_renders(col)


def test_card_kinds_choose_the_cards_anki_gets(col: Collection, tmp_path: Path) -> None:
    palaces = load(write_notes(tmp_path / "source", SMALL))
    only_place = render_decks(palaces, None, kinds=frozenset({"place-concept"}), now=T0)
    save(only_place.files, tmp_path / "build-1")
    assert counts(import_deck(col, tmp_path / "build-1" / "test-palace.apkg")) == {"new": 3}
    assert col.card_count() == 3
    # All kinds again: the notes are unchanged, and Anki adds the cards it lacks.
    every = render_decks(palaces, tmp_path / "build-1", now=T1)
    save(every.files, tmp_path / "build-2")
    assert counts(import_deck(col, tmp_path / "build-2" / "test-palace.apkg")) == {"duplicate": 3}
    assert col.card_count() == 3 + 3 + 2
    assert_renders(col)


ANKI_SYNTAX = """\
# Anki's own syntax
- Gate: [sound:evil.mp3] plays nothing: [anki:tts lang=en_US]hello[/anki:tts] either
  > [latex]\\\\input{/etc/passwd}[/latex] and [$]x[/$] and [$$]y[/$$] are text
- Door [sound:door.mp3]: {{Front}} and {{c1::cloze}} stay text: [[type:Concept]]
  - Step [sound:s.mp3]: `[sound:code.mp3]` # [anki:play:q:0]
- Window: [x](javascript&#58;alert(1)) and [y](&#106;avascript:alert(1))
"""


def test_anki_syntax_in_notes_is_shown_not_played(col: Collection, tmp_path: Path) -> None:
    build(load(write_notes(tmp_path / "source", ANKI_SYNTAX)), tmp_path / "site", None, T0)
    import_deck(col, tmp_path / "site" / "test-palace.apkg")
    assert_renders(col)
    text = []
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        question, answer = card.question(), card.answer()
        assert card.question_av_tags() == [] and card.answer_av_tags() == [], question
        for side in (question, answer):
            body = side.split("</style>", 1)[1]
            assert "[anki:" not in body and "[sound:" not in body, body  # Anki's own tags
            assert "<img" not in body or "latex" not in body, body  # no LaTeX picture
            for _, attrs in html_tags(body):
                assert all("javascript" not in (v or "").lower() for _, v in attrs), body
            text.append(body)
    shown = "\n".join(text)
    assert "&#91;sound:evil.mp3]" in shown and "&#123;&#123;Front&#125;&#125;" in shown
    assert "&#91;latex]" in shown
