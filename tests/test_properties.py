"""Properties of the reader: arbitrary notes give records or diagnostics, never another
exception; ids are the reference slug of their names."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
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


def _old_slugify(text: str, fallback: str) -> str:
    """`identity.slugify` as it was before ids kept other scripts: the ids palaces have."""
    slug = re.sub(r"[^a-z0-9]+", "-", _reference_fold(text)).strip("-")
    return slug or fallback


LATIN = st.text(
    alphabet=st.one_of(
        st.characters(max_codepoint=0x24F),
        st.characters(min_codepoint=0x1E00, max_codepoint=0x1EFF),  # Latin Extended Additional
        st.characters(min_codepoint=0x2150, max_codepoint=0x218F),  # number forms
        st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining marks
    )
)


@settings(max_examples=1000, deadline=None)
@given(text=LATIN)
@example(text="Küche 12")
@example(text="2nd Door")
@example(text="İ")
@example(text="ǅ")
@example(text="ſ")  # LONG S
@example(text="¹ ª º")
@example(text="Ku\u0308che q\u0307")  # NFD, and a mark no Latin letter composes with
@example(text="\u00c6\u0301 \u00f8\u0301")  # ǽ ǿ decomposed: see below
def test_latin_names_keep_the_ids_they_had(text: str) -> None:
    old = _old_slugify(text, "")
    # The old ids differed between a name's composed and decomposed forms for a few letters
    # (`Æ` + acute folded to `ae`, `Ǽ` to nothing); a name is read as NFC, and keeps that id.
    if old != _old_slugify(unicodedata.normalize("NFC", text), ""):
        return
    if old and len(old) <= identity.MAX_ID_BYTES:
        assert identity.slugify(text, "locus") == old


@settings(max_examples=1000, deadline=None)
@given(text=st.text())
@example(text="K")  # KELVIN SIGN
@example(text="台所 Кухня المطبخ Κουζίνα रसोई")
def test_slugs_keep_letters_and_digits_of_every_script(text: str) -> None:
    slug = identity.slugify(text, "locus")
    assert slug == identity.slugify(unicodedata.normalize("NFD", text), "locus")
    assert slug == identity.slugify(slug, "locus")  # an id is its own slug: it can be pinned
    assert len(slug.encode()) <= identity.MAX_ID_BYTES
    assert not any(c.isspace() or c in "/\\?#%&<>\"'" for c in slug)
    letters = [c for c in unicodedata.normalize("NFKC", text) if c.isalnum()]
    if not letters and text.strip():
        assert slug.startswith("u")  # made of the name's characters, never of its position
    for word in re.findall(r"[^\W_]+", text):
        if all(_other_script(c) for c in word):
            assert word.casefold() in slug or len(slug.encode()) == identity.MAX_ID_BYTES


def _other_script(char: str) -> bool:
    """A letter or digit that is not Latin, and that NFKC leaves as it is."""
    name = unicodedata.name(char, "")
    latin = ord(char) < 0x250 or name.startswith(("LATIN", "FULLWIDTH", "ROMAN NUMERAL"))
    return not latin and unicodedata.normalize("NFKC", char) == char


def test_scripts_give_ids_of_their_own() -> None:
    names = {"台所": "台所", "Кухня": "кухня", "المطبخ": "المطبخ", "Κουζίνα": "κουζίνα"}
    names |= {"🍎": "u1f34e", "→ ←": "u2192-2190", "Küche": "kuche", "Ⅻ": "xii"}
    assert {name: identity.slugify(name, "locus") for name in names} == names


@pytest.mark.parametrize("text", ["Küche", "Straße", "Œuvre", "ﬁle", "x\u0301", "Ⅻ", "日本"])
def test_fold_is_the_reference_fold(text: str) -> None:
    assert identity.fold(text) == _reference_fold(text)


PLACE = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
            blacklist_characters=":#>{}![]<`*\\-+_&=~|\t",
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda name: name and not name[0].isdigit())
)


def _ids(tmp_path: Path, places: list[str]) -> list[str]:
    notes = tmp_path / "p.md"
    notes.write_text("".join(f"- {place}: concept\n" for place in places), encoding="utf-8")
    (palace,) = load_notes([str(notes)]).palaces
    return [locus.id for locus in palace.loci]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(places=st.lists(PLACE, min_size=1, max_size=8), new=PLACE, at=st.integers(0, 8))
def test_inserting_a_locus_changes_no_other_id(
    tmp_path: Path, places: list[str], new: str, at: int
) -> None:
    assume(identity.slugify(new, "locus") not in {identity.slugify(p, "locus") for p in places})
    at = min(at, len(places))
    before = _ids(tmp_path, places)
    after = _ids(tmp_path, [*places[:at], new, *places[at:]])
    assert after[:at] + after[at + 1 :] == before
