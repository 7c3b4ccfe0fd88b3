"""Notes text → draft palace: every line is read into the draft or reported, none dropped.

The format is documented in README ("Writing a palace"). This module only reads lines into
drafts (`drafts.py`); ids and records are made by `assemble.py`, so each stays small and
testable.
"""

from __future__ import annotations

from pathlib import Path

from builder.errors import Diagnostic
from builder.notes import lines
from builder.notes.drafts import DraftLocus, DraftPalace, DraftRoom, DraftStep
from builder.notes.identity import pinned_id_problem
from builder.notes.known import KnownRooms
from builder.notes.pictures import resolve_picture
from builder.notes.records import Picture

EXPECTED_LOCUS = "expected 'Locus: Concept: description'"
_OPEN_COMMENT = "'<!--' with no '-->' on its line is text: a longer comment starts its own line"


class LineReader:
    """Reads the lines of one notes file into a DraftPalace, collecting diagnostics."""

    def __init__(self, display_path: str, file: Path, root: Path) -> None:
        self.palace = DraftPalace(display_path)
        self.diagnostics: list[Diagnostic] = []
        self._file, self._root = file, root
        self._room: DraftRoom | None = None
        self._locus: DraftLocus | None = None
        self._text = ""
        self._number = 0
        self.pure = True  # what was read depends on no other line (`known.py`)

    # -- reporting -------------------------------------------------------------------------
    def report(self, col: int, message: str, severity: str = "error", line: int = 0) -> None:
        text = self._text if not line or line == self._number else None
        self.diagnostics.append(
            Diagnostic(self.palace.path, line or self._number, col, message, severity, text)
        )

    # -- the line loop ---------------------------------------------------------------------
    def read(self, source_lines: list[str], rooms: KnownRooms | None = None) -> DraftPalace:
        """The draft of these lines; `rooms` (`palace serve`) gives the rooms read before by
        their lines, and keeps those read now."""
        whole = (source_lines, 0, len(source_lines), 0)
        comment_line = rooms.read(self, source_lines) if rooms else self.read_lines(*whole)
        if comment_line:
            text = source_lines[comment_line - 1]
            self._number, self._text = comment_line, text
            self.report(1 + text.find("<!--"), "comment '<!--' is never closed: expected '-->'")
        return self.palace

    def enter(self, room: DraftRoom) -> None:
        """Go on after `room`, read before (`KnownRooms`)."""
        self._room, self._locus = room, room.loci[-1] if room.loci else None

    def read_lines(self, source_lines: list[str], start: int, end: int, comment_line: int) -> int:
        """Read lines `start` to `end` (from 0); returns the line of a comment left open."""
        plain, plain_start = lines.PLAIN_LOCUS.fullmatch, lines.PLAIN_START
        for number, raw in enumerate(source_lines[start:end], start=start + 1):
            if comment_line:
                close = raw.find("-->")
                if close >= 0:
                    self._number, self._text = number, raw
                    comment_line = 0
                    self._after_comment(raw, close)
                continue
            if "<!--" in raw and not raw.lstrip().startswith("<!--"):  # a comment in a line
                self.pure = False
                raw, opened = lines.without_comments(raw)
                if opened is not None:
                    self._number, self._text = number, raw
                    self.report(opened + 1, _OPEN_COMMENT, "warning")
            match = plain(raw)
            if match is not None:  # a plain locus line
                name, concept, description = match.groups()
                col = 3 if raw[0] == "-" else 1
                locus = DraftLocus(name, concept, description, number, col, 0, None, 0)
                (self._room or self._default_room()).loci.append(locus)
                self._locus = locus
                if "{#" in description:
                    self._number, self._text = number, raw
                    self._misplaced_id(description, col)
                continue
            self._number, self._text = number, raw
            content = raw.strip()
            if not content:
                continue
            col = raw.find(content[0]) + 1
            first = content[0]
            if first in plain_start:  # most lines: a locus or a step
                indent = (
                    col - 1 if "\t" not in raw[: col - 1] else lines.indent_width(raw[: col - 1])
                )
                self._locus_or_step(content, col, indent)
            elif content.startswith("<!--"):
                self.pure = False
                if content.find("-->", 4) < 0:
                    comment_line = number
                else:
                    self._after_comment(raw, raw.find("-->", col + 3))
            elif content.startswith("#"):
                self._heading(content, col)
            elif content.startswith(">"):
                self._note(content, col)
            elif content.startswith("!["):
                self._picture(content, col)
            else:
                self._locus_or_step(content, col, lines.indent_width(raw[: col - 1]))
        return comment_line

    def _after_comment(self, raw: str, end: int) -> None:
        if raw[end + 3 :].strip():
            self.report(end + 4, "unexpected text after '-->': put it on a line of its own")

    # -- line kinds ------------------------------------------------------------------------
    def _heading(self, content: str, col: int) -> None:
        match = lines.HEADING.match(content)
        if not match:
            self.report(col, "expected a space after '#' in a heading ('# Title', '## Room')")
            return
        level, text = len(match.group(1)), (match.group(2) or "")
        text, pinned, _ = self._take_id(text, col + level + 1)
        if not text:
            self.report(col, "empty heading: expected '# Title' or '## Room'")
        elif level == 1:
            self.pure = False
            if self.palace.title is not None:
                self.report(
                    col,
                    f"second title: a file holds one palace (its title is at "
                    f"line {self.palace.title_line}); use '## Room' for a room",
                )
            else:
                self.palace.title, self.palace.title_line = text, self._number
                self.palace.pinned = pinned
        elif level == 2:
            self._room = DraftRoom(text, self._number, pinned)
            self.palace.rooms.append(self._room)
            self._locus = None
        else:
            self.report(col, f"expected '# Title' or '## Room', not a level-{level} heading")

    def _note(self, content: str, col: int) -> None:
        text = content[1:]
        text = text[1:] if text.startswith(" ") else text
        self._after_steps(col, "note")
        if self._locus is not None:
            self._locus.note.append(text)
        elif self._room is not None:
            self._room.note.append(text)
        else:
            self.report(col, "a note ('> …') needs a locus or '## Room' heading above it")

    def _picture(self, content: str, col: int) -> None:
        match = lines.PICTURE.match(content)
        if not match:
            self.report(col, "expected a picture on its own line: '![what it shows](file.jpg)'")
            return
        self.pure = False  # a picture is looked for on disk
        owner = self._locus or self._room
        if owner is None:
            self.report(col, "a picture needs a locus or '## Room' heading above it")
            return
        if owner.picture is not None:
            self.report(
                col,
                f"this already has a picture (line {owner.picture.line}): "
                "one picture per locus or room",
            )
            return
        self._after_steps(col, "picture")
        written = match.group(2).strip("<>")
        owner.picture = self._resolve_picture(match.group(1), written, col + match.start(2))

    def _after_steps(self, col: int, what: str) -> None:
        if self._locus is not None and self._locus.steps:
            self.report(
                col,
                f"this {what} comes after the steps of '{self._locus.place}' and belongs to "
                f"'{self._locus.place}' (steps have none of their own): put it right under "
                "its line",
                "warning",
            )

    def _resolve_picture(self, alt: str, written: str, col: int) -> Picture | None:
        picture, problem = resolve_picture(alt, written, self._file, self._root, self._number)
        if problem:
            self.report(col, problem)
        return picture

    def _default_room(self) -> DraftRoom:
        """The room of loci written before any '## Room' heading, made at the first of them."""
        self._room = DraftRoom(None, 0, None)
        self.palace.rooms.append(self._room)
        return self._room

    def _locus_or_step(self, content: str, col: int, indent: int) -> None:
        marker = lines.LIST_MARKER.match(content) if content[0] in "-*+0123456789" else None
        if marker:
            content, col = content[marker.end() :], col + marker.end()
        if self._locus is not None and indent > self._locus.indent:
            step_indent = self._locus.step_indent
            if step_indent is not None and indent >= step_indent + 2:  # a step of a step
                self.report(
                    col,
                    f"a step under a step: the steps of '{self._locus.place}' are one level "
                    "deep; indent this line like its other steps, or make it a locus",
                )
                return
            if step_indent is None:
                self._locus.step_indent = indent
            self._step(content, col)
        elif indent > 0 and self._locus is None:
            self.report(
                col,
                "indented line with no locus above it: a step goes under its "
                "'Locus: Concept:' line; a locus starts at the margin",
            )
        else:
            self._new_locus(content, col, indent)

    def _new_locus(self, content: str, col: int, indent: int) -> None:
        content, pinned, pinned_col = self._take_id(content, col)
        colons = lines.separators(content, 2)
        if not colons:
            self.report(col, EXPECTED_LOCUS)
            return
        name = content[: colons[0]].strip()
        end = colons[1] if len(colons) > 1 else len(content)
        concept = content[colons[0] + 1 : end].strip()
        description = content[end + 1 :].strip() if len(colons) > 1 else ""
        if not name:
            self.report(col, f"empty locus name before ':': {EXPECTED_LOCUS}")
            return
        if not concept:
            self.report(col + colons[0] + 1, f"expected a concept after '{name}:'")
            return
        locus = DraftLocus(
            name, concept, description, self._number, col, indent, pinned, pinned_col
        )
        if len(colons) > 1 and not description:
            locus.empty_description_col = col + colons[1]
        (self._room or self._default_room()).loci.append(locus)
        self._locus = locus
        self._misplaced_id(concept + " " + description, col)
        if pinned is not None:
            self.palace.pins.append((pinned, self._number, pinned_col))

    def _step(self, content: str, col: int) -> None:
        assert self._locus is not None
        content, pinned, pinned_col = self._take_id(content, col)
        colons = lines.separators(content, 1)
        if not colons:
            self.report(
                col,
                "expected a step 'Locus: step' (optionally ' # description') "
                f"under '{self._locus.place}'",
            )
            return
        name, rest = content[: colons[0]].strip(), content[colons[0] + 1 :]
        comment = lines.comment_start(rest)
        concept = (rest if comment is None else rest[:comment]).strip()
        description = "" if comment is None else rest[comment:].strip()[1:].strip()
        if pinned is None and concept.endswith("}"):  # `Place: step {#id} # description`
            concept_col = col + colons[0] + 1 + len(rest) - len(rest.lstrip())
            concept, pinned, pinned_col = self._take_id(concept, concept_col)
        self._misplaced_id(concept + " " + description, col)
        if not name:
            self.report(col, "empty locus name before ':': expected a step 'Locus: step'")
        elif not concept:
            self.report(col + colons[0] + 1, f"expected a step after '{name}:'")
        else:
            self._locus.steps.append(
                DraftStep(name, concept, description, self._number, pinned, pinned_col)
            )
            if pinned is not None:
                self.palace.pins.append((pinned, self._number, pinned_col))

    def _misplaced_id(self, text: str, col: int) -> None:
        if match := lines.ID_INSIDE.search(text):
            message = f"'{match.group()}' is not at the end of the line, so it pins no id"
            self.report(col, message + ": move it to the end", "warning")

    def _take_id(self, text: str, col: int) -> tuple[str, str | None, int]:
        """Strip a trailing `{#id}`: the text, the id (None if absent or invalid), its column."""
        match = lines.EXPLICIT_ID.search(text) if text.endswith("}") else None
        if not match:
            return text, None, 0
        pinned, pinned_col = match.group(1), col + match.start(1) - 2
        problem = pinned_id_problem(pinned)
        if problem:
            self.report(pinned_col, problem)
            return text[: match.start()], None, 0
        return text[: match.start()], pinned, pinned_col
