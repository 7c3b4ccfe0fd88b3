"""`palace serve`: the rooms of each notes file read by the last build, by their text, so that
a rebuild reads and assembles only the rooms whose lines changed.

A room is kept by its lines (from its `## Room` heading to the next), its first line number and
the file, when nothing in them depends on other lines: no comment, picture or `# Title`. Its
records are used again only where they come out the same: the same room number and first stop,
and every id allocated again as before (`assemble.Assembler`). Nothing is kept unless
`remember_rooms` was called.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, NamedTuple

from builder.errors import Diagnostic
from builder.notes.drafts import DraftRoom

if TYPE_CHECKING:
    from builder.notes.parse import LineReader

# A room heading that starts a room wherever it is, outside a comment: `## ` at the margin,
# some text, no `{#id}` (which could be invalid) and no comment.
_ROOM_HEADING = re.compile(r"## (?![ \t]*#*[ \t]*$)[^{}]*")


class _Read(NamedTuple):
    """What reading a room's lines gave: the room's draft, ids pinned, problems."""

    room: DraftRoom
    pins: tuple[tuple[str, int, int], ...]
    diagnostics: tuple[Diagnostic, ...]


class KnownRooms:
    """The rooms of one notes file read last time (`before`), and those read now (`now`)."""

    def __init__(self, before: dict[tuple[str, int], _Read]) -> None:
        self.before = before
        self.now: dict[tuple[str, int], _Read] = {}
        self._starts: set[int] = set()

    def read(self, reader: LineReader, lines: list[str]) -> int:
        """Read `lines` into `reader` room by room, each room read before taken as it was;
        returns the line of a comment left open (`LineReader.read_lines`)."""
        comment_line = 0
        for start, end in self.spans(lines):
            # a room's key: its lines and where they start (only a heading starts one surely)
            key = ("\n".join(lines[start:end]), start) if start in self._starts else None
            if comment_line or key is None or not self.take(reader, key):
                pins, found = len(reader.palace.pins), len(reader.diagnostics)
                reader.pure = not comment_line
                comment_line = reader.read_lines(lines, start, end, comment_line)
                if key is not None and reader.pure and not comment_line:
                    self.keep(reader, key, pins, found)  # nothing read depends on other lines
        return comment_line

    def spans(self, lines: list[str]) -> list[tuple[int, int]]:
        """The lines cut (from 0, end excluded) before each heading that surely starts a room."""
        self._starts = {
            i for i, raw in enumerate(lines) if raw.startswith("## ") and _room_heading(raw)
        }
        cuts = sorted({0, *self._starts, len(lines)})
        return list(itertools.pairwise(cuts))

    def take(self, reader: LineReader, key: tuple[str, int]) -> bool:
        """Give `reader` the room these lines (`key`) gave last time, if they are the same."""
        read = self.before.get(key)
        if read is None:
            return False
        reader.palace.rooms.append(read.room)
        reader.palace.pins.extend(read.pins)
        reader.diagnostics.extend(read.diagnostics)
        reader.enter(read.room)
        self.now[key] = read
        return True

    def keep(self, reader: LineReader, key: tuple[str, int], pins: int, found: int) -> None:
        """Keep the room `reader` just read from these lines (`key`)."""
        room = reader.palace.rooms[-1] if reader.palace.rooms else None
        if room is None or room.line != key[1] + 1:
            return
        read = _Read(room, tuple(reader.palace.pins[pins:]), tuple(reader.diagnostics[found:]))
        self.now[key] = read


def _room_heading(raw: str) -> bool:
    text = raw.strip()
    return text == raw.rstrip() and "<!--" not in raw and bool(_ROOM_HEADING.fullmatch(text))


_FILES: dict[tuple[str, str, str], dict[tuple[str, int], _Read]] | None = None


def remember_rooms(keep: bool = True) -> None:
    """From now on (or, `keep` False, no longer), remember the rooms of each file read."""
    global _FILES
    _FILES = {} if keep else None


def known_rooms(file: tuple[str, str, str]) -> KnownRooms | None:
    """The rooms last read from `file` (display path, path, source folder), if remembering."""
    return None if _FILES is None else KnownRooms(_FILES.get(file, {}))


def read_rooms(file: tuple[str, str, str], rooms: KnownRooms | None) -> None:
    """What to remember of `file` from now on: the rooms read this time."""
    if _FILES is not None and rooms is not None:
        _FILES[file] = rooms.now
