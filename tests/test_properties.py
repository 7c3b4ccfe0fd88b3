"""Arbitrary notes never crash the reader: only diagnostics, never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.errors import NotesError
from builder.load import load_notes

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
