"""Properties of the reader: arbitrary notes give records or diagnostics, never another
exception; ids are the reference slug of their names."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder.errors import NotesError
from builder.notes import identity
from builder.notes.load import load_notes

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


# -- slugify -----------------------------------------------------------------------------------
_SPECIAL = {"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe"}
_SPECIAL |= {"Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d"}


def _reference_fold(text: str) -> str:
    """`identity.fold` as it was, spelled out one character at a time."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        else:
            marks = unicodedata.normalize("NFKD", ch)
            plain = "".join(c for c in marks if not unicodedata.combining(c))
            if 0xC0 <= ord(ch) < 0x250 and plain.isascii():
                out.append(plain)
            else:
                out.append(ch)
    text = "".join(out)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower()


def _reference_slugify(text: str, fallback: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", _reference_fold(text)).strip("-")
    return slug or fallback


@settings(max_examples=1000, deadline=None)
@given(text=st.text(), fallback=st.sampled_from(["locus", "step", "room", "palace", "x"]))
@example(text="Küche 12", fallback="locus")
@example(text="2nd Door", fallback="locus")
@example(text="--", fallback="step")
@example(text="İ", fallback="x")
@example(text="ǅ", fallback="x")
@example(text="K", fallback="x")  # KELVIN SIGN: lower() gives ASCII k
@example(text="ſ", fallback="x")  # LONG S
def test_slugify_is_the_reference_slug(text: str, fallback: str) -> None:
    assert identity.slugify(text, fallback) == _reference_slugify(text, fallback)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x24F)))
def test_slugify_of_latin_text_is_the_reference_slug(text: str) -> None:
    assert identity.slugify(text, "locus") == _reference_slugify(text, "locus")


@pytest.mark.parametrize("text", ["Küche", "Straße", "Œuvre", "ﬁle", "x\u0301", "Ⅻ", "日本"])
def test_fold_is_the_reference_fold(text: str) -> None:
    assert identity.fold(text) == _reference_fold(text)
