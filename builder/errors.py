"""The one small exception tree, diagnostics that point at a line of the notes, and how
messages show text.

Exit codes: 0 ok, 1 the notes (or the output) have a problem, 2 the command line is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ECHO_WIDTH = 100  # characters of the offending line shown under a diagnostic


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in a notes file, with where it is and the text of that line."""

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"  # or "warning"
    text: str | None = None  # the offending line, echoed under the message

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        head = visible(f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}")
        if self.text is None:
            return head
        shown, caret = _echo(visible(self.text), self.col)
        gutter = f"{self.line:>5} | "
        return f"{head}\n{gutter}{shown}\n{' ' * (len(gutter) - 2)}| {' ' * caret}^"


# Control characters of the notes or of file names shown as symbols, one for one, so that no
# escape sequence reaches the terminal (and the caret under an echoed line stays in place).
_VISIBLE = {c: 0x2400 + c for c in range(0x20) if c != 0x09} | {0x7F: 0x2421}
_VISIBLE |= {c: 0xFFFD for c in range(0x80, 0xA0)}


def listed(items: Sequence[str], most: int, joiner: str = ", ") -> str:
    """`items` joined, the first `most` of them when there are more: `a, b and 3 more`."""
    if len(items) <= most:
        return joiner.join(items)
    return f"{joiner.join(items[:most])} and {len(items) - most} more"


def visible(text: str) -> str:
    """`text` with control characters (but tab) shown as symbols: `\x1b` becomes `␛`."""
    return text.translate(_VISIBLE)


def _echo(text: str, col: int) -> tuple[str, int]:
    """Cut a long line to a window around `col`; return it and the caret offset in it."""
    text = text.replace("\t", " ")
    start = 0
    if len(text) > ECHO_WIDTH:
        start = max(0, min(col - 1 - ECHO_WIDTH // 2, len(text) - ECHO_WIDTH))
    shown = text[start : start + ECHO_WIDTH]
    caret = col - 1 - start
    if start > 0:
        shown, caret = "…" + shown, caret + 1
    if start + ECHO_WIDTH < len(text):
        shown += "…"
    return shown, max(caret, 0)


class PalaceError(Exception):
    """Root of every error a user can cause; the CLI prints it without a traceback."""

    exit_code = 1


class UsageError(PalaceError):
    """The command line asks for something impossible (missing path, bad option)."""

    exit_code = 2


class OutputError(PalaceError):
    """The output folder cannot be written as asked; nothing was changed."""


class NotesError(PalaceError):
    """The notes have errors (or warnings under --strict); carries every diagnostic found."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        errors = sum(1 for d in diagnostics if d.is_error)
        super().__init__(f"{errors} error(s) in the notes")
