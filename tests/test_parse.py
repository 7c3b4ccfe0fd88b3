"""The notes format: the seed palace, its roomed form, identities, and hard inputs."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, SEED, ProjectMaker

from builder.notes.load import load_notes
from builder.notes.records import Palace

SEED_LINES = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def only_palace(*sources: str) -> Palace:
    notes = load_notes(list(sources))
    assert notes.errors == ()
    (palace,) = notes.palaces
    return palace


def test_seed_parses_to_35_loci_exactly_as_written() -> None:
    notes = load_notes([str(SEED)])
    assert notes.errors == ()
    (palace,) = notes.palaces
    assert len(palace.walk) == 35 and len(palace.loci) == 35
    assert [room.name for room in palace.rooms] == ["Loci"]
    for stop, line in zip(palace.walk, SEED_LINES, strict=True):
        if stop.description:
            assert f"{stop.place}: {stop.concept}: {stop.description}" == line
        else:
            assert line in (f"{stop.place}: {stop.concept}", f"{stop.place}: {stop.concept}:")
    bed = palace.walk[33]
    assert (bed.place, bed.concept, bed.description) == (
        "Bed",
        "Model.train()",
        "before training, impacts: dropout and batch_norm",
    )
    window = palace.walk[27]
    assert (window.place, window.concept, window.description) == (
        "Window",
        "Core training step",
        "",
    )
    assert palace.walk[30].concept == "optimizer.zero_grad() # clear prev grads"
    assert [stop.id for stop in palace.walk if stop.place == "TV"] == ["tv", "tv-2"]
    assert palace.title == "Seed 000 11f9f661f77a5d86"


def test_seed_warns_about_its_suspicious_lines() -> None:
    notes = load_notes([str(SEED)])
    assert [(d.line, d.col, d.message) for d in notes.warnings] == [
        (
            28,
            27,
            "empty description after 'Core training step:' (for a concept without "
            "description, drop the last colon)",
        ),
        (
            35,
            1,
            "locus 'TV' is already in this room (line 24): give one another name, or pin "
            "both with {#id} before reordering them",
        ),
    ]


def test_roomed_palace_has_the_same_35_stops_in_the_same_order() -> None:
    palace = only_palace(str(REPO / "source" / "ml-palace.md"))
    assert palace.id == "ml-palace" and palace.title == "Machine learning palace"
    assert [(room.name, len(room.loci)) for room in palace.rooms] == [
        ("Entrance and stairs", 6),
        ("Bathroom", 2),
        ("Hallway", 2),
        ("Kitchen", 10),
        ("Living room", 7),
        ("View from the window", 1),
        ("Bedroom", 2),
    ]
    assert len(palace.loci) == 30 and len(palace.walk) == 35
    seed = only_palace_with_warnings(str(SEED))
    for ours, theirs in zip(palace.walk, seed.walk, strict=True):
        assert ours.number == theirs.number and ours.place == theirs.place
        if ours.step is None:
            assert (ours.concept, ours.description) == (theirs.concept, theirs.description)
        else:  # a step's ' # comment' is its description
            written = ours.concept + (f" # {ours.description}" if ours.description else "")
            assert written == theirs.concept
    window = palace.rooms[5].loci[0]
    assert [(s.id, s.place, s.concept, s.description) for s in window.steps] == [
        ("window--balcony", "Balcony", "output_batch = model(train_batch)", ""),
        ("window--stefan-silo", "Stefan Silo", "loss = loss_fn(output_batch, labels_batch)", ""),
        ("window--street", "Street", "optimizer.zero_grad()", "clear prev grads"),
        ("window--silo", "Silo", "loss.backward()", "calc grads wrt to inputs + params"),
        ("window--halle", "Halle", "optimizer.step()", "perform updates using calc’d grads"),
    ]
    assert [stop.id for stop in palace.walk if stop.place == "TV"] == ["tv", "bedroom-tv"]
    assert palace.previous(palace.walk[0]) is None
    assert palace.next(palace.walk[27]) == palace.walk[28]
    assert palace.previous(palace.walk[34]) == palace.walk[33]
    assert palace.next(palace.walk[34]) is None


def test_records_number_every_stop_room_and_step_once() -> None:
    """The walk's numbers are the records' own: a locus before its steps, rooms in order."""
    palace = only_palace(str(REPO / "source" / "ml-palace.md"))
    assert [stop.number for stop in palace.walk] == list(range(1, 36))
    first = 1
    for number, room in enumerate(palace.rooms, start=1):
        numbers = [
            n for locus in room.loci for n in (locus.number, *(s.number for s in locus.steps))
        ]
        assert (room.number, room.first, room.last) == (number, first, first + len(numbers) - 1)
        assert numbers == list(range(room.first, room.last + 1)) and room.stops == len(numbers)
        first = room.last + 1
    window = palace.rooms[5].loci[0]
    assert [(s.index, s.number) for s in window.steps] == [
        (k, window.number + k) for k in range(1, 6)
    ]
    assert palace.stop(0) is None and palace.stop(36) is None
    assert palace.stop(window.number + 1).step is window.steps[0]  # type: ignore[union-attr]


def only_palace_with_warnings(source: str) -> Palace:
    (palace,) = load_notes([source]).palaces
    return palace


def test_seed_flat_form_with_crlf_bom_and_trailing_blanks(make_project: ProjectMaker) -> None:
    text = "\r\n".join(line + "  " for line in SEED_LINES) + "\r\n\r\n  \r\n"
    make_project({"source/flat.txt": b"\xef\xbb\xbf" + text.encode("utf-8")})
    palace = only_palace_with_warnings("source")
    expected = only_palace_with_warnings(str(SEED))
    assert [(s.id, s.place, s.concept, s.description) for s in palace.walk] == [
        (s.id, s.place, s.concept, s.description) for s in expected.walk
    ]
    assert palace.title == "Flat"


def ids(palace: Palace) -> dict[str, str]:
    return {stop.concept: stop.id for stop in palace.walk}


BASE = """# P
## Hall
- Gate: Overfitting: force-fitting
- Door: Tensor: matrix
- TV: PCA: reduce
## Kitchen
- Stove: Loss: how far
- Window: Training step:
  - Balcony: forward
  - Street: zero grads
