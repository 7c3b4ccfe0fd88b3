"""Splitting notes into lines (`split_lines`), what kind a line is (the patterns), and one line
into its parts: list markers, `{#id}`, colons, ` # ` comments.

Separators never count inside a Markdown code span (`like: this`), and a colon only separates
when a space or the end of the line follows it, so `3:1` or `https://x` stay whole.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque

LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])[ \t]+")
EXPLICIT_ID = re.compile(r"[ \t]*\{#([^{}]*)\}$")  # searched only in text ending with '}'
_COLON = re.compile(r":(?=\s|$)")
_COMMENT = re.compile(r"[ \t]#(?:[ \t]|$)")
_BACKTICKS = re.compile(r"`+")
ID_INSIDE = re.compile(r"\{#[^{}\s]+\}")
HEADING = re.compile(r"(#+)(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
PICTURE = re.compile(r"!\[([^\]]*)\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+\"[^\"]*\")?\s*\)$")
# First characters that cannot start a heading, note, picture or comment.
PLAIN_START = frozenset("-*+0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Most lines of most notes: `- Place: Concept: description`, or the same without `- ` for a
# place starting with a letter. No colon, code span or brace before the description, no part
# empty, no `}` (`{#id}`) at the end; each part trimmed by \s, which is what str.strip trims.
# Read at once; any other line takes the general path, which would read these the same way.
PLAIN_LOCUS = re.compile(
    r"(?:- (?=[^:`{}\s])|(?=[^\W\d_]))([^:`{}]*[^:`{}\s])\s*:[ \t]+\s*([^:`{}]*[^:`{}\s])\s*:"
    r"[ \t]+\s*(.*[^\s}])\s*"
)


def split_lines(text: str) -> list[str]:
    """Lines as an editor counts them: LF, CRLF and lone CR all end a line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")  # as `re.split(r"\r\n|\r|\n", text)` would


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each code span, as CommonMark pairs backtick runs; linear time."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    later: dict[int, deque[int]] = defaultdict(deque)
    for index, (start, end) in enumerate(runs):
        later[end - start].append(index)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        same = later[end - start]
        while same and same[0] <= i:
            same.popleft()
        if same:
            j = same.popleft()
            spans.append((start, runs[j][1]))
            i = j + 1
        else:
            i += 1
    return spans


def _outside_code(pattern: re.Pattern[str], text: str, limit: int) -> list[int]:
    """Start offsets of up to `limit` matches of `pattern` that are not inside a code span."""
    found: list[int] = []
    if "`" not in text:  # the common case: no code span to skip, no per-match checks
        match = pattern.search(text)
        while match and len(found) < limit:
            found.append(match.start())
            match = pattern.search(text, match.end()) if len(found) < limit else None
        return found
    spans = code_spans(text)
    for match in pattern.finditer(text):
        pos = match.start()
        if any(start <= pos < end for start, end in spans):
            continue
        found.append(pos)
        if len(found) == limit:
            break
    return found


def separators(text: str, limit: int) -> list[int]:
    """Offsets of the first `limit` separating colons."""
    return _outside_code(_COLON, text, limit)


def comment_start(text: str) -> int | None:
    """Offset of a trailing ` # comment` (the space before the `#`), if any."""
    found = _outside_code(_COMMENT, text, 1)
    return found[0] if found else None


def without_comments(text: str) -> tuple[str, int | None]:
    """`text` with its `<!-- … -->` comments taken out (not those in code spans), as GitHub
    hides them, and the offset of a `<!--` left open on this line, if any (it stays as text:
    a comment over several lines starts a line of its own). Removing a comment between two
    spaces removes one of them."""
    spans = code_spans(text) if "`" in text else []
    out, pos = [], 0
    while True:
        start = text.find("<!--", pos)
        while start >= 0 and any(a <= start < b for a, b in spans):
            start = text.find("<!--", start + 4)
        end = text.find("-->", start + 4) if start >= 0 else -1
        if end < 0:
            out.append(text[pos:])
            return "".join(out), (start if start >= 0 else None)
        out.append(text[pos:start])
        pos = end + 3
        if out[-1].endswith((" ", "\t")) and text[pos : pos + 1] in (" ", "\t"):
            pos += 1


def indent_width(whitespace: str) -> int:
    return sum(4 if ch == "\t" else 1 for ch in whitespace)
