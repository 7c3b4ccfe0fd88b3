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
from collections.abc import Sequence

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
MAX_ID_BYTES = 100  # an id names a folder of the site: well within every file system's limit


def slugify(text: str, fallback: str = "x") -> str:
    """The id a name gives: its letters and digits, in any script, lower-cased and joined by
    `-`. `2nd Door` → `2nd-door`, `Küche` → `kuche` (accents on Latin letters fold away, as
    they always have), `台所` → `台所`, `Кухня` → `кухня`. A name without letters or digits
    gets an id made of its characters (`🍎` → `u1f34e`); `fallback` is for an empty name."""
    words = text.translate(_SLUG)
    if not words.isascii():  # a character `_SLUG` does not know: one at a time
        words = _words(unicodedata.normalize("NFC", text))
    slug = "-".join(words.split())
    if not slug:
        shown = [f"{ord(c):x}" for c in unicodedata.normalize("NFC", text) if not c.isspace()]
        slug = "u" + "-".join(shown) if shown else fallback
    return _bounded(slug)


_AS_EVER = ("LATIN", "ROMAN NUMERAL")  # fold to ASCII or separate words, as in every id so far


def _as_ever(char: str) -> bool:
    return ord(char) < 0x250 or unicodedata.name(char, "").startswith(_AS_EVER)


def _words(text: str) -> str:
    """The letters and digits of `text` (NFC), lower-cased, everything else a space. Latin
    letters and Roman numerals (`_as_ever`), and what NFKC makes ASCII, fold as `fold` does,
    and marks on them go, so every id made so far stays; letters and digits of other scripts
    stay as they are (after NFKC), with the marks on them."""
    out: list[str] = []
    marked = False  # the last character kept is a letter or digit of another script
    for char in text:
        for part in char if _as_ever(char) else unicodedata.normalize("NFKC", char):
            plain = _strip_marks(part)
            if _as_ever(part):  # `Ⅻ` → `xii`, `ſ` → `s`, `þ` separates
                if not unicodedata.combining(part):
                    out.append(_NOT_ALNUM.sub(" ", fold(part)))
                marked = False
            elif unicodedata.category(part).startswith("M"):
                # a mark on nothing kept goes (or separates, as ever, if it combines with none)
                out.append(part if marked else "" if unicodedata.combining(part) else " ")
            elif plain and plain.isascii():  # `Ｆ` → `f`
                out.append(_NOT_ALNUM.sub(" ", plain.lower()))
                marked = False
            elif part.isalnum():
                out.append(part.casefold())
                marked = True
            else:
                out.append(" ")
                marked = False
    return "".join(out)


def _bounded(slug: str) -> str:
    """`slug`, or for a very long one its start and a digest of the rest (same name, same id)."""
    if len(slug.encode("utf-8")) <= MAX_ID_BYTES:
        return slug
    import hashlib  # OpenSSL: only for the rare very long name

    start = slug.encode("utf-8")[: MAX_ID_BYTES - 9].decode("utf-8", "ignore").rstrip("-")
    return f"{start}-{hashlib.sha256(slug.encode('utf-8')).hexdigest()[:8]}"


def name_key(name: str) -> str:
    """What makes two place names the same name: NFC and NFD spellings, and case, are one."""
    return name.casefold() if name.isascii() else unicodedata.normalize("NFC", name).casefold()


def pinned_id_problem(pinned: str) -> str | None:
    """What is wrong with a `{#id}`, if anything: it must be an id as names give them."""
    if len(pinned.encode("utf-8")) > MAX_ID_BYTES:
        return (
            f"id '{{#{pinned[:40]}…}}' is longer than {MAX_ID_BYTES} bytes: a folder of the "
            "site is named after it"
        )
    if not pinned or slugify(pinned) != pinned:
        return (
            f"invalid id '{{#{pinned}}}': use lower-case letters (of any script), digits and "
            "single hyphens, e.g. '{#living-room-tv}'"
        )
    return None


class IdAllocator:
    """Hands out unique ids in walk order; ids pinned with `{#id}` are reserved first."""

    def __init__(self, reserved: set[str], log: list[tuple[str, str]] | None = None) -> None:
        self._used = set(reserved)
        self.log = log  # given: each (base, id) allocated is added to it

    def allocate(self, base: str) -> str:
        candidate = self._free(base)
        self._used.add(candidate)
        if self.log is not None:
            self.log.append((base, candidate))
        return candidate

    def again(self, allocations: Sequence[tuple[str, str]]) -> bool:
        """Allocate these (base, id) again if each base still gives its id; else none."""
        taken: list[str] = []
        for base, allocated in allocations:
            if self._free(base) != allocated:
                self._used.difference_update(taken)
                return False
            self._used.add(allocated)
            taken.append(allocated)
        if self.log is not None:
            self.log.extend(allocations)
        return True

    def _free(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self._used:
            n += 1
            candidate = f"{base}-{n}"
        return candidate


_COLONS = re.compile(r":{2,}")
_NOT_IN_DECK_NAMES = re.compile(r'[\x00-\x1f\x7f"]')


def deck_level(name: str) -> str:
    """`name` as one level of an Anki deck name, as Anki keeps it (rslib `decks/name.rs`): in
    NFC, without ASCII control characters and `"`, trimmed; "" when nothing is left. `::` would
    open a new level, and a `:` at either end would make one with the `::` beside it."""
    text = _NOT_IN_DECK_NAMES.sub("", unicodedata.normalize("NFC", name))
    return _COLONS.sub(":", text).strip().strip(":").strip()
