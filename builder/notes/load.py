"""Find the notes files, read them as UTF-8, and turn each into a Palace record.

`load_notes` never raises for bad notes: it returns every palace it could read and every
diagnostic of every file, so one run reports all problems at once.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from builder.collector import collector_paused
from builder.errors import Diagnostic, NotesError, PalaceError, UsageError
from builder.notes.assemble import Assembler
from builder.notes.entries import kind, not_there
from builder.notes.identity import deck_level
from builder.notes.known import known_rooms, read_rooms
from builder.notes.lines import split_lines
from builder.notes.parse import LineReader
from builder.notes.records import Palace

NOTES_SUFFIXES = (".md", ".txt")
DEFAULT_SOURCE = "source"


@dataclass(frozen=True, slots=True)
class NotesFile:
    display: str  # the path as the user would write it, e.g. source/ml-palace.md
    file: Path
    root: Path  # the source folder: pictures must stay inside it


@dataclass(frozen=True, slots=True)
class Notes:
    """What the notes hold: the palaces read, in order, and every problem found."""

    files: tuple[NotesFile, ...]
    palaces: tuple[Palace, ...]
    diagnostics: tuple[Diagnostic, ...]
    # what each file was when it was read (`file_state`), in the order of `files`
    read_as: tuple[FileState, ...] = field(default=(), compare=False)

    def changed_since_read(self) -> list[str]:
        """The notes files saved again since they were read (an editor saving while a build
        runs): the records may then mix two versions of a file, or miss the last one."""
        return [
            notes.display
            for notes, state in zip(self.files, self.read_as, strict=True)
            if file_state(notes.file) != state
        ]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def require_ok(self, strict: bool = False) -> None:
        """Raise NotesError when there are errors (or warnings, under --strict)."""
        if self.failed(strict):
            raise NotesError(self.diagnostics)


def find_notes(sources: Sequence[str]) -> tuple[NotesFile, ...]:
    """Notes files named by SOURCE arguments: files as given, folders' files in name order.
    In a folder, an entry named like notes that is not a file (a FIFO, a folder, a link to
    nothing) is listed too: reading it says what it is (`read_palace`)."""
    found: list[NotesFile] = []
    seen: set[str] = set()
    for source in sources or [DEFAULT_SOURCE]:
        path = Path(source)
        shown = _shown(source)
        try:
            mode = path.stat().st_mode
        except OSError as error:
            raise UsageError(f"{shown}: {not_there(path, error)}") from None
        if stat.S_ISDIR(mode):
            try:
                names = sorted(path.iterdir())
            except OSError as error:
                raise PalaceError(f"{shown}: cannot read this folder: {error.strerror}") from None
            children = [
                child
                for child in names
                if child.suffix.lower() in NOTES_SUFFIXES and not child.name.startswith(".")
            ]
            if not children:
                raise PalaceError(f"{shown}: no notes here: expected .md or .txt files")
            candidates = [(child, path) for child in children]
        elif stat.S_ISREG(mode):
            if path.suffix.lower() not in NOTES_SUFFIXES:
                raise UsageError(f"{shown}: not a notes file: expected a .md or .txt file")
            candidates = [(path, path.parent)]
        else:
            raise UsageError(f"{shown}: {kind(mode)}, not a notes file")
        for file, root in candidates:
            real = os.path.realpath(file)
            if real not in seen:
                seen.add(real)
                found.append(NotesFile(file.as_posix(), file, root))
    return tuple(found)


def _shown(source: str) -> str:
    """A path as messages show it: a very long one cut (the console shows control characters
    as symbols, `errors.visible`)."""
    return source if len(source) <= 200 else source[:100] + "…" + source[-60:]


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 text of a notes file (BOM dropped), or None when it cannot be notes at all."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"
        message = "saved as UTF-16: save the file as UTF-8 (notes are UTF-8 text)"
        return None, [Diagnostic(path, 1, 1, message)]
    nul = data.find(b"\0")
    if nul >= 0:
        line, col, text = _position(data, nul)
        return None, [
            Diagnostic(
                path,
                line,
                col,
                "NUL byte: this is a binary file, not notes (notes are UTF-8 text)",
                "error",
                text,
            )
        ]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as bad:
        line, col, text = _position(data, bad.start)
        message = f"invalid UTF-8 (byte 0x{data[bad.start]:02x}): save the file as UTF-8"
        return data.decode("utf-8", "replace"), [
            Diagnostic(path, line, col, message, "error", text)
        ]


def _position(data: bytes, offset: int) -> tuple[int, int, str]:
    """Line, column and text of the line holding the byte at `offset`."""
    start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    ends = [i for i in (data.find(b"\n", offset), data.find(b"\r", offset)) if i >= 0]
    line = len(split_lines(data[:start].decode("utf-8", "replace")))
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    text = data[start : min(ends, default=len(data))].decode("utf-8", "replace")
    return line, col, text.replace("\0", " ")


FileState = tuple[int, int, int, int] | None  # inode, size, modification and change time


def file_state(path: Path) -> FileState:
    """What tells one saved version of a file from the next: an editor that replaces the file
    changes the inode, one that rewrites it the size or times."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def read_palace(notes: NotesFile) -> tuple[Palace | None, list[Diagnostic]]:
    """One notes file → its Palace (None when it has errors that leave no palace) + problems."""
    try:
        mode = notes.file.stat().st_mode
    except OSError as error:
        why = not_there(notes.file, error)
        return None, [Diagnostic(notes.display, 1, 1, f"skipped: {why}", "warning")]
    if not stat.S_ISREG(mode):
        return None, [Diagnostic(notes.display, 1, 1, f"skipped: {kind(mode)}", "warning")]
    try:
        data = notes.file.read_bytes()
    except OSError as error:
        return None, [Diagnostic(notes.display, 1, 1, f"cannot read: {error.strerror}")]
    text, diagnostics = decode(data, notes.display)
    if text is None:
        return None, diagnostics
    if not text.strip():
        return None, [
            Diagnostic(
                notes.display,
                1,
                1,
                "empty file: expected '# Title' and 'Locus: Concept: description' lines",
            )
        ]
    source_lines = split_lines(text)
    reader = LineReader(notes.display, notes.file, notes.root)
    file = (notes.display, str(notes.file), str(notes.root))
    rooms = known_rooms(file)  # `palace serve`: the rooms read last time, by their lines
    draft = reader.read(source_lines, rooms)
    assembler = Assembler(draft, source_lines, keep=rooms is not None)
    palace = assembler.palace(any(d.is_error for d in diagnostics + reader.diagnostics))
    read_rooms(file, rooms)
    found = diagnostics + reader.diagnostics + assembler.diagnostics
    found.sort(key=lambda d: (d.line, d.col))
    return palace, found


