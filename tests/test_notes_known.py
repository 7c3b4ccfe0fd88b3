"""`palace serve` reads again only the rooms whose lines changed (`notes/known.py`): after any
edit, the records and problems are exactly those a fresh read gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.notes.known import remember_rooms
from builder.notes.load import Notes, load_notes

NOTES = """# Known rooms

## Kitchen
- Stove: Loss: how far predictions are from labels
- Sink: Softmax: activations that add up to 1
  > wash the outputs
- Oven: Steps: three of them
  - Door: open
  - Rack: slide
## Hall
- Mirror: Attention: weights over inputs
- Coat: Dropout: some units off {#coat}
## Garden
- Sink: Embedding: a word as a vector
- Bench: Norm: mean and variance
## Hall
- Lamp: Batch: many at once
"""

EDITS = [
    ("how far predictions are from labels", "how far off"),  # a description
    ("- Stove: Loss:", "- Sink: Loss:"),  # the Garden's Sink becomes sink-3
    ("- Mirror: Attention:", "- Mirror: Attention:\n- Shelf: Books:"),  # lines move
    ("- Bench: Norm:", "- Bench: Norm: {#sink}"),  # a misplaced id: a warning
    ("- Stove: Loss:", "- Stove: Loss: {#bench}"),  # a pin of a name used later
    ("## Hall\n- Mirror", "<!--\n## Hall\n-->\n- Mirror"),  # a room heading in a comment
    ("## Garden", "## {#Bad}"),  # an invalid heading: its loci join the room above
    ("## Garden", "## Garden\n# Second title"),
    ("## Garden", "## Kitchen"),  # a room name again
    ("\n## Hall\n- Lamp", "\n- Lamp"),  # a heading removed
    ("- Coat: Dropout: some units off {#coat}", "- Coat: Dropout: some units off"),
]


@pytest.fixture
def remembering() -> Iterator[None]:
    remember_rooms()
    try:
        yield
    finally:
        remember_rooms(False)


def fresh(folder: Path) -> Notes:
    remember_rooms(False)
    try:
        return load_notes([str(folder)])
    finally:
        remember_rooms()


@pytest.mark.parametrize("edit", EDITS, ids=[new for _, new in EDITS])
def test_an_edit_reads_as_a_fresh_read_does(
    tmp_path: Path, remembering: None, edit: tuple[str, str]
) -> None:
    notes = tmp_path / "known.md"
    notes.write_text(NOTES, encoding="utf-8")
    first = load_notes([str(tmp_path)])
    old, new = edit
    assert old in NOTES
    for text in (NOTES.replace(old, new, 1), NOTES):  # the edit, then undone
        notes.write_text(text, encoding="utf-8")
        again = load_notes([str(tmp_path)])
        assert again == fresh(tmp_path)
    assert again == first


def test_rooms_whose_lines_are_the_same_are_not_read_again(
    tmp_path: Path, remembering: None
) -> None:
    notes = tmp_path / "known.md"
    notes.write_text(NOTES, encoding="utf-8")
    (before,) = load_notes([str(tmp_path)]).palaces
    notes.write_text(NOTES.replace("how far predictions", "how far guesses"), encoding="utf-8")
    (after,) = load_notes([str(tmp_path)]).palaces
    assert after.rooms[0] != before.rooms[0]
    assert all(a is b for a, b in zip(after.rooms[1:], before.rooms[1:], strict=True))
    assert after.walk[7] is before.walk[7]
