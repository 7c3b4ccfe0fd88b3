"""Arbitrary notes never crash the reader: only diagnostics, never another exception."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.errors import Diagnostic, NotesError
from builder.notes import parse
from builder.notes.load import load_notes
from builder.notes.parse import LineReader

PIECES = st.sampled_from([*list("ab: #>-*`{}![]()\t\r\n\\<&äß1."), "{#x}", "  - ", "<!--", "-->"])
NOTES = st.one_of(
    st.binary(max_size=300),
    st.lists(PIECES, max_size=120).map(lambda pieces: "".join(pieces).encode()),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=NOTES)
def test_any_bytes_give_records_or_diagnostics(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(data)
    notes = load_notes([str(path)])
    for diagnostic in notes.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.col >= 1
        diagnostic.format()
    try:
        notes.require_ok(strict=True)
    except NotesError as error:
        assert error.diagnostics == notes.diagnostics
    else:
        assert len(notes.palaces) == 1 and notes.palaces[0].walk


_PART = st.lists(
    st.sampled_from([*list("ab `{}#\t\u00a0ä1.:"), "{#x}", "  ", "Küche", "3:1", "**b**"]),
    max_size=6,
).map("".join)
_COLON = st.sampled_from([": ", ":", ":\t", " : ", ":\u00a0", ":  "])
# `- Place: Concept: description` lines, most of them plain, some with every kind of trouble
LOCUS_LINES = st.lists(
    st.tuples(_PART, _COLON, _PART, _COLON, _PART).map(lambda parts: "- " + "".join(parts)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(lines=LOCUS_LINES)
def test_plain_locus_lines_read_as_the_general_path_reads_them(lines: list[str]) -> None:
    """`parse._PLAIN_LOCUS` (a shortcut for the commonest line) changes nothing but speed."""
    fast, general = read_fast_and_general(["# P", "## R", *lines])
    assert fast[0] == general[0]
    assert fast[1] == general[1]


Read = tuple[parse.DraftPalace, list[Diagnostic]]


def read_fast_and_general(source: list[str]) -> tuple[Read, Read]:
    """`source` read as usual, and read with `parse._PLAIN_LOCUS` matching nothing, so that
    every line takes the general path: each as (draft, diagnostics)."""
    fast = LineReader("p.md", Path("p.md"), Path("."))
    fast_draft = fast.read(source)
    general = LineReader("p.md", Path("p.md"), Path("."))
    original = parse._PLAIN_LOCUS
    parse._PLAIN_LOCUS = re.compile(r"(?!)")  # matches nothing: every line takes the general path
    try:
        general_draft = general.read(source)
    finally:
        parse._PLAIN_LOCUS = original
    return (fast_draft, fast.diagnostics), (general_draft, general.diagnostics)
