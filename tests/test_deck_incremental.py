"""Rebuilds from the previous deck after an edit, and decks kept unread.

A rebuild reads the previous build's collection and gives each note its previous id and mod
unless what it shows changed. These tests hold it to that: the changes reported, the same bytes
with or without the memo, and in the real Anki engine the edits applied in place, with review
history kept and nothing duplicated.
"""

from __future__ import annotations

import io
import json
import marshal
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageRequest
from conftest import DEFAULT_OPTIONS, answer, card_of, counts, scheduling

from builder.cache.memo import Memo, Reuse
from builder.deck import ALL_KINDS, DeckOutput, render, render_decks
from builder.deck.history import PreviousDeck, read_previous
from builder.deck.model import design
from builder.errors import PalaceError
from builder.notes.load import load_notes
from builder.notes.records import Palace

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "source" / "ml-palace.md").read_text(encoding="utf-8")
FILE = "ml-palace.apkg"
T0 = 1_700_000_000  # the first build
T1 = T0 + 86_400  # the rebuild, a day later
TWO_KINDS = frozenset({"place-concept", "concept-place"})


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def load(tmp_path: Path, text: str, name: str = "ml-palace.md") -> tuple[Palace, ...]:
    source = tmp_path / "source"
    source.mkdir(parents=True, exist_ok=True)
    (source / name).write_text(text, encoding="utf-8")
    notes = load_notes([str(source)])
    assert not notes.errors, notes.errors
    return notes.palaces


