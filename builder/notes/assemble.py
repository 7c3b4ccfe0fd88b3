"""Draft palace → records: give everything its stable id and its number on the walk, check what
spans lines, build the walk."""

from __future__ import annotations

from pathlib import PurePosixPath

from builder.errors import Diagnostic
from builder.notes.drafts import Assembled, DraftLocus, DraftPalace, DraftRoom
from builder.notes.identity import IdAllocator, name_key, slugify
from builder.notes.records import MAX_FIELD, MAX_LINKS, Locus, Palace, Room, Step, Stop, room_walk

DEFAULT_ROOM = "Loci"  # the room of loci written before any '## Room' heading


def title_from_file_name(path: str) -> str:
    """`ml-palace.md` → `Ml palace`: the title of a file without a '# Title' line."""
    words = PurePosixPath(path).stem.replace("_", " ").replace("-", " ").split()
    text = " ".join(words) or "Palace"
    return text[0].upper() + text[1:]


class Assembler:
    """Turns one DraftPalace into a Palace; problems go to `diagnostics`."""

    def __init__(self, draft: DraftPalace, source_lines: list[str], keep: bool = False) -> None:
        self.draft = draft
        self.diagnostics: list[Diagnostic] = []
        self._lines = source_lines
        self._stops = 0  # numbered so far on the walk
        self._walk: list[Stop] = []
        self._keep = keep  # each room's records on its draft, for the next build (`known.py`)

    def report(self, line: int, col: int, message: str, severity: str = "error") -> None:
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else None
        self.diagnostics.append(Diagnostic(self.draft.path, line, col, message, severity, text))

    def palace(self, has_errors: bool = False) -> Palace | None:
        """The palace record; None when the file has no loci (reported unless other errors are)."""
        draft = self.draft
        if not any(room.loci for room in draft.rooms):
            if has_errors:
                return None  # the errors already say why no locus could be read
            self.diagnostics.append(
                Diagnostic(
                    draft.path,
                    1,
                    1,
                    "no loci in this file: expected at least one "
                    "'Locus: Concept: description' line",
                )
            )
            return None
        ids = IdAllocator(self._pinned_ids(), [] if self._keep else None)
        room_ids = IdAllocator(self._pinned_room_ids())
        seen_rooms: dict[str, int] = {}
        rooms = tuple(
            self._room(room, number, ids, room_ids, seen_rooms)
            for number, room in enumerate(draft.rooms, start=1)
        )
        title = draft.title or title_from_file_name(draft.path)
        palace_id = draft.pinned or slugify(PurePosixPath(draft.path).stem, "palace")
        return Palace(palace_id, title, draft.path, rooms, tuple(self._walk))

    def _pinned_room_ids(self) -> set[str]:
        """Room ids pinned with {#id}; each names one room's folder, so it may be used once."""
        first: dict[str, int] = {}
        for room in self.draft.rooms:
            if room.pinned is None:
                continue
            if room.pinned in first:
                self.report(
                    room.line,
                    1,
                    f"room id '{room.pinned}' is already used at line {first[room.pinned]}: "
                    "each room needs an id of its own",
                )
            else:
                first[room.pinned] = room.line
        return set(first)

    def _pinned_ids(self) -> set[str]:
        """Ids pinned with {#id}; each may be used once in a palace."""
        first: dict[str, int] = {}
        for pinned, line, col in self.draft.pins:
            if pinned in first:
                self.report(
                    line,
                    col,
                    f"id '{pinned}' is already used at line "
                    f"{first[pinned]}: ids must be unique in a palace",
                )
            else:
                first[pinned] = line
        return set(first)

    def _room(
        self,
        draft: DraftRoom,
        number: int,
        ids: IdAllocator,
        room_ids: IdAllocator,
        seen: dict[str, int],
    ) -> Room:
        if draft.name is not None:
            key = name_key(draft.name)
            if key in seen:
                self.report(
                    draft.line,
                    1,
                    f"room '{draft.name}' appears again (first at line "
                    f"{seen[key]}): its loci stay a separate "
                    "room",
                    "warning",
                )
            else:
                seen[key] = draft.line
            if not draft.loci:
                self.report(draft.line, 1, f"room '{draft.name}' has no loci", "warning")
        name = draft.name or DEFAULT_ROOM
        room_id = draft.pinned or room_ids.allocate(slugify(name, "room"))
        note = self._field(_note(draft.note), draft.line) if draft.note else None
        first = self._stops + 1
        known = draft.assembled
        if known is not None and (known.room.number, known.room.first, known.room.id) == (
            number, first, room_id) and ids.again(known.allocations):  # fmt: skip
            self.diagnostics.extend(known.diagnostics)  # the same loci: the same records
            self._stops = known.room.last
            self._walk.extend(known.walk)
            return known.room
        found, allocated = len(self.diagnostics), len(ids.log or ())
        loci = self._loci(draft.loci, ids)
        last = self._stops
        room = Room(room_id, name, note, draft.picture, loci, number, first, last, draft.line)
        walk = room_walk(room)
        self._walk.extend(walk)
        if ids.log is not None:
            found_now = tuple(self.diagnostics[found:])
            draft.assembled = Assembled(room, tuple(ids.log[allocated:]), found_now, walk)
        return room

    def _loci(self, drafts: list[DraftLocus], ids: IdAllocator) -> tuple[Locus, ...]:
        """The loci of one room, in order and numbered on from `_stops`, with the warnings about
        them."""
        allocate, report = ids.allocate, self.report
        loci: list[Locus] = []
        first_line: dict[str, int] = {}  # of each name in the room, case-folded
        for draft in drafts:
            name, line = draft.place, draft.line
            first = first_line.setdefault(name_key(name), line)
            if first != line:
                report(
                    line,
                    draft.col,
                    f"locus '{name}' is already in this room "
                    f"(line {first}): give one another name, or pin "
                    "both with {#id} before reordering them",
                    "warning",
                )
            locus_id = draft.pinned or allocate(slugify(name, "locus"))
            number = self._stops + 1
            if draft.steps:
                steps = tuple(
                    Step(
                        step.pinned or allocate(f"{locus_id}--{slugify(step.place, 'step')}"),
                        step.place,
                        self._fields(step.line, step.concept, step.description),
                        step.description,
                        number + index,
                        index,
                        step.line,
                    )
                    for index, step in enumerate(draft.steps, start=1)
                )
            else:
                steps = ()
                if draft.empty_description_col is not None:
                    report(
                        draft.line,
                        draft.empty_description_col,
                        f"empty description after '{draft.concept}:' (for a concept without "
                        "description, drop the last colon)",
                        "warning",
                    )
            loci.append(
                Locus(
                    locus_id,
                    name,
                    self._fields(line, draft.concept, draft.description),
                    draft.description,
                    self._field(_note(draft.note), line) if draft.note else None,
                    draft.picture,
                    steps,
                    number,
                    line,
                )
            )
            self._stops = number + len(steps)
        return tuple(loci)

    def _fields(self, line: int, concept: str, description: str) -> str:
        """The concept of a line, its two fields checked (`_field`) when they could be too
        long or hold links at all: most lines hold neither."""
        if len(concept) + len(description) > MAX_FIELD or "](" in concept or "](" in description:
            self._field(concept, line)
            self._field(description, line)
        return concept

    def _field(self, text: str | None, line: int) -> str | None:
        """`text`, a field of the notes; one longer, or with more links, than Markdown reads
        in linear time is reported (see `markup.MAX_FIELD`)."""
        if text and len(text) > MAX_FIELD:
            self.report(
                line,
                1,
                f"a field of {len(text):,} characters: at most {MAX_FIELD:,} (a card shows "
                "one fact; split it)",
            )
        elif text and text.count("](") > MAX_LINKS:
            self.report(
                line,
                1,
                f"more than {MAX_LINKS} links ('](') in one field: split it, or write the "
                "brackets as \\[ and \\]",
            )
        return text


def _note(lines: list[str]) -> str | None:
    text = "\n".join(lines).strip()
    return text or None
