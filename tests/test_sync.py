"""`palace sync` with the real Anki engine on real collection files: a collection that imported
the seed deck and has review history, synced after the edits an import cannot follow (a room
renamed, a locus moved to another room, a locus removed) besides a typo fix and an insert;
dry runs, a second run, the refusals (Anki has it open, too new, no engine), `--profile`."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.decks import DeckId
from anki.import_export_pb2 import ImportAnkiPackageRequest
from conftest import DEFAULT_OPTIONS, REPO, answer, counts, scheduling

from builder.cli import main
from builder.deck import render_decks
from builder.notes.load import load_notes
from builder.sync.engine import INSTALL
from builder.sync.where import anki_base

SEED = (REPO / "source" / "ml-palace.md").read_text(encoding="utf-8")
T0 = 1_800_000_000  # when the first deck was built
TOP = "Machine learning palace"
MASH = "- Mash: Weight decay: subtract constant wd * weights every time a batch is processed\n"
COUCH = "- Couch: Matrix Factorization: factors from latent variables\n"
Capture = pytest.CaptureFixture[str]


def edited(text: str) -> str:
    """The seed after a typo fix, a mid-room insert, a room rename, a locus moved to another
    room and a locus removed."""
    text = text.replace("fit paarams to", "fit params to")
    text = text.replace("- Scale:", "- Pantry: Embedding: a learned vector per token\n- Scale:")
    text = text.replace("## Bathroom", "## Washroom")
    text = text.replace(MASH, "").replace("- Mom: Bias", MASH + "- Mom: Bias")
    return text.replace(COUCH, "")


def collection_with_reviews(folder: Path, text: str = SEED) -> Path:
    """A collection (in `folder/anki`) that imported the deck of `text` and studied 12 cards;
    the notes are in `folder/source`, the working folder."""
    (folder / "source").mkdir(parents=True, exist_ok=True)
    (folder / "source" / "palace.md").write_text(text, encoding="utf-8")
    notes = load_notes([str(folder / "source")])
    assert not notes.errors
    ((name, data),) = render_decks(notes.palaces, None, now=T0).files.items()
    (folder / name).write_bytes(data)
    path = folder / "anki" / "collection.anki2"
    path.parent.mkdir()
    col = Collection(str(path))
    try:
        request = ImportAnkiPackageRequest(package_path=str(folder / name), options=DEFAULT_OPTIONS)
        assert "new" in counts(col.import_anki_package(request).log)
        col.decks.select(col.decks.id_for_name(notes.palaces[0].title) or 0)
        for ease in (3, 4, 1, 3, 4, 3, 3, 4, 1, 3, 3, 4):
            (queued,) = col.sched.get_queued_cards(fetch_limit=1).cards
            answer(col, queued.card.id, ease)
    finally:
        col.close()
    return path


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def deck_names(col: Collection) -> dict[int, str]:
    return {int(d.id): d.name for d in col.decks.all_names_and_ids()}


def cards_by_stop(col: Collection) -> dict[str, set[str]]:
    """Stop id → the decks its cards are in."""
    names = deck_names(col)
    assert col.db is not None
    found: dict[str, set[str]] = {}
    for flds, did in col.db.all("SELECT n.flds, c.did FROM cards c JOIN notes n ON n.id = c.nid"):
        found.setdefault(flds.split("\x1f")[0], set()).add(names[did])
    return found


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return collection_with_reviews(tmp_path)


def edit_notes(folder: Path) -> None:
    notes = folder / "source" / "palace.md"
    notes.write_text(edited(notes.read_text(encoding="utf-8")), encoding="utf-8")


def test_sync_applies_every_edit_keeping_reviews(seeded: Path, capsys: Capture) -> None:
    col = Collection(str(seeded))
    # notes from another source: Anki's Basic note type, in the default deck and in a room's
    basic = col.models.by_name("Basic")
    assert basic is not None and col.db is not None
    mine = []
    for deck in ("Default", f"{TOP}::03 Hallway"):
        note = col.new_note(basic)
        note["Front"], note["Back"] = f"my own card in {deck}", "kept"
        col.add_note(note, col.decks.id_for_name(deck) or 0)
        mine.append(note.id)
    (toilette,) = col.find_notes('"Id:palace/toilette"')  # updated and moved by the sync
    col.tags.bulk_add([toilette], "marked")
    before = {card_id: scheduling(col, card_id) for card_id in col.find_cards("")}
    theirs = f"({mine[0]}, {mine[1]})"
    other_notes = col.db.all(f"SELECT * FROM notes WHERE id IN {theirs}")
    other_cards = col.db.all(f"SELECT * FROM cards WHERE nid IN {theirs}")
    schema = col.db.scalar("SELECT scm FROM col")
    assert sum(1 for s in before.values() if s.revlog) >= 8  # reviewed cards
    col.close()
    edit_notes(seeded.parent.parent)

    code, out, err = run(capsys, "sync", "--collection", str(seeded))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "palace: 1 added, 13 updated, 3 moved, 1 removed"
    assert "  added: Pantry" in lines
    assert f"  moved to '{TOP}::02 Washroom': Toilette, Bathroom" in lines
    assert f"  moved to '{TOP}::05 Living room': Mash" in lines
    assert "  removed, tagged palace::removed, cards suspended: Couch" in lines
    assert f"  subdecks removed (left empty): '{TOP}::02 Bathroom'" in lines
    assert lines[-2].startswith("backup: ") and lines[-2].endswith(".colpkg")
    assert Path(lines[-2].removeprefix("backup: ")).is_file()

    col = Collection(str(seeded))
    try:
        assert col.db is not None
        # the edits, the new locus
        (hallway,) = col.find_notes('"Id:palace/hallway"')
        assert "fit params to" in col.get_note(hallway)["Description"]
        assert "marked" in col.get_note(toilette).tags  # the learner's tag stays
        (pantry,) = col.find_notes('"Id:palace/pantry"')
        assert col.get_note(pantry)["Concept"] == "Embedding"
        # every card of the palace in its room's subdeck now, no empty subdeck left
        decks = cards_by_stop(col)
        assert decks["palace/pantry"] == {f"{TOP}::04 Kitchen"}
        assert decks["palace/mash"] == {f"{TOP}::05 Living room"}
        assert decks["palace/toilette"] == {f"{TOP}::02 Washroom"}
        assert decks["palace/stove"] == {f"{TOP}::04 Kitchen"}
        assert decks["palace/window--halle"] == {f"{TOP}::06 View from the window"}
        for did, name in deck_names(col).items():
            if name.startswith(f"{TOP}::"):
                assert col.decks.card_count(did, include_subdecks=True), name
        assert f"{TOP}::02 Bathroom" not in deck_names(col).values()
        # the removed locus: tagged, its cards suspended, its history kept
        (couch,) = col.find_notes('"Id:palace/couch"')
        assert "palace::removed" in col.get_note(couch).tags
        assert {col.get_card(c).queue for c in col.card_ids_of_note(couch)} == {-1}
        # review history and due dates, note type and schema mark: unchanged
        suspended = set(col.card_ids_of_note(couch))
        for card_id, old in before.items():
            new = scheduling(col, card_id)
            if card_id in suspended:
                new = dataclasses.replace(new, queue=old.queue)
            assert new == old, card_id
        assert col.db.scalar("SELECT scm FROM col") == schema
        assert len([m for m in col.models.all_names_and_ids() if "Palace" in m.name]) == 1
        # notes from elsewhere: untouched, to the byte
        assert col.db.all(f"SELECT * FROM notes WHERE id IN {theirs}") == other_notes
        assert col.db.all(f"SELECT * FROM cards WHERE nid IN {theirs}") == other_cards
    finally:
        col.close()

    # a second run changes nothing, and says so
    synced = digest(seeded)
    assert run(capsys, "sync", "--collection", str(seeded)) == (
        0,
        "palace: nothing to do\n"
        f"nothing to change: {seeded.as_posix()} holds the palaces as the notes say\n",
        "",
    )
    assert digest(seeded) == synced


def test_delete_removed_deletes_the_removed_locus(seeded: Path, capsys: Capture) -> None:
    col = Collection(str(seeded))
    assert col.db is not None
    schema = col.db.scalar("SELECT scm FROM col")
    col.close()
    edit_notes(seeded.parent.parent)
    code, out, _ = run(capsys, "sync", "--collection", str(seeded), "--delete-removed")
    assert code == 0
    assert "  removed, deleted: Couch" in out.splitlines()
    col = Collection(str(seeded))
    try:
        assert col.find_notes('"Id:palace/couch"') == []
        assert len(col.find_notes('"Id:palace/*"')) == 35  # 30 loci + 5 steps, one in, one out
        assert col.db is not None and col.db.scalar("SELECT scm FROM col") == schema
    finally:
        col.close()
    code, out, _ = run(capsys, "sync", "--collection", str(seeded), "--delete-removed")
    assert (code, out.splitlines()[0]) == (0, "palace: nothing to do")


def test_a_tagged_removed_locus_is_kept_until_delete_removed(seeded: Path, capsys: Capture) -> None:
    edit_notes(seeded.parent.parent)
    assert run(capsys, "sync", "--collection", str(seeded))[0] == 0
    code, out, _ = run(capsys, "sync", "--collection", str(seeded), "--dry-run")
    assert (code, out.splitlines()[0]) == (0, "palace: nothing to do")
    code, out, _ = run(capsys, "sync", "--collection", str(seeded), "--delete-removed")
    assert out.splitlines()[:2] == [
        "palace: 0 added, 0 updated, 0 moved, 1 removed",
        "  removed, deleted: Couch",
    ]


def test_a_locus_back_in_the_notes_comes_back_unsuspended(seeded: Path, capsys: Capture) -> None:
    notes = seeded.parent.parent / "source" / "palace.md"
    notes.write_text(SEED.replace(COUCH, ""), encoding="utf-8")
    assert run(capsys, "sync", "--collection", str(seeded))[0] == 0
    notes.write_text(SEED, encoding="utf-8")
    code, out, _ = run(capsys, "sync", "--collection", str(seeded))
    assert code == 0
    assert "  back in the notes: 3 cards unsuspended" in out.splitlines()
    col = Collection(str(seeded))
    try:
        (couch,) = col.find_notes('"Id:palace/couch"')
        assert "palace::removed" not in col.get_note(couch).tags
        assert -1 not in {col.get_card(c).queue for c in col.card_ids_of_note(couch)}
    finally:
        col.close()


def test_dry_run_prints_the_plan_and_changes_nothing(seeded: Path, capsys: Capture) -> None:
    edit_notes(seeded.parent.parent)
    files = {path.name: digest(path) for path in seeded.parent.iterdir() if path.is_file()}
    code, out, err = run(capsys, "sync", "--collection", str(seeded), "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"dry run: {seeded.as_posix()} is unchanged; palace sync would make these changes:",
        "palace: 1 added, 13 updated, 3 moved, 1 removed",
        "  added: Pantry",
        "  updated: Toilette, Bathroom, Hallway, Nicer Dicer, Scale, Cook book text, "
        "Cook book ingredients, Kitchenaid, Filter, Walking to living Room, Mash, Mom, TV",
        f"  moved to '{TOP}::02 Washroom': Toilette, Bathroom",
        f"  moved to '{TOP}::05 Living room': Mash",
        "  removed, tagged palace::removed, cards suspended: Couch",
        f"  subdecks removed (left empty): '{TOP}::02 Bathroom'",
    ]
    assert {path.name: digest(path) for path in seeded.parent.iterdir() if path.is_file()} == (
        files
    )
    assert not (seeded.parent / "backups").exists()


def test_a_renamed_palace_file_is_refused_until_an_id_is_pinned(
    seeded: Path, capsys: Capture
) -> None:
    """The collection has the places under the old id (the file's old name): a sync would add
    every note again beside the reviewed ones. Pinning the old id syncs into them."""
    source = seeded.parent.parent / "source"
    (source / "palace.md").rename(source / "machine-learning.md")
    files = {path.name: digest(path) for path in seeded.parent.iterdir() if path.is_file()}
    for options in ([], ["--dry-run"]):
        code, out, err = run(capsys, "sync", "--collection", str(seeded), *options)
        assert (code, out) == (1, "")
        assert err == (
            "palace: error: source/machine-learning.md: the collection has the places of "
            "'palace', which the notes no longer have: the palace's id is now "
            "'machine-learning' (its file renamed?), so a sync would add its 35 notes beside "
            "those. End its title line with {#palace} to keep them, or with another id to make "
            "it a new palace; nothing was changed\n"
        )
    assert {path.name: digest(path) for path in seeded.parent.iterdir() if path.is_file()} == (
        files
    )
    notes = source / "machine-learning.md"
    notes.write_text(SEED.replace(f"# {TOP}\n", f"# {TOP} {{#palace}}\n", 1), encoding="utf-8")
    assert run(capsys, "sync", "--collection", str(seeded))[:2] == (
        0,
        "palace: nothing to do\nnothing to change: "
        f"{seeded.as_posix()} holds the palaces as the notes say\n",
    )
    notes.write_text(SEED.replace(f"# {TOP}\n", f"# {TOP} {{#ml-two}}\n", 1), encoding="utf-8")
    code, out, _ = run(capsys, "sync", "--collection", str(seeded), "--dry-run")
    assert code == 0 and "ml-two: 35 added" in out, "another id: a new palace, as asked"


@pytest.mark.parametrize("options", [[], ["--dry-run"]], ids=["sync", "dry-run"])
def test_refused_while_another_process_has_the_collection_open(
    seeded: Path, capsys: Capture, options: list[str]
) -> None:
    edit_notes(seeded.parent.parent)
    before = digest(seeded)
    with subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom anki.collection import Collection\n"
         "c = Collection(sys.argv[1])\nprint('open', flush=True)\ntime.sleep(60)", str(seeded)],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:  # fmt: skip
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "open\n"
            code, out, err = run(capsys, "sync", "--collection", str(seeded), *options)
        finally:
            holder.kill()
    assert (code, out) == (1, "")
    assert err == (
        f"palace: error: {seeded.as_posix()}: Anki has this collection open (or is syncing its "
        "media): close Anki, then run palace sync again; nothing was changed\n"
    )
    assert digest(seeded) == before


def test_a_dry_run_leaves_a_collection_of_an_older_anki_as_it_is(
    seeded: Path, capsys: Capture
) -> None:
    Collection(str(seeded)).close(downgrade=True)  # schema 11, as older Ankis left it
    edit_notes(seeded.parent.parent)
    before = digest(seeded)
    code, out, _ = run(capsys, "sync", "--collection", str(seeded), "--dry-run")
    assert (code, out.splitlines()[1]) == (0, "palace: 1 added, 13 updated, 3 moved, 1 removed")
    assert digest(seeded) == before


def test_refused_when_newer_than_the_engine(seeded: Path, capsys: Capture) -> None:
    with sqlite3.connect(seeded) as db:
        db.execute("UPDATE col SET ver = ver + 1")
    db.close()
    before = digest(seeded)
    code, out, err = run(capsys, "sync", "--collection", str(seeded))
    assert (code, out) == (1, "")
    assert "made by a newer Anki than this engine (anki 2" in err
    assert err.count("\n") == 1
    assert digest(seeded) == before


@pytest.mark.parametrize("options", [[], ["--dry-run"]], ids=["sync", "dry-run"])
def test_a_file_that_is_not_a_collection_is_said_to_be_none(
    tmp_path: Path, capsys: Capture, options: list[str]
) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "p.md").write_text(SEED, encoding="utf-8")
    notes = tmp_path / "collection.anki2"
    notes.write_text("- Gate: not a database\n" * 100, encoding="utf-8")
    source = str(tmp_path / "source")
    code, out, err = run(capsys, "sync", source, "--collection", str(notes), *options)
    assert (code, out) == (1, "")
    assert err == (
        f"palace: error: {notes.as_posix()}: not an Anki collection (not a database); "
        "nothing was changed\n"
    )
    assert notes.read_text(encoding="utf-8") == "- Gate: not a database\n" * 100


def test_without_the_engine_it_says_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "collection.anki2").write_bytes(b"")
    code = "import sys; sys.modules['anki'] = None\nfrom builder.cli import main\n"
    code += "sys.exit(main(['sync', '--collection', 'collection.anki2']))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "palace: error: palace sync needs the Anki engine (the Python package 'anki'): "
        "pip install 'palace-loci[anki]'\n"
    )


def test_the_engine_is_the_optional_extra_the_message_names() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "palace-loci"
    assert [d for d in project["optional-dependencies"]["anki"] if d.startswith("anki")]
    assert not [d for d in project["dependencies"] if d.startswith("anki")]
    assert INSTALL == "pip install 'palace-loci[anki]'"


def test_other_commands_never_import_the_engine() -> None:
    code = "import sys, builder.cli, builder.sync\nprint('anki' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout == "False\n"


def test_profile_is_found_in_ankis_folder(
    seeded: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    (data / "Anki2" / "User 1").mkdir(parents=True)
    shutil.copy(seeded, data / "Anki2" / "User 1" / "collection.anki2")
    monkeypatch.delenv("ANKI_BASE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    code, out, _ = run(capsys, "sync", "--profile", "User 1")
    assert (code, out.splitlines()[0]) == (0, "palace: nothing to do")
    code, _, err = run(capsys, "sync", "--profile", "User 2")
    assert (code, err) == (
        2,
        f"palace: error: no Anki profile 'User 2' in {(data / 'Anki2').as_posix()} "
        "(profiles there: User 1)\n",
    )
    code, _, err = run(capsys, "sync", "--collection", "nothing/here.anki2")
    assert code == 2 and "nothing/here.anki2: no Anki collection there" in err
    assert not Path("nothing").exists()  # the engine would have made a new collection


def test_ankis_folder_on_each_system() -> None:
    home = {"HOME": "/home/a"}
    assert anki_base(home, "linux") == Path("/home/a/.local/share/Anki2")
    assert anki_base({**home, "XDG_DATA_HOME": "/x"}, "linux") == Path("/x/Anki2")
    assert anki_base(home, "darwin") == Path("/home/a/Library/Application Support/Anki2")
    assert anki_base({**home, "APPDATA": "C:/Users/a/AppData/Roaming"}, "win32") == Path(
        "C:/Users/a/AppData/Roaming/Anki2"
    )
    assert anki_base({**home, "ANKI_BASE": "/anki"}, "darwin") == Path("/anki")


def test_the_note_type_is_brought_back_in_place(seeded: Path, capsys: Capture) -> None:
    col = Collection(str(seeded))
    assert col.db is not None
    schema = col.db.scalar("SELECT scm FROM col")
    model = col.models.by_name("Palace locus")
    assert model is not None
    model["css"] += "\n.card { color: red }"
    col.models.update_dict(model)
    col.close()
    code, out, _ = run(capsys, "sync", "--collection", str(seeded))
    assert code == 0
    assert "note type 'Palace locus': updated (its templates and CSS)" in out.splitlines()
    col = Collection(str(seeded))
    try:
        assert col.db is not None
        model = col.models.by_name("Palace locus")
        assert model is not None and "color: red" not in model["css"]
        assert col.db.scalar("SELECT scm FROM col") == schema
    finally:
        col.close()
    assert run(capsys, "sync", "--collection", str(seeded))[1].startswith("palace: nothing")


def test_card_kinds_left_out_are_suspended(seeded: Path, capsys: Capture) -> None:
    (seeded.parent.parent / "palace.toml").write_text(
        'card_kinds = ["place-concept", "concept-place", "sequence"]\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, "sync", "--collection", str(seeded))
    assert code == 0
    assert "  cards of a kind no longer made: 34 suspended" in out.splitlines()
    col = Collection(str(seeded))
    try:
        queues = {col.get_card(c).queue for c in col.find_cards('"card:Route"')}
        assert queues == {-1}
    finally:
        col.close()
    assert run(capsys, "sync", "--collection", str(seeded))[1].startswith("palace: nothing")


NON_LATIN = """\
# Дворец памяти

## Кухня
- Плита: Softmax: all add to 1
- Холодильник: Dropout: drop some

## 台所
- 流し: Epoch: one run
- 冷蔵庫: Momentum: keep going
"""


def test_non_latin_room_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.chdir(tmp_path)
    path = collection_with_reviews(tmp_path, NON_LATIN)
    notes = tmp_path / "source" / "palace.md"
    notes.write_text(
        NON_LATIN.replace("## Кухня", "## Большая кухня").replace(
            "- 冷蔵庫", "- Ёлка: Bias: b\n- 冷蔵庫"
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "sync", "--collection", str(path))
    assert code == 0
    assert "  moved to 'Дворец памяти::01 Большая кухня': Плита, Холодильник" in out.splitlines()
    assert "  subdecks removed (left empty): 'Дворец памяти::01 Кухня'" in out.splitlines()
    col = Collection(str(path))
    try:
        decks = cards_by_stop(col)
        assert decks["palace/ёлка"] == {"Дворец памяти::02 台所"}
        assert decks["palace/плита"] == {"Дворец памяти::01 Большая кухня"}
        assert "Дворец памяти::01 Кухня" not in deck_names(col).values()
    finally:
        col.close()
    assert run(capsys, "sync", "--collection", str(path))[1].startswith("palace: nothing")


def test_sync_and_import_are_interchangeable(seeded: Path, tmp_path: Path, capsys: Capture) -> None:
    # the collection that imported the deck: in step with the notes
    assert run(capsys, "sync", "--collection", str(seeded))[1].startswith("palace: nothing")
    # a collection kept only by sync, then given the same deck by import: nothing new
    fresh = tmp_path / "fresh" / "collection.anki2"
    fresh.parent.mkdir()
    Collection(str(fresh)).close()
    code, out, _ = run(capsys, "sync", "--collection", str(fresh))
    assert (code, out.splitlines()[0]) == (0, "palace: 35 added, 0 updated, 0 moved, 0 removed")
    col = Collection(str(fresh))
    try:
        deck = str(tmp_path / "palace.apkg")
        request = ImportAnkiPackageRequest(package_path=deck, options=DEFAULT_OPTIONS)
        # matched note by note (updated or not, as the deck's times say), none added
        found = counts(col.import_anki_package(request).log)
        assert set(found) <= {"updated", "duplicate"} and sum(found.values()) == 35
        assert len(col.find_notes("")) == 35
        assert len(col.find_cards("")) == 105
    finally:
        col.close()
    assert run(capsys, "sync", "--collection", str(fresh))[1].startswith("palace: nothing")


def test_refused_when_the_note_type_was_given_other_fields(seeded: Path, capsys: Capture) -> None:
    col = Collection(str(seeded))
    model = col.models.by_name("Palace locus")
    assert model is not None
    col.models.add_field(model, col.models.new_field("My notes"))
    col.models.update_dict(model)
    col.close()
    edit_notes(seeded.parent.parent)
    before = digest(seeded)
    code, out, err = run(capsys, "sync", "--collection", str(seeded))
    assert (code, out) == (1, "")
    assert err.startswith("palace: error: the note type 'Palace locus' in the collection has other")
    assert digest(seeded) == before


def test_cards_in_a_filtered_deck(seeded: Path, capsys: Capture) -> None:
    col = Collection(str(seeded))
    filtered = col.sched.get_or_create_filtered_deck(deck_id=DeckId(0))
    filtered.name = "Cram"
    del filtered.config.search_terms[:]
    filtered.config.search_terms.add(search='"Id:palace/toilette" OR "Id:palace/stove"', limit=99)
    col.sched.add_or_update_filtered_deck(filtered)
    col.close()
    edit_notes(seeded.parent.parent)  # Bathroom renamed: Toilette's home deck changes
    assert run(capsys, "sync", "--collection", str(seeded))[0] == 0
    col = Collection(str(seeded))
    try:
        decks = cards_by_stop(col)
        assert decks["palace/toilette"] == {f"{TOP}::02 Washroom"}  # taken home, moved
        assert decks["palace/stove"] == {"Cram"}  # its home is right: left where it is
        assert f"{TOP}::02 Bathroom" not in deck_names(col).values()
    finally:
        col.close()
    assert run(capsys, "sync", "--collection", str(seeded))[1].startswith("palace: nothing")


def test_a_new_title_moves_every_card_and_removes_the_old_palace_deck(
    seeded: Path, capsys: Capture
) -> None:
    notes = seeded.parent.parent / "source" / "palace.md"
    notes.write_text(SEED.replace(f"# {TOP}", "# ML palace"), encoding="utf-8")
    code, out, _ = run(capsys, "sync", "--collection", str(seeded))
    assert (code, out.splitlines()[0]) == (0, "palace: 0 added, 35 updated, 35 moved, 0 removed")
    col = Collection(str(seeded))
    try:
        names = sorted(deck_names(col).values())
        assert names[:3] == ["Default", "ML palace", "ML palace::01 Entrance and stairs"]
        assert not [name for name in names if name.startswith(TOP)]
    finally:
        col.close()