def save(output: DeckOutput, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in output.files.items():
        (folder / name).write_bytes(data)
    return folder


def carried(memo: Memo) -> Memo:
    """The memo as the next build (another process) loads it."""
    saved = marshal.loads(memo.dumps())
    return Memo(saved["stamp"], saved["tables"])


def collection(apkg: bytes) -> sqlite3.Connection:
    with zipfile.ZipFile(io.BytesIO(apkg)) as package:
        assert package.testzip() is None  # every entry's CRC-32 holds
        data = package.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    return db


def rows(apkg: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Everything Anki's importer reads from a package's collection."""
    db = collection(apkg)
    return {
        "notes": db.execute("SELECT * FROM notes ORDER BY id").fetchall(),
        "cards": db.execute("SELECT * FROM cards ORDER BY id").fetchall(),
        "col": db.execute("SELECT * FROM col").fetchall(),
        "schema": db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
    }


# -- a rebuild after one edit --------------------------------------------------------------

Edit = Callable[[str], str]
SPICE_RACK = "- Spice rack: Vocabulary: every token once\n"
MOM = "- Mom: Bias: values representing features (like personal preference)\n"
CASES: dict[str, tuple[Edit, frozenset[str], frozenset[str]]] = {
    "description": (
        lambda text: edit(text, "how quickly params are updated", "how fast the weights move"),
        ALL_KINDS,
        ALL_KINDS,
    ),
    "concept": (
        lambda text: edit(text, "Kitchenaid: Super Convergence:", "Kitchenaid: Super-convergence:"),
        ALL_KINDS,
        ALL_KINDS,
    ),
    "insert": (
        lambda text: edit(text, "- Cook book text:", SPICE_RACK + "- Cook book text:"),
        ALL_KINDS,
        ALL_KINDS,
    ),
    "removal": (lambda text: edit(text, MOM, ""), ALL_KINDS, ALL_KINDS),
    "more kinds": (lambda text: text, TWO_KINDS, ALL_KINDS),
    "fewer kinds": (lambda text: text, ALL_KINDS, TWO_KINDS),
}


class Rebuild:
    """The first build of the seed palace, and the rebuild after one edit, with the memo of the
    first build and without it; and a first build of the edited palace (`fresh`)."""

    def __init__(self, tmp_path: Path, case: str) -> None:
        change, before, after = CASES[case]
        memo = Memo("stamp")
        self.first = render_decks(load(tmp_path, SEED), None, kinds=before, now=T0, memo=memo)
        self.previous = save(self.first, tmp_path / "build-1")
        palaces = load(tmp_path, change(SEED))
        self.again = render_decks(palaces, self.previous, kinds=after, now=T1, memo=carried(memo))
        self.unremembered = render_decks(palaces, self.previous, kinds=after, now=T1)
        self.fresh = render(palaces, None, after, T1, design())


@pytest.mark.parametrize("case", list(CASES))
def test_a_rebuild_holds_the_rows_of_a_first_build_with_the_previous_ids_and_mods(
    tmp_path: Path, case: str
) -> None:
    rebuild = Rebuild(tmp_path, case)
    again = rebuild.again.files[FILE]
    before = {row[1]: row for row in rows(rebuild.first.files[FILE])["notes"]}
    after, fresh = rows(again), rows(rebuild.fresh.files[FILE])
    # The same notes (GUID, fields, tags) and cards as a first build of the edited palace, ...
    assert sorted((n[1], n[5], n[6]) for n in after["notes"]) == sorted(
        (n[1], n[5], n[6]) for n in fresh["notes"]
    )
    assert sorted(c[3] for c in after["cards"]) == sorted(c[3] for c in fresh["cards"])
    assert after["schema"] == fresh["schema"]
    # ... with each note's previous id, and its previous mod unless it shows something new.
    (change,) = rebuild.again.changes
    updated = {ref.id for ref in change.changed + change.refreshed}
    for note in after["notes"]:
        stop = note[6].split("\x1f")[0].partition("/")[2]
        old = before.get(note[1])
        if old is None:
            assert note[3] == T1 and note[0] >= T1 * 1000
        else:
            assert note[0] == old[0]
            assert note[3] == (T1 if stop in updated else old[3])
    # The memo only saves work: without it, the same bytes.
    assert rebuild.unremembered.files[FILE] == again
    assert rebuild.again.sizes == {FILE: len(again)}
    assert rebuild.again.cards == rebuild.fresh.cards


def test_what_each_edit_changes(tmp_path: Path) -> None:
    lines = {case: Rebuild(tmp_path / case, case).again.summary_lines() for case in CASES}
    assert lines == {
        "description": [f"{FILE}: 0 added, 1 changed, 34 unchanged, 0 removed"],
        # no other card shows Kitchenaid's concept (Route asks only for the next place)
        "concept": [f"{FILE}: 0 added, 1 changed, 34 unchanged, 0 removed"],
        # the 20 stops after the spice rack move one down the walk, Scale gets a new next stop
        "insert": [
            f"{FILE}: 1 added, 0 changed, 35 unchanged, 0 removed; "
            "21 unchanged with a new position, room or neighbour"
        ],
        "removal": [
            f"{FILE}: 0 added, 0 changed, 34 unchanged, 1 removed (Mom); "
            "14 unchanged with a new position, room or neighbour",
            '  removed from the notes, still in Anki: find them in Browse with "Id:ml-palace/mom",'
            " then suspend or delete them",
        ],
        "more kinds": [f"{FILE}: 0 added, 0 changed, 35 unchanged, 0 removed"],
        # an import never deletes a card: the build says where to find those no longer made
        "fewer kinds": [
            f"{FILE}: 0 added, 0 changed, 35 unchanged, 0 removed",
            "  34 Route cards are no longer made (card_kinds): find them in Browse with"
            ' "card:Route" "Id:ml-palace/*" and suspend or delete them',
            "  6 Sequence cards are no longer made (card_kinds): find them in Browse with"
            ' "card:Sequence" "Id:ml-palace/*" and suspend or delete them',
        ],
    }


# -- ... and the same notes, cards and reviews in Anki ----------------------------------------


@pytest.fixture
def collections(tmp_path: Path) -> Iterator[Callable[[str], Collection]]:
    opened: list[Collection] = []

    def new(name: str) -> Collection:
        (tmp_path / name).mkdir()
        opened.append(Collection(str(tmp_path / name / "collection.anki2")))
        return opened[-1]

    yield new
    for col in opened:
        col.close()


def import_bytes(col: Collection, apkg: bytes, folder: Path, name: str) -> dict[str, int]:
    path = folder / name
    path.write_bytes(apkg)
    request = ImportAnkiPackageRequest(package_path=str(path), options=DEFAULT_OPTIONS)
    return counts(col.import_anki_package(request).log)


def contents(col: Collection) -> dict[str, Any]:
    """What Anki holds, by GUID (note ids may differ between collections)."""
    assert col.db is not None
    notes = col.db.all("SELECT id, guid, mod, flds, tags FROM notes ORDER BY guid")
    guids = {note_id: guid for note_id, guid, *_ in notes}
    cards = col.db.all("SELECT nid, ord, did FROM cards")
    return {
        "notes": [tuple(note[1:]) for note in notes],
        "cards": sorted((guids[nid], ord_, col.decks.name(did)) for nid, ord_, did in cards),
        "note types": sorted(
            (m["name"], [f["name"] for f in m["flds"]], [t["qfmt"] for t in m["tmpls"]])
            for m in col.models.all()
        ),
    }


STUDIED = ("torbogen", "stairs-up", "kitchenaid", "mom", "window--silo")


@pytest.mark.parametrize("case", list(CASES))
def test_anki_applies_a_rebuild_in_place(
    tmp_path: Path, case: str, collections: Callable[[str], Collection]
) -> None:
    rebuild = Rebuild(tmp_path, case)
    first, again = (output.files[FILE] for output in (rebuild.first, rebuild.again))
    # The first deck imported, some cards studied; then the rebuild imported.
    col = collections("studied")
    assert import_bytes(col, first, tmp_path, "first.apkg") == {"new": 35}
    # a step has no Place → Concept card (its Sequence card asks that)
    cards = [
        card_of(col, stop, "Concept → Place" if "--" in stop else "Place → Concept")
        for stop in STUDIED
    ]
    for ease, card_id in zip((3, 4, 4, 3, 1), cards, strict=True):
        answer(col, card_id, ease)
    reviews = {card_id: scheduling(col, card_id) for card_id in cards}
    log = import_bytes(col, again, tmp_path, "again.apkg")
    (change,) = rebuild.again.changes
    assert log.get("new", 0) == len(change.added)
    assert log.get("updated", 0) == len(change.changed) + len(change.refreshed)
    assert set(log) <= {"new", "updated", "duplicate"}
    stops = 35 + (case == "insert")  # a removed stop stays in Anki: an import never deletes
    assert col.note_count() == stops  # nothing duplicated
    assert {card_id: scheduling(col, card_id) for card_id in reviews} == reviews
    # Its notes now read as in a collection that only ever saw the rebuild.
    fresh = collections("fresh")
    import_bytes(fresh, again, tmp_path, "again.apkg")
    held, expected = contents(col), contents(fresh)
    assert [n for n in held["notes"] if n[0] in {e[0] for e in expected["notes"]}] == expected[
        "notes"
    ]
    assert held["note types"] == expected["note types"]


def test_a_renamed_palace_file_is_said_and_pinning_the_old_id_keeps_its_cards(
    tmp_path: Path, collections: Callable[[str], Collection]
) -> None:
    """A palace's id comes from its file name, and its notes' GUIDs from the id: a rename
    would bring every note into Anki as new. The build says so and how to keep them."""
    site = tmp_path / "site"
    first = render_decks(load(tmp_path / "1", SEED), None, now=T0)
    save(first, site)
    col = collections("studied")
    assert import_bytes(col, first.files[FILE], tmp_path, "first.apkg") == {"new": 35}
    cards = [card_of(col, stop, "Place → Concept") for stop in STUDIED[:3]]
    for card_id in cards:
        answer(col, card_id, 3)
    reviews = {card_id: scheduling(col, card_id) for card_id in cards}

    renamed = load(tmp_path / "2", SEED, name="machine-learning.md")
    output = render_decks(renamed, site, now=T1, owned={FILE})
    (change,) = output.changes
    assert (change.file, len(change.added)) == ("machine-learning.apkg", 35)
    (said,) = change.advice
    assert "the places of 'ml-palace'" in said and "with {#ml-palace} and build" in said
    # a palace of other places, beside it or instead of it, is only new
    other = load(tmp_path / "3", "# Other\n\n## Hall\n- Door: Bias\n- Stove: Loss\n", "o.md")
    assert render_decks(other, site, now=T1, owned={FILE}).changes[0].advice == ()
    save(output, site)
    (site / FILE).unlink()  # as the build does: it no longer writes that deck

    pinned = edit(SEED, "# Machine learning palace\n", "# Machine learning palace {#ml-palace}\n")
    palaces = load(tmp_path / "4", pinned, "machine-learning.md")
    output = render_decks(palaces, site, now=T1 + 60, owned={"machine-learning.apkg"})
    assert output.changes[0].advice == (), "a pinned id is the owner's choice"
    assert import_bytes(col, output.files[FILE], tmp_path, "pinned.apkg") == {"updated": 35}
    assert col.note_count() == 35
    assert {card_id: scheduling(col, card_id) for card_id in reviews} == reviews


# -- what a patch leaves as it was ------------------------------------------------------------


def synthetic(loci: int, edited: int | None = None) -> str:
    """A palace of `loci` loci in rooms of 20; locus `edited` gets a longer description."""
    lines = ["# Big palace"]
    for n in range(loci):
        if n % 20 == 0:
            lines.append(f"\n## Room {n // 20}")
        description = f"the {n}th thing, with **bold** and `code` words to fill a card"
        if n == edited:
            description += " (now a little longer)"
        lines.append(f"- Place {n}: Concept {n}: {description}")
    return "\n".join(lines) + "\n"


def test_a_one_edit_rebuild_changes_one_note(tmp_path: Path) -> None:
    memo = Memo("stamp")
    first = render_decks(load(tmp_path, synthetic(3000), "big.md"), None, now=T0, memo=memo)
    previous = save(first, tmp_path / "build-1")
    edited = load(tmp_path, synthetic(3000, edited=1500), "big.md")
    again = render_decks(edited, previous, now=T1, memo=carried(memo))
    before, after = (rows(output.files["big.apkg"]) for output in (first, again))
    assert [a for a, b in zip(after["notes"], before["notes"], strict=True) if a != b] == [
        n for n in after["notes"] if n[6].startswith("big/place-1500\x1f")
    ]
    assert [a for a, b in zip(after["cards"], before["cards"], strict=True) if a != b] == [
        c for c in after["cards"] if c[4] == T1
    ]
    assert again.summary_lines() == ["big.apkg: 0 added, 1 changed, 2999 unchanged, 0 removed"]


def test_an_unchanged_rebuild_of_a_rebuilt_deck_is_byte_identical(tmp_path: Path) -> None:
    rebuild = Rebuild(tmp_path, "insert")
    second = save(rebuild.again, tmp_path / "build-2")
    palaces = load(tmp_path, CASES["insert"][0](SEED))
    third = render_decks(palaces, second, now=T1 + 3600)
    assert third.files == rebuild.again.files
    assert third.summary_lines() == [f"{FILE}: 0 added, 0 changed, 36 unchanged, 0 removed"]


def test_a_damaged_previous_collection_is_reported(tmp_path: Path) -> None:
    first = render_decks(load(tmp_path, SEED), None, now=T0)
    data = bytearray(first.files[FILE])
    with zipfile.ZipFile(io.BytesIO(first.files[FILE])) as package:
        entry = package.getinfo("collection.anki2")
    start = entry.header_offset + 30 + len(entry.filename) + len(entry.extra)
    data[start + 5000] ^= 0xFF  # a flipped byte in the deflated collection
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / FILE).write_bytes(bytes(data))
    with pytest.raises(PalaceError, match=r"ml-palace\.apkg: cannot read the previous deck"):
        render_decks(load(tmp_path, SEED), tmp_path / "out", now=T1)


# -- decks kept unread ------------------------------------------------------------------------


def keep_all(reuse: Reuse) -> Reuse:
    """The next build's Reuse, when every file the build wrote is still as it wrote it."""
    return Reuse(reuse.keys)


def test_an_unchanged_palace_is_kept_unread_and_unrendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    palaces = load(tmp_path, SEED)
    reuse = Reuse()
    first = render_decks(palaces, None, now=T0, memo=Memo("s"), reuse=reuse)
    previous = save(first, tmp_path / "out")
    size = (previous / FILE).stat().st_size
    # Not read: garbage where the deck was (same size) would fail any reading of it, ...
    (previous / FILE).write_bytes(b"\0" * size)
    # ... and neither is it opened or rendered.
    import builder.deck as deck

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read or rendered")

    monkeypatch.setattr(deck, "read_previous", refuse)
    monkeypatch.setattr(deck, "room_notes", refuse)
    kept = keep_all(reuse)
    again = render_decks(palaces, previous, now=T1, memo=Memo("s"), reuse=kept)
    assert again.files == {}
    assert kept.kept == {FILE}
    assert kept.keys == reuse.keys
    assert again.sizes == {FILE: size}
    assert again.cards == first.cards == 105
    assert again.summary_lines() == [f"{FILE}: 0 added, 0 changed, 35 unchanged, 0 removed"]
    assert len(again.changes[0].unchanged) == 35


@pytest.mark.parametrize(
    "change",
    [
        {"text": CASES["description"][0](SEED)},
        {"kinds": TWO_KINDS},
        {"deck_prefix": "Study"},
        {"css": "\n.cue { letter-spacing: 0.02em; }\n"},
    ],
    ids=["notes", "kinds", "prefix", "design"],
)
def test_a_deck_whose_inputs_changed_is_rendered(tmp_path: Path, change: dict[str, Any]) -> None:
    reuse = Reuse()
    first = render_decks(load(tmp_path, SEED), None, now=T0, reuse=reuse)
    previous = save(first, tmp_path / "out")
    palaces = load(tmp_path, change.get("text", SEED))
    cards = design()
    if "css" in change:
        cards = cards._replace(css=cards.css + change["css"])
    kept = keep_all(reuse)
    again = render(
        palaces,
        previous,
        change.get("kinds", ALL_KINDS),
        T1,
        cards,
        change.get("deck_prefix", ""),
        reuse=kept,
    )
    assert list(again.files) == [FILE] and kept.kept == set()
    assert kept.keys[FILE] != reuse.keys[FILE]


def test_of_two_palaces_only_the_edited_one_is_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = SEED.replace("# Machine learning palace", "# Other palace")
    load(tmp_path, other, "other.md")
    memo, reuse = Memo("s"), Reuse()
    first = render_decks(load(tmp_path, SEED), None, now=T0, memo=memo, reuse=reuse)
    out = save(first, tmp_path / "out")
    kept = keep_all(reuse)
    memo = carried(memo)
    edited = load(tmp_path, CASES["concept"][0](SEED))
    second = render_decks(edited, out, now=T1, memo=memo, reuse=kept)
    assert list(second.files) == [FILE] and kept.kept == {"other.apkg"}
    assert set(second.sizes) == {FILE, "other.apkg"}
    assert second.summary_lines() == [
        f"{FILE}: 0 added, 1 changed, 34 unchanged, 0 removed",
        "other.apkg: 0 added, 0 changed, 35 unchanged, 0 removed",
    ]


def test_a_kept_deck_deleted_since_is_rendered_after_all(tmp_path: Path) -> None:
    palaces = load(tmp_path, SEED)
    reuse = Reuse()
    first = render_decks(palaces, None, now=T0, reuse=reuse)
    previous = save(first, tmp_path / "out")
    (previous / FILE).unlink()
    kept = keep_all(reuse)
    again = render_decks(palaces, previous, now=T1, reuse=kept)
    assert kept.kept == set()
    assert list(again.files) == [FILE]
    assert again.summary_lines() == [f"{FILE}: 35 added, 0 changed, 0 unchanged, 0 removed"]


def test_a_kept_deck_changes_no_id_of_the_decks_after_it(tmp_path: Path) -> None:
    first = render_decks(load(tmp_path, SEED), None, now=T0)
    out = save(first, tmp_path / "out")
    # A palace added a day later comes first on the walk of files: its notes' ids are newer.
    load(tmp_path, SEED.replace("# Machine learning palace", "# First palace"), "aaa.md")
    reuse = Reuse()
    second = render_decks(load(tmp_path, SEED), out, now=T1, reuse=reuse)
    save(second, out)
    # The clock is back at T0 (SOURCE_DATE_EPOCH, say) and the ml palace gets a new locus:
    # its id must not depend on whether the first palace's deck was kept or read.
    palaces = load(tmp_path, CASES["insert"][0](SEED))
    assert [palace.id for palace in palaces] == ["aaa", "ml-palace"]
    kept = keep_all(reuse)
    with_kept = render_decks(palaces, out, now=T0, reuse=kept)
    assert kept.kept == {"aaa.apkg"}
    read = render_decks(palaces, out, now=T0)
    assert with_kept.files[FILE] == read.files[FILE]


def test_a_previous_deck_zipped_otherwise_gives_the_same_rebuild(tmp_path: Path) -> None:
    # Decks of earlier versions, or rezipped by hand: only what the entries hold counts.
    rebuild = Rebuild(tmp_path, "concept")
    rezipped = tmp_path / "rezipped"
    rezipped.mkdir()
    with (
        zipfile.ZipFile(io.BytesIO(rebuild.first.files[FILE])) as package,
        zipfile.ZipFile(rezipped / FILE, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as other,
    ):
        for name in reversed(package.namelist()):
            other.writestr(name, package.read(name))
    assert (rezipped / FILE).read_bytes() != rebuild.first.files[FILE]
    palaces = load(tmp_path, CASES["concept"][0](SEED))
    again = render_decks(palaces, rezipped, now=T1)
    assert again.files == rebuild.again.files


def test_a_deck_key_does_not_depend_on_how_python_holds_its_strings(tmp_path: Path) -> None:
    import sys

    from builder.deck.media import media_name
    from builder.deck.notes import layout

    palaces = load(tmp_path, SEED)
    before = layout(palaces[0], ALL_KINDS, "", media_name).key
    # Interned strings, and strings referenced from elsewhere, are what another run may have.
    held = [sys.intern(locus.concept) for room in palaces[0].rooms for locus in room.loci]
    assert layout(palaces[0], ALL_KINDS, "", media_name).key == before
    assert held


# -- a collection patched build after build ---------------------------------------------------

STEPS: tuple[Edit, ...] = (
    CASES["description"][0],
    CASES["insert"][0],  # mid-room
    lambda text: edit(text, "## Bathroom\n", "## Washroom\n"),  # a new room id: a new deck
    CASES["removal"][0],
)


def chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, patch: bool) -> list[bytes]:
    """The seed palace's deck, then a rebuild after each step, each from the one before;
    `patch` False: every collection written anew (the same ids and mods)."""
    import builder.deck as deck

    read = read_previous

    def unpatchable(path: Path | None) -> PreviousDeck | None:
        previous = read(path)
        return previous and previous._replace(collection=None)

    if not patch:
        monkeypatch.setattr(deck, "read_previous", unpatchable)
    text, previous, decks = SEED, None, []
    for number in range(len(STEPS) + 1):
        if number:
            text = STEPS[number - 1](text)
        out = render_decks(load(tmp_path, text), previous, now=T0 + number * 86_400)
        previous = save(out, tmp_path / f"build-{number}")
        decks.append(out.files[FILE])
    monkeypatch.undo()
    return decks


def study(col: Collection, decks: list[bytes], folder: Path) -> list[dict[str, int]]:
    """Import the first deck, study some cards, import each rebuild; the studied cards keep
    their state. The import logs."""
    import_bytes(col, decks[0], folder, "0.apkg")
    # a step has no Place → Concept card (its Sequence card asks that)
    cards = [
        card_of(col, stop, "Concept → Place" if "--" in stop else "Place → Concept")
        for stop in STUDIED
    ]
    for ease, card_id in zip((3, 4, 4, 3, 1), cards, strict=True):
        answer(col, card_id, ease)
    reviews = {card_id: scheduling(col, card_id) for card_id in cards}
    logs = [import_bytes(col, data, folder, f"{n}.apkg") for n, data in enumerate(decks[1:], 1)]
    assert {card_id: scheduling(col, card_id) for card_id in cards} == reviews
    return logs


def anki_check(apkg: bytes, folder: Path) -> tuple[str, bool]:
    """Anki's "Check Database" on a package's collection, opened as a collection of its own."""
    folder.mkdir(exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(apkg)) as package:
        (folder / "collection.anki2").write_bytes(package.read("collection.anki2"))
    col = Collection(str(folder / "collection.anki2"))
    try:
        return col.fix_integrity()
    finally:
        col.close()


def test_a_patched_deck_holds_the_rows_of_one_written_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patched = chain(tmp_path / "chain-patched", monkeypatch, patch=True)
    anew = chain(tmp_path / "chain-anew", monkeypatch, patch=False)
    for one, other in zip(patched[1:], anew[1:], strict=True):
        assert one != other  # patched, not written anew
        rows_of = rows(one)
        assert rows_of == rows(other)
        db = collection(one)
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # Anki's own check finds in it what it finds in the deck written anew.
        checked = anki_check(one, tmp_path / "check-patched")
        assert checked == anki_check(other, tmp_path / "check") and checked[1]
    decks = json.loads(rows(patched[-1])["col"][0][10])
    assert "Machine learning palace::02 Washroom" in {deck["name"] for deck in decks.values()}
    assert "Machine learning palace::Bathroom" not in {deck["name"] for deck in decks.values()}


def test_anki_imports_patched_decks_as_decks_written_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collections: Callable[[str], Collection]
) -> None:
    patched = chain(tmp_path / "chain-patched", monkeypatch, patch=True)
    anew = chain(tmp_path / "chain-anew", monkeypatch, patch=False)
    col, other = collections("patched"), collections("anew")
    logs = study(col, patched, tmp_path)
    assert study(other, anew, tmp_path) == logs
    assert all(set(log) <= {"new", "updated", "duplicate"} for log in logs)
    assert contents(col) == contents(other)
    types = [name for name, *_ in contents(col)["note types"] if name.startswith("Palace locus")]
    assert types == ["Palace locus"]  # no second note type
    # And the last deck alone reads as a first build of the same notes.
    first_build = render_decks(load(tmp_path, text_after_steps()), None, now=T1)
    alone, scratch = collections("alone"), collections("scratch")
    import_bytes(alone, patched[-1], tmp_path, "alone.apkg")
    import_bytes(scratch, first_build.files[FILE], tmp_path, "scratch.apkg")
    assert shown(alone) == shown(scratch)


def text_after_steps() -> str:
    text = SEED
    for step in STEPS:
        text = step(text)
    return text


def shown(col: Collection) -> dict[str, Any]:
    """What a collection shows, whatever the notes' ids and mods."""
    held = contents(col)
    return {**held, "notes": [(guid, flds, tags) for guid, _, flds, tags in held["notes"]]}


def test_many_patches_do_not_grow_the_collection(tmp_path: Path) -> None:
    text = SEED
    out = render_decks(load(tmp_path, text), None, now=T0)
    for number in range(1, 51):
        previous = save(out, tmp_path / "out")
        if number % 2 == 0:
            text = edit(text, "how quickly params", f"({number}) how quickly params")
        elif SPICE_RACK in text:
            text = edit(text, SPICE_RACK, "")
        else:
            text = edit(text, "- Cook book text:", SPICE_RACK + "- Cook book text:")
        out = render_decks(load(tmp_path, text), previous, now=T0 + number * 60)
    fresh = render_decks(load(tmp_path, text), None, now=T0)
    grown, anew = (len(collection(o.files[FILE]).serialize()) for o in (out, fresh))
    assert grown <= anew * 1.25


def test_a_previous_deck_holding_other_notes_is_written_anew(tmp_path: Path) -> None:
    first = render_decks(load(tmp_path, SEED), None, now=T0)
    db = collection(first.files[FILE])
    columns = "mod, usn, tags, flds, sfld, csum, flags, data"
    db.execute(f"INSERT INTO notes SELECT id + 1, 'other', 42, {columns} FROM notes LIMIT 1")
    db.commit()
    out = tmp_path / "out"
    out.mkdir()
    with zipfile.ZipFile(out / FILE, "w") as package:
        package.writestr("collection.anki2", db.serialize())
    palaces = load(tmp_path, CASES["description"][0](SEED))
    again = render_decks(palaces, out, now=T1)  # without the other note
    clean = render_decks(palaces, save(first, tmp_path / "clean"), now=T1)
    assert rows(again.files[FILE]) == rows(clean.files[FILE])
    assert again.files != clean.files  # that one patched


def test_words_removed_or_replaced_do_not_stay_in_a_patched_deck(tmp_path: Path) -> None:
    first = render_decks(load(tmp_path, SEED), None, now=T0)
    previous = save(first, tmp_path / "out")
    text = CASES["removal"][0](CASES["description"][0](SEED))
    again = render_decks(load(tmp_path, text), previous, now=T1)
    data = collection(again.files[FILE]).serialize()
    assert b"how quickly params" not in data  # replaced
    assert b"representing features" not in data  # removed with Mom


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_deck_this_process_wrote_is_known_as_reading_it_would_tell(
    tmp_path: Path, case: str
) -> None:
    """`palace serve` reads back, from memory, the deck its last build wrote: exactly what
    reading the file gives, for a first build and for a patched rebuild."""
    from builder.deck.history import keep_written, scratch_files

    keep_written()
    try:
        built = Rebuild(tmp_path, case)
        known, databases = {}, {}
        for output, folder in ((built.first, "known-1"), (built.again, "known-2")):
            (file,) = save(output, tmp_path / folder).glob("*.apkg")
            known[file] = read_previous(file)
            assert known[file] is not None and read_previous(file) is known[file]  # from memory
            databases[file] = known[file].collection.read_bytes()  # type: ignore[union-attr]
    finally:
        keep_written(False)  # forgets; later builds in this process keep nothing
    for file, deck in known.items():
        with scratch_files():
            read = read_previous(file)
            assert read is not None and read is not deck
            assert read._replace(collection=None) == deck._replace(collection=None)
            assert list(read.notes) == list(deck.notes)  # in note id order, as read
            assert read.collection is not None and read.collection.read_bytes() == databases[file]
            assert read_previous(file) is not read  # a single build keeps nothing