def load_notes(sources: Sequence[str]) -> Notes:
    """Read every notes file named by `sources` (default `source/`)."""
    files = find_notes(sources)
    with collector_paused():  # records are many small objects and hold no cycles
        return _load(files)


def _load(files: tuple[NotesFile, ...]) -> Notes:
    palaces: list[Palace] = []
    diagnostics: list[Diagnostic] = []
    owners: dict[str, str] = {}  # palace id → its file
    titles: dict[str, str] = {}  # a title as a deck name → its file
    states: list[FileState] = []
    for notes in files:
        states.append(file_state(notes.file))  # before reading: a save after it shows
        palace, found = read_palace(notes)
        diagnostics.extend(found)
        if palace is None:
            continue
        if palace.id in owners:
            diagnostics.append(
                Diagnostic(
                    notes.display,
                    1,
                    1,
                    f"palace id '{palace.id}' is already used by "
                    f"{owners[palace.id]}: rename the file or pin an id with '# Title {{#id}}'",
                )
            )
            continue
        owners[palace.id] = notes.display
        deck = _deck_title(palace.title)
        if deck in titles:
            diagnostics.append(
                Diagnostic(
                    notes.display,
                    1,
                    1,
                    f"the title '{palace.title}' is also {titles[deck]}'s: Anki would file "
                    "both palaces' cards in the same decks; give one another title",
                    "warning",
                )
            )
        titles.setdefault(deck, notes.display)
        palaces.append(palace)
    return Notes(files, tuple(palaces), tuple(diagnostics), tuple(states))


def _deck_title(title: str) -> str:
    """A title as Anki tells deck names apart: as it keeps them, and case aside."""
    return deck_level(title).casefold()
