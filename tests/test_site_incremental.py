"""Incremental rendering of the site: a build that carries over the previous build's memo and
keys (exactly as `palace build` does) gives, for every file, the bytes a full render gives; and
it renders only what shows something that changed.

Each build here is what build.py does between two builds into one folder: the memo goes
through `Memo.dumps()` and marshal, the keys into a `Reuse`; a file the render leaves out is
kept from the previous build's files.
"""

from __future__ import annotations

import marshal
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.cache.memo import Memo, Reuse
from builder.notes.load import load_notes
from builder.notes.records import Palace
from builder.site import render, render_site

PICTURE_A = b"\x89PNG\r\n\x1a\n picture a"
PICTURE_B = b"\x89PNG\r\n\x1a\n picture b"


def palace_lines(rooms: int, title: str = "Test palace") -> list[str]:
    """A palace with a bit of everything: steps, notes, pictures, Markdown, a pinned id,
    concepts under many letters (and a digit, and punctuation), an empty room."""
    lines = [f"# {title}", ""]
    for r in range(rooms):
        lines += [f"## Room {r}", ""]
        if r == 2:
            lines += ["> the room's own note", "![room two](pictures/a.png)"]
        if r == rooms - 2:
            continue  # a room without loci
        for n in range(4 + r % 4):
            letter = "ÄBCDEFGHIJKLMNOPQRSTUVWXYZ"[(r * 7 + n * 3) % 26]
            concept = f"{letter}oncept {r}.{n}" if (r + n) % 9 else f"“{n}” concept *{r}*"
            lines.append(f"- Place {r}-{n}: {concept}: description {r} {n} with `code {n}`")
            if (r + n) % 5 == 0:
                lines.append(f"  > a mnemonic for {r} {n}")
            if (r, n) == (3, 1):
                lines.append("  ![a picture](pictures/b.png)")
        if r == 4:
            lines += ["- Window: Steps:", "  - Sill: first # one", "  - Frame: second # two"]
        if r == 5:
            lines.append("- Desk: Pinned: a pinned id {#the-desk}")
        lines.append("")
    return lines


@dataclass
class Project:
    """Notes files, pictures and deck sizes, written to `folder` and loaded as the build does."""

    folder: Path
    rooms: int = 14
    notes: dict[str, list[str]] = field(default_factory=dict)
    pictures: dict[str, bytes] = field(default_factory=dict)
    deck_size: int = 123_456

    def __post_init__(self) -> None:
        self.notes = {"a-palace.md": palace_lines(self.rooms)}
        self.pictures = {"a.png": PICTURE_A, "b.png": PICTURE_B}

    def palaces(self) -> tuple[Palace, ...]:
        (self.folder / "pictures").mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.md"):
            old.unlink()
        for name, lines in self.notes.items():
            (self.folder / name).write_text("\n".join(lines), encoding="utf-8")
        for name, data in self.pictures.items():
            (self.folder / "pictures" / name).write_bytes(data)
        notes = load_notes([str(self.folder)])
        assert not notes.errors, [d.format() for d in notes.errors]
        return notes.palaces

    def decks(self, palaces: tuple[Palace, ...]) -> dict[str, int]:
        return {f"{palace.id}.apkg": self.deck_size + n for n, palace in enumerate(palaces)}

    def replace(self, old: str, new: str, name: str = "a-palace.md") -> None:
        lines = self.notes[name]
        (at,) = [i for i, line in enumerate(lines) if old in line]
        lines[at] = lines[at].replace(old, new)

    def index(self, start: str, name: str = "a-palace.md") -> int:
        """Where the line that is `start` (a heading) or starts with it (`- Place 1-2:`) is."""
        lines = self.notes[name]
        if not start.endswith(":"):
            return lines.index(start)
        (at,) = [i for i, line in enumerate(lines) if line.startswith(start)]
        return at


@dataclass
class Build:
    """What a build left: the output folder's files, their keys and the memo's bytes."""

    files: dict[str, bytes]
    keys: dict[str, str]
    memo: bytes
    rendered: set[str]
    tables: Memo


SETTINGS: dict[str, Any] = {"site_title": "Palaces", "base_url": "https://owner.github.io/repo/"}