- TV: Eval: after training
"""


@pytest.mark.parametrize(
    "edited",
    [
        BASE.replace("Overfitting: force-fitting", "Overfiting: forcefitting"),  # typo fix
        BASE.replace("- Door:", "- Arch: Arch concept: new\n- Door:"),  # insert
        BASE.replace("- Gate: Overfitting: force-fitting\n", ""),  # remove another
        BASE.replace("## Hall", "## Entrance hall").replace("## Kitchen", "## Cooking"),
        BASE.replace("- Stove: Loss: how far\n", "").replace(
            "## Hall\n", "## Hall\n- Stove: Loss: how far\n"
        ),
        BASE.replace(
            "- Gate: Overfitting: force-fitting\n- Door: Tensor: matrix\n",
            "- Door: Tensor: matrix\n- Gate: Overfitting: force-fitting\n",
        ),  # reorder
    ],
    ids=["typo", "insert", "remove", "rename-rooms", "regroup", "reorder"],
)
def test_identity_survives_everyday_edits(make_project: ProjectMaker, edited: str) -> None:
    make_project({"a/p.md": BASE, "b/p.md": edited})
    before, after = ids(only_palace("a")), ids(only_palace("b"))
    for concept, locus_id in after.items():
        original = {"Overfiting": "Overfitting"}.get(concept, concept)
        if original in before:
            assert locus_id == before[original], concept
    assert before["PCA"] == "tv" and before["Eval"] == "tv-2"
    assert before["forward"] == "window--balcony"


def test_pinned_id_survives_renaming_the_place(make_project: ProjectMaker) -> None:
    make_project(
        {
            "a/p.md": "# P\n- TV: PCA {#old-telly}\n- Couch: Bias\n",
            "b/p.md": "# P\n- Television: PCA {#old-telly}\n- Couch: Bias\n",
        }
    )
    assert ids(only_palace("a")) == ids(only_palace("b")) == {"PCA": "old-telly", "Bias": "couch"}


def test_auto_ids_step_around_pinned_ones(make_project: ProjectMaker) -> None:
    make_project({"p.md": "# P {#pal}\n## Room {#r}\n- TV: One\n- Telly: Two {#tv}\n- TV: Three\n"})
    palace = only_palace("p.md")
    assert palace.id == "pal" and palace.rooms[0].id == "r"
    assert [s.id for s in palace.walk] == ["tv-2", "tv", "tv-3"]


def test_colons_in_backticks_and_non_separating_colons(make_project: ProjectMaker) -> None:
    make_project(
        {
            "p.md": "- `a: b`: `c: d`: ratio 3:1, see https://x.org\n"
            "- Clock: 12:30 lunch\n- Door: Tensor\n"
        }
    )
    walk = only_palace("p.md").walk
    assert [(s.place, s.concept, s.description) for s in walk] == [
        ("`a: b`", "`c: d`", "ratio 3:1, see https://x.org"),
        ("Clock", "12:30 lunch", ""),
        ("Door", "Tensor", ""),
    ]


def test_notes_and_pictures_attach_to_locus_and_room(make_project: ProjectMaker) -> None:
    root = make_project(
        {
            "source/p.md": "# P\n## Kitchen\n> smells of *bread*\n![the kitchen](pics/k%201.png)\n"
            "- Stove: Loss: far\n  > a hot stove\n  > burns\n  ![stove](pics/s.png)\n"
            "  - Knob: turn # left\n",
            "source/pics/k 1.png": b"png",
            "source/pics/s.png": b"png",
        }
    )
    (palace,) = load_notes([]).palaces
    room = palace.rooms[0]
    assert room.note == "smells of *bread*"
    assert room.picture is not None and room.picture.name == "pics/k 1.png"
    assert room.picture.file == (root / "source" / "pics" / "k 1.png").resolve()
    stove = room.loci[0]
    assert stove.note == "a hot stove\nburns"
    assert stove.picture is not None
    assert (stove.picture.alt, stove.picture.path, stove.picture.line) == ("stove", "pics/s.png", 8)
    assert stove.steps[0].description == "left"


@pytest.mark.parametrize("notes_form", ["NFC", "NFD"])
def test_a_picture_named_in_the_other_unicode_form_is_found(
    make_project: ProjectMaker, notes_form: str
) -> None:
    """macOS saves `ü` as `u` + a combining mark (NFD); notes typed elsewhere have one `ü`
    (NFC), or the other way round. Folder and file are found either way, as they are spelled."""
    disk = "NFD" if notes_form == "NFC" else "NFC"
    folder, file = (unicodedata.normalize(disk, name) for name in ("Bilder-für", "Küche.png"))
    written = unicodedata.normalize(notes_form, "Bilder-für/Küche.png")
    root = make_project(
        {
            f"source/{folder}/{file}": b"png",
            "source/p.md": f"# P\n## Küche\n![a kitchen]({written})\n- Herd: Hitze\n",
        }
    )
    notes = load_notes([])
    assert notes.diagnostics == ()
    picture = notes.palaces[0].rooms[0].picture
    assert picture is not None and picture.file == root / "source" / folder / file
    assert picture.name == f"{folder}/{file}"


def test_a_picture_whose_name_differs_in_case_is_not_found_and_the_file_is_named(
    make_project: ProjectMaker,
) -> None:
    """A case-insensitive disk (macOS, Windows) finds it; GitHub's Linux runners would not."""
    make_project(
        {
            "source/Pics/Küche.PNG": b"png",
            "source/p.md": "# P\n## Hall\n![x](pics/küche.png)\n- Door: Bias\n",
        }
    )
    (message,) = [d.message for d in load_notes([]).errors]
    assert message == (
        "picture 'pics/küche.png' not found (looked for 'source/pics/küche.png'; "
        "there is 'source/Pics/Küche.PNG': the case differs)"
    )


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda file: file.symlink_to(file.name), "a symbolic link loop"),
        (lambda file: file.mkdir(), "a folder"),
        (lambda file: os.mkfifo(file), "a FIFO (named pipe)"),
    ],
    ids=["loop", "folder", "fifo"],
)
def test_a_picture_that_is_not_a_file_says_what_it_is(
    make_project: ProjectMaker, make: Callable[[Path], None], kind: str
) -> None:
    root = make_project({"source/p.md": "# P\n## Hall\n![x](k.png)\n- Door: Bias\n"})
    make(root / "source" / "k.png")
    (message,) = [d.message for d in load_notes([]).errors]
    assert message == f"picture 'k.png' is not a file: 'source/k.png' is {kind}"


