"""The regeneration rule: compare the notes with the previous deck, assign ids and mods.

Anki's importer updates an existing note (same GUID) only when the incoming `mod` is greater than
the stored one. So a note whose fields and tags are exactly those of the previous deck keeps the
previous `mod` (and note id): an unchanged palace rebuilds byte for byte. A new or changed
note gets `max(previous mod + 1, now)`, so it always grows. The note type works the same way with
a checksum of its templates and CSS.

The comparison also tells which of the previous deck's notes keep their rows exactly (fields,
tags, deck and cards): a rebuild patches the previous collection by rewriting only the others.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from builder.config import source_date_epoch
from builder.deck.history import PreviousNote
from builder.deck.model import CARD_KINDS, FIELDS
from builder.deck.notes import DeckNote, LocusRef, own_content
from builder.errors import listed

CARD_ID_SPACE = len(CARD_KINDS)  # a card's id is its note's id + its ord: never lower this
_NAMED = 10  # removed stops named in a summary line
_ID, _LOCUS, _POSITION = (FIELDS.index(name) for name in ("Id", "Locus", "Position"))


class PalaceChanges(NamedTuple):
    """What one palace's deck changes since the previous build.

    `added`, `changed` and `unchanged` cover every stop of the walk; `changed` means the owner's
    words or picture for that stop changed. `removed` stops are still in Anki (an import never
    deletes). `refreshed` stops are unchanged but show a new position, room or neighbour, so
    Anki updates them too: Anki reports `len(changed) + len(refreshed)` notes updated.
    """

    palace_id: str
    file: str
    added: tuple[LocusRef, ...]
    changed: tuple[LocusRef, ...]
    unchanged: tuple[LocusRef, ...]
    removed: tuple[LocusRef, ...]
    refreshed: tuple[LocusRef, ...] = ()
    advice: tuple[str, ...] = ()  # what the learner does in Anki that an import cannot do

    def summary_line(self) -> str:
        line = (
            f"{self.file}: {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )
        if self.removed:
            line += f" ({listed([ref.name for ref in self.removed], _NAMED)})"
        if self.refreshed:
            line += f"; {len(self.refreshed)} unchanged with a new position, room or neighbour"
        return line

    def summary_lines(self) -> list[str]:
        """The summary line, then what to do in Anki, indented."""
        return [self.summary_line(), *(f"  {line}" for line in self.advice)]


def build_time() -> int:
    """Seconds since the epoch for new and changed notes: `SOURCE_DATE_EPOCH` when set."""
    epoch = source_date_epoch()
    return int(time.time()) if epoch is None else epoch


class IdSource:
    """Ids of new notes: after every id already used, at least `now` in milliseconds (Anki reads
    a note id as its creation time), CARD_ID_SPACE apart. Shared by the palaces of one build;
    a palace that adds no note leaves it as it was (so a deck kept unread changes nothing)."""

    def __init__(self, now: int) -> None:
        self.next_id = now * 1000

    def after(self, max_note_id: int) -> NewIds:
        """Ids for one palace's new notes, after its previous deck's `max_note_id`."""
        return NewIds(self, max(self.next_id, max_note_id + CARD_ID_SPACE))


class NewIds:
    def __init__(self, source: IdSource, start: int) -> None:
        self._source, self._next = source, start

    def __call__(self) -> int:
        note_id = self._next
        self._next += CARD_ID_SPACE
        self._source.next_id = self._next
        return note_id


class PlacedRoom(NamedTuple):
    """A room's notes as placed in a deck (`palace serve` keeps them with the deck it wrote)."""

    placed: tuple[tuple[DeckNote, int, int], ...]  # note, id, mod
    refs: tuple[LocusRef, ...]
    guids: tuple[str, ...]
    kept: tuple[str, ...]  # GUIDs of the notes with cards: their rows stay as they are
    rewritten: tuple[tuple[DeckNote, int, int], ...]  # those without: written again