def build(project: Project, previous: Build | None, **options: Any) -> Build:
    """Render as `palace build` does after `previous`, check every file against a full render,
    and return what the next build gets."""
    palaces = project.palaces()
    decks = project.decks(palaces)
    if previous is None:
        memo, reuse = Memo(), Reuse()
    else:
        memo = Memo("", marshal.loads(previous.memo)["tables"])
        reuse = Reuse(previous.keys)
    rendered = render_site(palaces, decks, memo=memo, reuse=reuse, **options)
    assert not set(rendered) & reuse.kept
    assert set(rendered) | reuse.kept == set(reuse.keys), "a key for every file"
    files = {
        path: rendered[path] if path in rendered else previous.files[path]  # type: ignore[union-attr]
        for path in sorted(reuse.keys)
    }
    full = render_site(palaces, decks, **options)
    assert sorted(files) == sorted(full)
    wrong = [path for path in full if files[path] != full[path]]
    assert wrong == [], "an incremental render differs from a full one"
    return Build(files, dict(reuse.keys), memo.dumps(), set(rendered), memo)


# -- the edits ---------------------------------------------------------------------------------


def description(project: Project) -> None:
    project.replace("description 6 2 with", "a new description 6 2 with")


def concept(project: Project) -> None:
    project.replace("oncept 7.1:", "oncept 7.1 changed:")


def note(project: Project) -> None:
    project.replace("a mnemonic for 5 0", "a better mnemonic for 5 0")


def step(project: Project) -> None:
    project.replace("Sill: first # one", "Sill: first # the first one")


def insert(project: Project) -> None:
    lines = project.notes["a-palace.md"]
    lines.insert(project.index("- Place 6-1:"), "- Inserted: Zebra: new in the middle")


def remove(project: Project) -> None:
    del project.notes["a-palace.md"][project.index("- Place 8-0:")]


def rename_room(project: Project) -> None:
    project.replace("## Room 9", "## Kitchen 9")


def move_room(project: Project) -> None:
    lines = project.notes["a-palace.md"]
    start, end = project.index("## Room 3"), project.index("## Room 4")
    block = lines[start:end]
    del lines[start:end]
    at = project.index("## Room 9") if any(x == "## Room 9" for x in lines) else len(lines)
    lines[at:at] = block


def picture(project: Project) -> None:
    project.pictures["b.png"] += b" edited"


def alt_text(project: Project) -> None:
    project.replace("![room two]", "![room two, from the door]")


def deck_size(project: Project) -> None:
    project.deck_size += 2_000


def pinned_id(project: Project) -> None:
    project.replace("{#the-desk}", "{#my-desk}")


def title(project: Project) -> None:
    project.replace("# Test palace", "# Another title")


def second_palace(project: Project) -> None:
    project.notes["b-palace.md"] = palace_lines(3, title="Second palace")


def tiny_palace(project: Project) -> None:
    project.notes["c-palace.md"] = ["# Tiny", "", "- Only: One: a locus before any room heading"]


def empty_room(project: Project) -> None:
    lines = project.notes["a-palace.md"]
    lines.insert(project.index("## Room 1"), "## Nothing here yet")


EDITS: dict[str, Callable[[Project], None]] = {
    edit.__name__: edit
    for edit in (
        description,
        concept,
        note,
        step,
        insert,
        remove,
        rename_room,
        move_room,
        picture,
        alt_text,
        deck_size,
        pinned_id,
        title,
        second_palace,
        tiny_palace,
        empty_room,
    )
}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("options", [{}, SETTINGS], ids=["default", "titled"])
def test_one_edit_renders_what_a_full_render_gives(
    edit: str, options: dict[str, Any], tmp_path: Path
) -> None:
    project = Project(tmp_path)
    first = build(project, None, **options)
    EDITS[edit](project)
    after = build(project, first, **options)
    assert after.rendered, "an edit shows somewhere"
    assert build(project, after, **options).rendered == set(), "nothing changed: nothing rendered"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=5))
