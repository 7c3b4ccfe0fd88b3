"""Stable identities for palaces, rooms, loci and steps.

The rule (documented in README, "Identity"): an id is the slug of the *place name* — never of
the concept or description — so fixing a typo in what a locus holds, moving it to another room,
renaming a room, or inserting, removing and reordering *other* loci keeps every id. A name used
twice in a palace gets `-2`, `-3`… in walk order. `{#id}` at the end of a line pins the id when
the place itself is renamed. Step ids are `<locus id>--<step slug>`.
"""

from __future__ import annotations

import re
import unicodedata

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SPECIAL = {
    "ß": "ss",
    "ẞ": "ss",
    "æ": "ae",
    "Æ": "ae",
    "ø": "o",
    "Ø": "o",
    "œ": "oe",
    "Œ": "oe",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "Đ": "d",
}


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Latin letters with accents → ASCII, precomputed: one str.translate folds most European text.
_FOLD = str.maketrans(
    {chr(cp): plain for cp in range(0xC0, 0x250) if (plain := _strip_marks(chr(cp))).isascii()}
    | _SPECIAL
)


def fold(text: str) -> str:
    """Lower-case ASCII approximation: `Küche` → `kuche`, `Straße` → `strasse`."""
    if not text.isascii():
        text = text.translate(_FOLD)
        if not text.isascii():
            text = _strip_marks(text)
    return text.lower()


# The slug of most names in one str.translate: ASCII letters and digits lower-cased, the letters
# `_FOLD` knows folded, and everything else a space, which `split` then drops.
_ASCII_WORDS = {cp: chr(cp).lower() if chr(cp).isalnum() else " " for cp in range(0x80)}
_SLUG = _ASCII_WORDS | {cp: folded.translate(_ASCII_WORDS) for cp, folded in _FOLD.items()}


def slugify(text: str, fallback: str = "x") -> str:
    """`2nd Door` → `2nd-door`; a name with no letters or digits gets `fallback`."""
    words = text.translate(_SLUG)
    if not words.isascii():  # a character `_SLUG` does not know: fold it the long way
        words = _NOT_ALNUM.sub(" ", fold(text))
    return "-".join(words.split()) or fallback


class IdAllocator:
    """Hands out unique ids in walk order; ids pinned with `{#id}` are reserved first."""

    def __init__(self, reserved: set[str]) -> None:
        self._used = set(reserved)

    def allocate(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self._used:
            n += 1
            candidate = f"{base}-{n}"
        self._used.add(candidate)
        return candidate