def test_a_picture_spelled_otherwise_that_links_outside_is_refused(
    make_project: ProjectMaker, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes(b"png")
    root = make_project({"source/p.md": "# P\n## Hall\n![x](Küche.png)\n- Door: Bias\n"})
    (root / "source" / unicodedata.normalize("NFD", "Küche.png")).symlink_to(outside)
    (message,) = [d.message for d in load_notes([]).errors]
    assert message.startswith("picture 'Küche.png' is outside the source folder")


def test_two_palaces_with_one_title_are_warned_of_their_decks_being_one(
    make_project: ProjectMaker,
) -> None:
    """A second palace of the same house, titled the same: Anki tells deck names apart by
    neither case nor Unicode form, and would file both palaces' cards in the same decks."""
    house = "Elternhaus Küche"
    other = unicodedata.normalize("NFD", house.upper())
    make_project(
        {
            "source/a.md": f"# {house}\n## Hall\n- Door: Bias\n",
            "source/b.md": f"# {other}\n## Hall\n- Door: Tensor\n",
            "source/c.md": "# Elternhaus Garten\n## Hall\n- Door: Loss\n",
            "source/d.md": '# "Elternhaus Küche":\n## Hall\n- Door: Dropout\n',
        }
    )
    notes = load_notes([])
    assert [d.format().splitlines()[0] for d in notes.diagnostics] == [
        f"source/{file}:1:1: warning: the title '{title}' is also source/a.md's: Anki would "
        "file both palaces' cards in the same decks; give one another title"
        for file, title in (("b.md", other), ("d.md", '"Elternhaus Küche":'))
    ]
    assert len(notes.palaces) == 4


def test_invalid_utf8_is_reported_at_its_byte_and_parsing_goes_on(
    make_project: ProjectMaker,
) -> None:
    make_project({"p.md": b"# P\n- Door: Tensor\n- K\xfcche: Stove\nno colon here\n"})
    notes = load_notes(["p.md"])
    assert [d.format() for d in notes.errors] == [
        "p.md:3:4: error: invalid UTF-8 (byte 0xfc): save the file as UTF-8\n"
        "    3 | - K\ufffdche: Stove\n"
        "      |    ^",
        "p.md:4:1: error: expected 'Locus: Concept: description'\n    4 | no colon here\n      | ^",
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_notes_saved_as_utf16_are_said_to_be_so(make_project: ProjectMaker, codec: str) -> None:
    """Windows Notepad's "Unicode" is UTF-16 with a byte order mark: name it, not "NUL byte"."""
    text = "# Küche\n- Door: Tensor\n"
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(codec, "")
    make_project({"p.md": (bom + text).encode(codec)})
    notes = load_notes(["p.md"])
    assert [d.format() for d in notes.errors] == [
        "p.md:1:1: error: saved as UTF-16: save the file as UTF-8 (notes are UTF-8 text)"
    ]


def test_nul_byte_means_not_a_notes_file(make_project: ProjectMaker) -> None:
    make_project({"p.md": b"# P\r\n- Door: Ten\x00sor\r\n"})
    notes = load_notes(["p.md"])
    assert [(d.line, d.col, d.message) for d in notes.errors] == [
        (2, 12, "NUL byte: this is a binary file, not notes (notes are UTF-8 text)")
    ]
    assert notes.palaces == ()


def test_megabyte_line_is_read_and_its_echo_is_cut(make_project: ProjectMaker) -> None:
    long = "x" * 1_048_576
    make_project({"p.md": f"- Door: Tensor: {long}\n{long}\n"})
    notes = load_notes(["p.md"])
    too_long, error = notes.errors
    assert (too_long.line, too_long.col) == (1, 1)
    assert too_long.message.startswith("a field of 1,048,576 characters: at most 10,000")
    assert (error.line, error.col) == (2, 1)
    assert error.format().splitlines()[1] == "    2 | " + "x" * 100 + "…"
    assert len(notes.palaces[0].walk[0].description) == 1_048_576


def test_all_files_are_reported_in_one_run(make_project: ProjectMaker) -> None:
    make_project(
        {
            "source/a.md": "oops\n- A: B\n",
            "source/b.txt": "- C: D\nalso oops\n",
            "source/ignored.rst": "not notes",
        }
    )
    notes = load_notes(["source"])
    assert [(d.path, d.line) for d in notes.errors] == [("source/a.md", 1), ("source/b.txt", 2)]
    assert [p.id for p in notes.palaces] == ["a", "b"]


def test_two_files_with_one_palace_id(make_project: ProjectMaker) -> None:
    make_project({"source/a.md": "- A: B\n", "source/b.md": "# B {#a}\n- C: D\n"})
    notes = load_notes(["source"])
    assert [d.format() for d in notes.errors] == [
        "source/b.md:1:1: error: palace id 'a' is already used by source/a.md: rename the file "
        "or pin an id with '# Title {#id}'"
    ]
