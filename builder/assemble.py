"""Draft palace → records: give everything its stable id, check what spans lines, build the walk."""

from __future__ import annotations

from pathlib import PurePosixPath

from .errors import Diagnostic
from .identity import IdAllocator, slugify
from .parse import DraftLocus, DraftPalace, DraftRoom
from .records import Locus, Palace, Room, Step, walk_order

DEFAULT_ROOM = "Loci"  # the room of loci written before any '## Room' heading


def title_from_file_name(path: str) -> str:
    """`ml-palace.md` → `Ml palace`: the title of a file without a '# Title' line."""
    words = PurePosixPath(path).stem.replace("_", " ").replace("-", " ").split()
    text = " ".join(words) or "Palace"
    return text[0].upper() + text[1:]


class Assembler:
    """Turns one DraftPalace into a Palace; problems go to `diagnostics`."""

    def __init__(self, draft: DraftPalace, source_lines: list[str]) -> None:
        self.draft = draft
        self.diagnostics: list[Diagnostic] = []
        self._lines = source_lines

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
        self._check_rooms()
        ids = IdAllocator(self._pinned_ids())
        room_ids = IdAllocator({r.pinned for r in draft.rooms if r.pinned})
        rooms = tuple(self._room(room, ids, room_ids) for room in draft.rooms)
        title = draft.title or title_from_file_name(draft.path)
        palace_id = draft.pinned or slugify(PurePosixPath(draft.path).stem, "palace")
        return Palace(palace_id, title, draft.path, rooms, walk_order(rooms))

    def _pinned_ids(self) -> set[str]:
        """Ids pinned with {#id}; each may be used once in a palace."""
        first: dict[str, int] = {}
        for room in self.draft.rooms:
            for locus in room.loci:
                for pinned, line, col in [(locus.pinned, locus.line, locus.pinned_col)] + [
                    (step.pinned, step.line, step.pinned_col) for step in locus.steps
                ]:
                    if pinned is None:
                        continue
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

    def _check_rooms(self) -> None:
        seen_rooms: dict[str, int] = {}
        for room in self.draft.rooms:
            if room.name is not None:
                key = room.name.casefold()
                if key in seen_rooms:
                    self.report(
                        room.line,
                        1,
                        f"room '{room.name}' appears again (first at line "
                        f"{seen_rooms[key]}): its loci stay a separate "
                        "room",
                        "warning",
                    )
                seen_rooms.setdefault(key, room.line)
                if not room.loci:
                    self.report(room.line, 1, f"room '{room.name}' has no loci", "warning")
            self._check_loci(room)

    def _check_loci(self, room: DraftRoom) -> None:
        seen: dict[str, int] = {}
        for locus in room.loci:
            key = locus.locus.casefold()
            if key in seen:
                self.report(
                    locus.line,
                    locus.col,
                    f"locus '{locus.locus}' is already in this room "
                    f"(line {seen[key]}): give one another name, or pin "
                    "both with {#id} before reordering them",
                    "warning",
                )
            seen.setdefault(key, locus.line)
            if locus.empty_description_col is not None and not locus.steps:
                self.report(
                    locus.line,
                    locus.empty_description_col,
                    f"empty description after '{locus.concept}:' (for a concept without "
                    "description, drop the last colon)",
                    "warning",
                )

    def _room(self, draft: DraftRoom, ids: IdAllocator, room_ids: IdAllocator) -> Room:
        name = draft.name or DEFAULT_ROOM
        room_id = draft.pinned or room_ids.allocate(slugify(name, "room"))
        loci = tuple(self._locus(locus, ids) for locus in draft.loci)
        return Room(room_id, name, _note(draft.note), draft.picture, loci, draft.line)

    def _locus(self, draft: DraftLocus, ids: IdAllocator) -> Locus:
        locus_id = draft.pinned or ids.allocate(slugify(draft.locus, "locus"))
        steps = tuple(
            Step(
                step.pinned or ids.allocate(f"{locus_id}--{slugify(step.locus, 'step')}"),
                step.locus,
                step.concept,
                step.description,
                step.line,
            )
            for step in draft.steps
        )
        return Locus(
            locus_id,
            draft.locus,
            draft.concept,
            draft.description,
            _note(draft.note),
            draft.picture,
            steps,
            draft.line,
        )


def _note(lines: list[str]) -> str | None:
    text = "\n".join(lines).strip()
    return text or None