def test_any_edits_in_a_row_render_what_a_full_render_gives(edits: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = Project(Path(folder), rooms=12)
        state = build(project, None)
        for edit in edits:
            try:
                EDITS[edit](project)
            except ValueError:  # what it edits is gone, or edited already: change the deck
                deck_size(project)
            state = build(project, state)


# -- what is rendered again --------------------------------------------------------------------

ROOM = re.compile(r"a-palace/room-\d+/index\.html")


def test_editing_a_description_renders_its_room_the_glossary_and_the_study_data(
    tmp_path: Path,
) -> None:
    project = Project(tmp_path, rooms=40)
    first = build(project, None)
    description(project)
    after = build(project, first)
    (data,) = [path for path in first.files if path.startswith("assets/data-")]
    assert sorted(after.rendered) == sorted(
        ["a-palace/room-6/index.html", "a-palace/glossary.html", data]
    )
    rooms = [path for path in first.files if ROOM.fullmatch(path)]
    assert len(rooms) == 40
    # Of the big files, only the pieces of the edited room were made again.
    assert after.tables.table("site.data").misses == 1
    assert after.tables.table("site.glossary").misses == 1
    assert after.tables.table("site.walk-table").misses == 0
    assert after.tables.table("site.map").misses == 0


def test_a_note_shows_on_its_room_page_and_in_the_study_data_only(tmp_path: Path) -> None:
    project = Project(tmp_path)
    first = build(project, None)
    note(project)
    (data,) = [path for path in first.files if path.startswith("assets/data-")]
    assert build(project, first).rendered == {"a-palace/room-5/index.html", data}


def test_a_concept_shows_on_the_overview_map_and_glossary(tmp_path: Path) -> None:
    project = Project(tmp_path)
    first = build(project, None)
    concept(project)
    (data,) = [path for path in first.files if path.startswith("assets/data-")]
    assert build(project, first).rendered == {
        "a-palace/room-7/index.html",
        "a-palace/index.html",
        "a-palace/map.html",
        "a-palace/glossary.html",
        data,
    }


def test_renaming_a_room_renders_its_neighbours_and_the_lists_of_rooms(tmp_path: Path) -> None:
    project = Project(tmp_path)
    first = build(project, None)
    rename_room(project)
    after = build(project, first)
    pages = {path for path in after.rendered if not path.startswith("assets/")}
    assert pages == {  # not the home: it points into the palace, it does not list its rooms
        "a-palace/index.html",
        "a-palace/walk.html",
        "a-palace/quiz.html",
        "a-palace/map.html",
        "a-palace/glossary.html",
        "a-palace/room-8/index.html",  # its neighbours link to it by name
        "a-palace/kitchen-9/index.html",
        "a-palace/room-10/index.html",
    }
    assert "a-palace/room-9/index.html" not in after.files, "the old page is gone"


def test_deck_size_shows_on_the_overview_only(tmp_path: Path) -> None:
    project = Project(tmp_path)
    first = build(project, None)
    deck_size(project)
    assert build(project, first).rendered == {"index.html", "a-palace/index.html"}


def test_a_new_picture_renders_the_pages_that_show_it(tmp_path: Path) -> None:
    project = Project(tmp_path)
    first = build(project, None)
    picture(project)
    rendered = build(project, first).rendered
    (new,) = [path for path in rendered if path.startswith("pictures/")]
    (data,) = [path for path in first.files if path.startswith("assets/data-")]
    assert rendered == {new, data, "a-palace/room-3/index.html"}


def test_kept_files_keep_their_pieces_for_a_later_build(tmp_path: Path) -> None:
    """A build that keeps the map still hands its pieces on: the next edit that shows on the
    map makes only its own room's piece again."""
    project = Project(tmp_path)
    first = build(project, None)
    description(project)
    second = build(project, first)
    assert "a-palace/map.html" not in second.rendered
    concept(project)
    third = build(project, second)
    assert "a-palace/map.html" in third.rendered
    assert third.tables.table("site.map").misses == 1
    assert third.tables.table("site.walk-table").misses == 1


def test_compiled_templates_are_remembered(tmp_path: Path) -> None:
    """A new process loads the templates from the memo instead of compiling them, and they
    render the same bytes."""
    project = Project(tmp_path)
    new_process()
    first = build(project, None)
    assert first.tables.table("site.templates").misses >= 8, "every template compiled once"
    description(project)
    new_process()
    after = build(project, first)  # checks the bytes against a full render
    templates = after.tables.table("site.templates")
    assert templates.hits >= 2 and templates.misses == 0  # room.html, glossary.html, base.html…


def new_process() -> None:
    """Forget the templates this process loaded."""
    render.ENVIRONMENT.cache.clear()  # type: ignore[union-attr]
    render._COMPILED.clear()


def test_digests_of_texts_keep_them_apart() -> None:
    from builder.site.facts import _digest

    lists = [[], [""], ["", ""], ["a"], ["a", "b"], ["a\x00b"], ["a\x00", "b"], ["a", "\x00b"]]
    assert len({_digest(texts) for texts in lists}) == len(lists)
    assert _digest(["Küche", "x"]) == _digest(["Küche", "x"])
