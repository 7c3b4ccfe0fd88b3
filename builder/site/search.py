"""Search: how the site's texts are folded so that `kuche` finds `Küche`.

The search box (`static/search.js`) searches every palace's study data (`study.py`), which
carries, for each text that is not ASCII, its fold made here with `identity.fold` (the fold that
makes ids: case and accents away, `ß` → `ss`, `æ` → `ae` …). The query is folded in the browser
the same way. The one piece of that fold with no JavaScript equivalent is which characters count
as combining marks (Python's `unicodedata.combining`); `search.js` holds them as a regular
expression class, `combining_marks()` of Python 3.11's Unicode 14.0. It is a constant there, not
data of each build, so the site's bytes do not depend on the Python that builds it. ASCII text
is not shipped folded: its fold is lower-casing, which JavaScript does identically.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import lru_cache

from builder.notes.identity import fold

SEPARATOR = "\x01"  # between the folded fields of one stop
_HIGHEST_MARK = 0x20000  # no combining character lies above the first two planes


@lru_cache(maxsize=1)
def combining_marks() -> str:
    """The characters `unicodedata.combining` counts as marks, as the body of a JavaScript
    regular expression character class (`\\u0300-\\u036f…`, astral ones as `\\u{…}`): how
    `search.js`'s `MARKS` is made, and checked."""
    ranges: list[list[int]] = []
    for code in range(_HIGHEST_MARK):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    assert not any(unicodedata.combining(chr(c)) for c in range(_HIGHEST_MARK, sys.maxunicode))
    return "".join(
        _escape(first) if first == last else f"{_escape(first)}-{_escape(last)}"
        for first, last in ranges
    )


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code < 0x10000 else f"\\u{{{code:x}}}"


def folded(*texts: str) -> str | int:
    """The fold of each text that is not ASCII, joined by `SEPARATOR` ("" where a text is ASCII:
    the browser lower-cases it itself), or 0 when all of them are ASCII. Descriptions are mostly
    ASCII even where a place is not, so this keeps the data small."""
    if "".join(texts).isascii():
        return 0
    return SEPARATOR.join("" if text.isascii() else fold(text) for text in texts)
