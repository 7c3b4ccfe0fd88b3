"""The deck renderer without Anki: ids, mods, change reports and reproducible bytes.

Anki itself reads the decks in test_deck_anki.py; these tests look inside the .apkg with the
standard library, as the next build does.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from builder.deck import ALL_KINDS, LocusRef, render_decks
from builder.deck.model import CARD_KINDS, FIELDS, MODEL_ID, MODEL_NAME, stable_id
from builder.deck.notes import is_room_deck_part, note_guid
from builder.errors import PalaceError
from builder.notes.load import load_notes
from builder.notes.records import Palace

T0 = 1_700_000_000  # the first build
T1 = T0 + 86_400  # a day later

THREE_ROOMS = """\
# Test palace

## Hall
- Gate: Transfer learning: retrain the end layers
- Arch: Overfitting: fits the noise
- Stairs: Learning rate: how fast weights move

## Kitchen
- Stove: Loss: distance to the labels
- Window: Training step:
  - Balcony: forward pass
  - Silo: backward pass # the grads
  - Street: optimizer step

## Bedroom
- Bed: Dropout: drop some activations
"""


def palaces(tmp_path: Path, text: str, name: str = "test-palace.md") -> tuple[Palace, ...]:
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    (source / name).write_text(text, encoding="utf-8")
    notes = load_notes([str(source / name)])
    assert not notes.errors, notes.errors
    return notes.palaces


def save(files: dict[str, bytes], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def collection(apkg: bytes) -> sqlite3.Connection:
    with zipfile.ZipFile(io.BytesIO(apkg)) as package:
        data = package.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    return db


def note_rows(apkg: bytes) -> dict[str, tuple[int, int, list[str]]]:
    """Stop id → (note id, mod, fields)."""
    rows = collection(apkg).execute("SELECT id, mod, flds FROM notes")
    result = {}
    for note_id, mod, flds in rows:
        fields = flds.split("\x1f")
        result[fields[0].partition("/")[2]] = (note_id, mod, fields)
    return result


def test_identities_are_frozen() -> None:
    # Changing any of these makes Anki create a second note type or duplicate every note.
    assert MODEL_NAME == "Palace locus"
    assert MODEL_ID == stable_id("palace/note-type/locus") == 173_657_894_717_146
    assert FIELDS == (
        "Id", "Palace", "Room", "Parent", "Locus", "Position", "Previous", "Concept",
        "Description", "Note", "Picture", "RoomPicture", "Next", "NextConcept", "Sequence",
    )  # fmt: skip
    assert [kind.template for kind in CARD_KINDS] == [
        "Place → Concept", "Concept → Place", "Route", "Sequence",
    ]  # fmt: skip
    assert note_guid("ml-palace", "torbogen") == "4WRGHrkdlSUH"
    assert note_guid("ml-palace", "torbogen") != note_guid("other", "torbogen")
    assert {"place-concept", "concept-place", "route", "sequence"} == ALL_KINDS


def test_first_build(tmp_path: Path) -> None:
    out = render_decks(palaces(tmp_path, THREE_ROOMS), None, now=T0)
    assert list(out.files) == ["test-palace.apkg"]
    assert out.summary_lines() == ["test-palace.apkg: 9 added, 0 changed, 0 unchanged, 0 removed"]
    db = collection(out.files["test-palace.apkg"])
    assert db.execute("SELECT count(*), min(mod), max(mod) FROM notes").fetchone() == (9, T0, T0)
    # place-concept 6 (the loci: a step is asked by its Sequence card), concept-place 9, route 8
    # (not the last stop), sequence 4 (the 3 steps, and their locus asking for all of them)
    assert db.execute("SELECT ord, count(*) FROM cards GROUP BY ord").fetchall() == [
        (0, 6), (1, 9), (2, 8), (3, 4),
    ]  # fmt: skip
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    assert list(models) == [str(MODEL_ID)]
    assert models[str(MODEL_ID)]["mod"] == T0
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    assert sorted(deck["name"] for deck in decks.values()) == [
        "Default", "Test palace", "Test palace::01 Hall", "Test palace::02 Kitchen",
        "Test palace::03 Bedroom",
    ]  # fmt: skip
    tags = {row[0] for row in db.execute("SELECT tags FROM notes")}
    assert tags == {
        " test-palace test-palace::hall ",
        " test-palace test-palace::kitchen ",
        " test-palace test-palace::bedroom ",
    }
    silo = note_rows(out.files["test-palace.apkg"])["window--silo"][2]
    head = (
        '<div class="sequence-head"><span class="sequence-concept">Training step</span> at '
        '<span class="sequence-locus">Window</span> · step 2 of 3</div>'
    )
    balcony = (
        '<li><span class="step-locus">Balcony</span>: '
        '<span class="step-concept">forward pass</span></li>'
    )
    assert dict(zip(FIELDS, silo, strict=True)) == {
        "Id": "test-palace/window--silo",
        "Palace": "Test palace",
        "Room": "Kitchen",
        "Parent": "Window",
        "Locus": "Silo",
        "Position": "007 Window › Silo",
        # the Sequence card's front: the steps before it, never a later one
        "Previous": f'{head}<ol class="steps" start="1">{balcony}<li class="asked">'
        '<span class="step-locus">Silo</span>: <span class="blank">?</span></li></ol>',
        "Concept": "backward pass",
        "Description": "the grads",
        "Note": "",
        "Picture": "",
        "RoomPicture": "",
        "Next": "Street",
        "NextConcept": "",
        # its back: the whole sequence, this step in its place
        "Sequence": f'{head}<ol class="steps">{balcony}<li class="asked">'
        '<span class="step-locus">Silo</span>: <span class="step-concept">backward pass</span>'
        '</li><li><span class="step-locus">Street</span>: '
        '<span class="step-concept">optimizer step</span></li></ol>',
    }


def test_unchanged_rebuild_is_byte_identical(tmp_path: Path) -> None:
    records = palaces(tmp_path, THREE_ROOMS)
    first = render_decks(records, None, now=T0)
    again = render_decks(records, None, now=T0)
    assert again.files == first.files
    previous = save(first.files, tmp_path / "out")
    later = render_decks(records, previous, now=T1)
    assert later.files == first.files
    assert later.summary_lines() == ["test-palace.apkg: 0 added, 0 changed, 9 unchanged, 0 removed"]


def test_zip_entries_are_fixed(tmp_path: Path) -> None:
    out = render_decks(palaces(tmp_path, THREE_ROOMS), None, now=T0)
    with zipfile.ZipFile(io.BytesIO(out.files["test-palace.apkg"])) as package:
        infos = package.infolist()
        assert package.read("media") == b"{}"
    assert [info.filename for info in infos] == ["collection.anki2", "media"]
    assert {(info.date_time, info.create_system) for info in infos} == {((1980, 1, 1, 0, 0, 0), 3)}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


def test_source_date_epoch_is_the_default_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0 + 5))
    out = render_decks(palaces(tmp_path, THREE_ROOMS), None)
    assert {mod for _, mod, _ in note_rows(out.files["test-palace.apkg"]).values()} == {T0 + 5}


def test_edit_changes_the_mods_of_exactly_the_notes_that_show_it(tmp_path: Path) -> None:
    first = render_decks(palaces(tmp_path, THREE_ROOMS), None, now=T0)
    previous = save(first.files, tmp_path / "out")
    before = note_rows(first.files["test-palace.apkg"])
    # A typo fix in Balcony's concept shows on Balcony and on the other stops of its sequence
    # (its locus' card asks for the whole list; Silo's and Street's fronts show the steps before).
    edited = THREE_ROOMS.replace("forward pass", "forward  pass!")
    out = render_decks(palaces(tmp_path, edited), previous, now=T1)
    after = note_rows(out.files["test-palace.apkg"])
    sequence = {"window", "window--balcony", "window--silo", "window--street"}
    assert {stop for stop in after if after[stop][1] != before[stop][1]} == sequence
    assert {after[stop][1] for stop in sequence} == {T1}
    assert {stop: row[0] for stop, row in after.items()} == {
        stop: row[0] for stop, row in before.items()
    }  # note ids are kept
    (change,) = out.changes
    assert change.changed == (LocusRef("window--balcony", "Balcony"),)
    assert change.refreshed == tuple(
        LocusRef(f"window{step}", name)
        for step, name in (("", "Window"), ("--silo", "Silo"), ("--street", "Street"))
    )
    assert out.summary_lines() == [
        "test-palace.apkg: 0 added, 1 changed, 8 unchanged, 0 removed; "
        "3 unchanged with a new position, room or neighbour"
    ]


def test_mod_always_grows_even_when_the_clock_goes_back(tmp_path: Path) -> None:
    first = render_decks(palaces(tmp_path, THREE_ROOMS), None, now=T1)
    previous = save(first.files, tmp_path / "out")
    edited = THREE_ROOMS.replace("fits the noise", "fits noise")
    out = render_decks(palaces(tmp_path, edited), previous, now=T0)
    assert note_rows(out.files["test-palace.apkg"])["arch"][1] == T1 + 1


def test_added_and_removed_loci(tmp_path: Path) -> None:
    first = render_decks(palaces(tmp_path, THREE_ROOMS), None, now=T0)
    previous = save(first.files, tmp_path / "out")
    edited = THREE_ROOMS.replace("- Arch: Overfitting: fits the noise\n", "").replace(
        "- Bed:", "- Lamp: Momentum: keep going\n- Bed:"
    )
    out = render_decks(palaces(tmp_path, edited), previous, now=T1)
    (change,) = out.changes
    assert change.added == (LocusRef("lamp", "Lamp"),)
    assert change.removed == (LocusRef("arch", "Arch"),)
    assert change.changed == ()
    assert len(change.unchanged) == 8
    assert out.summary_lines()[0].startswith(
        "test-palace.apkg: 1 added, 0 changed, 8 unchanged, 1 removed (Arch); "
    )
    new_ids = [row[0] for stop, row in note_rows(out.files["test-palace.apkg"]).items()]
    assert len(set(new_ids)) == 9 and max(new_ids) >= T1 * 1000


def test_template_change_grows_the_note_type_mod_only(tmp_path: Path) -> None:
    from builder.deck import render
    from builder.deck.model import Design, design

    records = palaces(tmp_path, THREE_ROOMS)
    first = render_decks(records, None, now=T0)
    previous = save(first.files, tmp_path / "out")
    restyled = Design(design().templates, design().css + "\n.cue { letter-spacing: 0.02em; }\n")
    out = render(records, previous, ALL_KINDS, T1, restyled)
    db = collection(out.files["test-palace.apkg"])
    model = json.loads(db.execute("SELECT models FROM col").fetchone()[0])[str(MODEL_ID)]
    assert model["mod"] == T1
    assert model["css"].endswith(".cue { letter-spacing: 0.02em; }\n")
    assert db.execute("SELECT DISTINCT mod FROM notes").fetchall() == [(T0,)]


def test_kinds_choose_the_cards(tmp_path: Path) -> None:
    records = palaces(tmp_path, THREE_ROOMS)
    out = render_decks(records, None, kinds=frozenset({"place-concept", "sequence"}), now=T0)
    db = collection(out.files["test-palace.apkg"])
    assert db.execute("SELECT ord, count(*) FROM cards GROUP BY ord").fetchall() == [(0, 6), (3, 4)]
    with pytest.raises(ValueError, match="unknown card kind"):
        render_decks(records, None, kinds=frozenset({"cloze"}), now=T0)


def test_unreadable_previous_deck_is_reported(tmp_path: Path) -> None:
    previous = tmp_path / "out"
    previous.mkdir()
    (previous / "test-palace.apkg").write_bytes(b"not a zip")
    with pytest.raises(PalaceError, match=r"test-palace\.apkg: cannot read the previous deck"):
        render_decks(palaces(tmp_path, THREE_ROOMS), previous, now=T0)


def test_pictures_are_media_with_content_names(tmp_path: Path) -> None:
    gate = Path(__file__).parent / "cases" / "pictures" / "gate.png"
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "gate.png").write_bytes(gate.read_bytes())
    text = THREE_ROOMS.replace(
        "- Arch: Overfitting: fits the noise",
        "- Arch: Overfitting: fits the noise\n![the arch](gate.png)",
    ).replace("## Bedroom", '## Bedroom\n![a "bed" room](gate.png)')
    out = render_decks(palaces(tmp_path, text), None, now=T0)
    apkg = out.files["test-palace.apkg"]
    with zipfile.ZipFile(io.BytesIO(apkg)) as package:
        media = json.loads(package.read("media"))
        (name,) = media.values()
        assert package.read("0") == gate.read_bytes()
    assert media == {"0": name}
    assert name.startswith("palace-") and name.endswith(".png")
    rows = note_rows(apkg)
    assert rows["arch"][2][FIELDS.index("Picture")] == f'<img src="{name}" alt="the arch">'
    assert rows["bed"][2][FIELDS.index("RoomPicture")] == (
        f'<img src="{name}" alt="a &quot;bed&quot; room">'
    )
    assert render_decks(palaces(tmp_path, text), None, now=T0).files == out.files


def test_a_long_list_of_removed_stops_is_cut_short(tmp_path: Path) -> None:
    many = "# Test palace\n\n## Hall\n" + "".join(
        f"- Place {n}: Concept {n}\n" for n in range(1, 15)
    )
    first = render_decks(palaces(tmp_path, many), None, now=T0)
    previous = save(first.files, tmp_path / "out")
    out = render_decks(palaces(tmp_path, THREE_ROOMS), previous, now=T1)
    assert out.summary_lines() == [
        "test-palace.apkg: 9 added, 0 changed, 0 unchanged, 14 removed (Place 1, Place 2, "
        "Place 3, Place 4, Place 5, Place 6, Place 7, Place 8, Place 9, Place 10 and 4 more)",
        "  removed from the notes, still in Anki: find them in Browse with "
        + " or ".join(f'"Id:test-palace/place-{n}"' for n in range(1, 6))
        + " and 9 more, then suspend or delete them",
    ]
    assert len(out.changes[0].removed) == 14


def test_bytes_do_not_depend_on_the_process(tmp_path: Path) -> None:
    records = palaces(tmp_path, THREE_ROOMS)
    script = (
        "import sys\n"
        "from builder.deck import render_decks\n"
        "from builder.notes.load import load_notes\n"
        "out = render_decks(load_notes([sys.argv[1]]).palaces, None, now=int(sys.argv[2]))\n"
        "sys.stdout.buffer.write(out.files['test-palace.apkg'])\n"
    )
    source = str(tmp_path / "source" / "test-palace.md")
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, source, str(T0)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {render_decks(records, None, now=T0).files["test-palace.apkg"]}


def test_a_room_without_loci_makes_no_note(tmp_path: Path) -> None:
    text = THREE_ROOMS.replace("## Bedroom\n", "## Cellar\n\n## Bedroom\n")
    first = render_decks(palaces(tmp_path, THREE_ROOMS), None, now=T0)
    out = render_decks(palaces(tmp_path, text), save(first.files, tmp_path / "out"), now=T1)
    # Its deck is numbered in walk order like the others: Bedroom's number moves on.
    assert out.summary_lines() == [
        "test-palace.apkg: 0 added, 0 changed, 9 unchanged, 0 removed",
        "  rooms renamed or renumbered: before importing, rename these decks in Anki "
        "(Anki never moves cards on import):",
        "    'Test palace::03 Bedroom' → 'Test palace::04 Bedroom'",
    ]
    decks = json.loads(collection(out.files["test-palace.apkg"]).execute("SELECT decks FROM col")
                       .fetchone()[0])  # fmt: skip
    assert "Test palace::03 Cellar" in {deck["name"] for deck in decks.values()}


def test_pictures_are_copied_from_the_previous_deck_until_they_change(tmp_path: Path) -> None:
    from builder.cache.memo import Memo

    gate = Path(__file__).parent / "cases" / "pictures" / "gate.png"
    picture = tmp_path / "source" / "gate.png"
    (tmp_path / "source").mkdir()
    picture.write_bytes(gate.read_bytes())
    text = THREE_ROOMS.replace("fits the noise", "fits the noise\n![the arch](gate.png)")
    memo = Memo("s")
    first = render_decks(palaces(tmp_path, text), None, now=T0, memo=memo)
    previous = save(first.files, tmp_path / "out")
    again = render_decks(palaces(tmp_path, text), previous, now=T1, memo=memo)
    assert again.files == first.files
    # Another picture under the same name: a new media name, so Anki fetches it.
    picture.write_bytes(gate.read_bytes() + b"\0")
    os.utime(picture, ns=(1, 1))
    changed = render_decks(palaces(tmp_path, text), previous, now=T1, memo=memo)
    with zipfile.ZipFile(io.BytesIO(changed.files["test-palace.apkg"])) as package:
        (name,) = json.loads(package.read("media")).values()
        assert package.read("0") == picture.read_bytes()
    assert note_rows(changed.files["test-palace.apkg"])["arch"][2][FIELDS.index("Picture")] == (
        f'<img src="{name}" alt="the arch">'
    )
    assert changed.summary_lines()[0].startswith("test-palace.apkg: 0 added, 1 changed")


# -- Anki's legacy format, as genanki writes it --------------------------------------------------


def test_the_note_type_is_frozen_in_the_deck(tmp_path: Path) -> None:
    db = collection(render_decks(palaces(tmp_path, THREE_ROOMS), None, now=T0).files[
        "test-palace.apkg"])  # fmt: skip
    model = json.loads(db.execute("SELECT models FROM col").fetchone()[0])[str(MODEL_ID)]
    assert model["name"] == MODEL_NAME
    assert [field["name"] for field in model["flds"]] == list(FIELDS)
    assert [(t["ord"], t["name"]) for t in model["tmpls"]] == list(
        enumerate(kind.template for kind in CARD_KINDS)
    )
    assert model["sortf"] == FIELDS.index("Position")
    # Anki (2.1.28 on) makes a card where its front renders a non-empty field, and reads no
    # `req`; genanki derives it from the fronts, and Place → Concept's `{{^Parent}}` (no card for
    # a step) reads to it as "every other field".
    assert model["req"][1:] == [
        [1, "all", [FIELDS.index("Concept")]],
        [2, "all", [FIELDS.index("Next")]],
        [3, "all", [FIELDS.index("Sequence")]],
    ]


def test_cards_share_their_notes_id_mod_and_position(tmp_path: Path) -> None:
    first = render_decks(palaces(tmp_path, THREE_ROOMS), None, now=T0)
    edited = THREE_ROOMS.replace("fits the noise", "fits noise")
    out = render_decks(palaces(tmp_path, edited), save(first.files, tmp_path / "out"), now=T1)
    db = collection(out.files["test-palace.apkg"])
    rows = db.execute(
        "SELECT c.id - n.id, c.ord, c.mod = n.mod, c.due = n.sfld, c.did FROM cards c "
        "JOIN notes n ON c.nid = n.id"
    ).fetchall()
    assert {(offset, ord_) for offset, ord_, *_ in rows} == {(o, o) for o in range(4)}
    assert all(same_mod for _, _, same_mod, _, _ in rows)
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    assert {decks[str(did)]["name"] for *_, did in rows} == {
        "Test palace::01 Hall", "Test palace::02 Kitchen", "Test palace::03 Bedroom",
    }  # fmt: skip
    # A card's due (its place in the new queue) is its walk number, the start of the sort field.
    dues = db.execute("SELECT c.due, n.sfld FROM cards c JOIN notes n ON c.nid = n.id").fetchall()
    assert all(sfld.startswith(f"{due:03d} ") for due, sfld in dues)
    assert db.execute("SELECT DISTINCT c.mod FROM cards c JOIN notes n ON c.nid = n.id "
                      "WHERE n.flds LIKE 'test-palace/arch%'").fetchall() == [(T1,)]  # fmt: skip


def test_a_room_deck_is_known_by_its_name_with_any_number_or_none() -> None:
    assert is_room_deck_part("07 kitchen", "kitchen")
    assert is_room_deck_part("112 kitchen", "kitchen")  # renumbered: a room was added
    assert is_room_deck_part("kitchen", "kitchen")  # as 0.1 named it
    assert is_room_deck_part("03 2nd floor", "2nd floor")
    assert is_room_deck_part("2nd floor", "2nd floor")
    assert not is_room_deck_part("07 kitchens", "kitchen")
    assert not is_room_deck_part("kitchen 2", "kitchen")
    assert not is_room_deck_part("07kitchen", "kitchen")
    assert not is_room_deck_part("07 2nd floor", "floor")