class Comparison:
    """Notes compared with the previous deck: each with its id and mod, and the changes."""

    def __init__(self, now: int, new_ids: NewIds) -> None:
        self.now, self.new_ids = now, new_ids
        self.placed: list[tuple[DeckNote, int, int]] = []  # note, id, mod, in walk order
        self.rewritten: list[tuple[DeckNote, int, int]] = []  # those whose rows change
        self.kept_rows: set[str] = set()  # GUIDs of previous notes whose rows stay as they are
        self.seen: set[str] = set()  # GUIDs compared
        self.added: list[LocusRef] = []
        self.changed: list[LocusRef] = []
        self.unchanged: list[LocusRef] = []
        self.refreshed: list[LocusRef] = []

    def compare(self, notes: Iterable[DeckNote], old_notes: Mapping[str, PreviousNote]) -> None:
        """Give each note its id and mod, and note how it changed."""
        for note in notes:
            old = old_notes.get(note.guid)
            if old is None:
                note_id, mod = self.new_ids(), self.now
                self.added.append(note.ref)
            elif old.flds == note.flds and old.tags == note.tags:
                note_id, mod = old.id, old.mod
                self.unchanged.append(note.ref)
            else:
                note_id, mod = old.id, max(old.mod + 1, self.now)
                if own_content(old.flds) != own_content(note.flds):
                    self.changed.append(note.ref)
                else:
                    self.unchanged.append(note.ref)
                    self.refreshed.append(note.ref)
            placed = (note, note_id, mod)
            self.placed.append(placed)
            self.seen.add(note.guid)
            if old is not None and (old.mod, old.deck, old.ords) == (mod, note.deck, note.ords):
                self.kept_rows.add(note.guid)  # the same mod: the same fields and tags
            else:
                self.rewritten.append(placed)

    def room(self, start: int) -> PlacedRoom:
        """The notes placed since `start`, as one room."""
        placed = tuple(self.placed[start:])
        guids = tuple(note.guid for note, _, _ in placed)
        refs = tuple(note.ref for note, _, _ in placed)
        kept = tuple(note.guid for note, _, _ in placed if note.ords)
        return PlacedRoom(placed, refs, guids, kept, tuple(p for p in placed if not p[0].ords))

    def again(self, room: PlacedRoom) -> None:
        """`room` placed as it is in the deck compared with: every note unchanged, a note keeps
        its row if it has cards (`compare` gives the same, note by note)."""
        self.placed.extend(room.placed)
        self.unchanged.extend(room.refs)
        self.seen.update(room.guids)
        self.kept_rows.update(room.kept)
        self.rewritten.extend(room.rewritten)

    def held(self, old_notes: Mapping[str, PreviousNote]) -> dict[str, PreviousNote]:
        """The notes the deck now holds, as `read_previous` reads them (in id order): the
        previous ones kept or written again, then the new ones (their ids come after)."""
        notes = dict(old_notes)
        if len(notes) != len(self.placed) - len(self.added):  # some were removed
            for guid in [guid for guid in notes if guid not in self.seen]:
                del notes[guid]
        for note, note_id, mod in self.rewritten:
            deck = note.deck if note.ords else 0
            notes[note.guid] = PreviousNote(note_id, mod, note.flds, note.tags, deck, note.ords)
        return notes

    def stale_ids(self, old_notes: Mapping[str, PreviousNote]) -> list[int]:
        """Ids of the previous notes whose rows go: removed, or written again."""
        return [old.id for guid, old in old_notes.items() if guid not in self.kept_rows]

    def changes(self, palace_id: str, old_notes: Mapping[str, PreviousNote]) -> PalaceChanges:
        gone = sorted((old for guid, old in old_notes.items() if guid not in self.seen),
                      key=_position)  # fmt: skip
        return PalaceChanges(
            palace_id,
            f"{palace_id}.apkg",
            tuple(self.added),
            tuple(self.changed),
            tuple(self.unchanged),
            tuple(stored_ref(old.flds) for old in gone),
            tuple(self.refreshed),
        )


def model_mod(previous_mod: int | None, same_design: bool, now: int) -> int:
    """The note type's mod: kept while its templates and CSS stay the same."""
    if previous_mod is None:
        return now
    return previous_mod if same_design else max(previous_mod + 1, now)


def _position(old: PreviousNote) -> tuple[int, int]:
    """Where a previous note was on the walk, for listing removed stops in walk order (its
    sort field starts with its walk number: `007 Stove`, or `7` in earlier decks)."""
    fields = old.flds.split("\x1f")
    position = fields[_POSITION].partition(" ")[0] if len(fields) > _POSITION else ""
    return (int(position) if position.isdigit() else 0, old.id)


def stored_ref(flds: str) -> LocusRef:
    """The stop a note stored in a deck or collection is (its fields as Anki stores them)."""
    fields = flds.split("\x1f")
    stop_id = fields[_ID].partition("/")[2] if len(fields) > _ID else ""
    name = html.unescape(fields[_LOCUS]) if len(fields) > _LOCUS else ""
    return LocusRef(stop_id, name or stop_id)
