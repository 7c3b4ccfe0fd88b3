"""The regeneration rule: compare the notes with the previous deck, assign ids and mods.

Anki's importer updates an existing note (same GUID) only when the incoming `mod` is greater than
the stored one. So a note whose fields and tags are exactly those of the previous deck keeps the
previous `mod` (and note id): an unchanged palace rebuilds byte for byte. A new or changed
note gets `max(previous mod + 1, now)`, so it always grows. The note type works the same way with
a checksum of its templates and CSS.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .history import PreviousDeck, PreviousNote
from .model import CARD_KINDS, FIELDS, Design
from .notes import DeckNote, PalaceDeck, own_content

CARD_ID_SPACE = len(CARD_KINDS)  # a card's id is its note's id + its ord: never lower this
_NAMED = 10  # removed stops named in a summary line
_ID, _LOCUS, _POSITION = (FIELDS.index(name) for name in ("Id", "Locus", "Position"))


@dataclass(frozen=True, slots=True)
class LocusRef:
    """A stop of the walk (a locus or a step), by id and place name as written."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class PalaceChanges:
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

    def summary_line(self) -> str:
        line = (
            f"{self.file}: {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )
        if self.removed:
            names = [ref.name for ref in self.removed[:_NAMED]]
            if len(self.removed) > _NAMED:
                names.append(f"and {len(self.removed) - _NAMED} more")
            line += f" ({', '.join(names)})"
        if self.refreshed:
            line += f"; {len(self.refreshed)} unchanged with a new position, room or neighbour"
        return line


class Stamped(NamedTuple):
    """A note with its Anki note id and modification time. Its cards' ids are the note id plus
    the template ord: note ids are CARD_ID_SPACE apart."""

    note: DeckNote
    id: int
    mod: int


@dataclass(frozen=True, slots=True)
class Plan:
    """One palace's package, ready to write."""

    deck: PalaceDeck
    notes: tuple[Stamped, ...]
    model_mod: int
    changes: PalaceChanges


class IdSource:
    """Ids of new notes: after every id already used, at least `now` in milliseconds (Anki reads
    a note id as its creation time), CARD_ID_SPACE apart. Shared by the palaces of one build."""

    def __init__(self, now: int) -> None:
        self.next_id = now * 1000

    def counter(self, previous: PreviousDeck) -> Iterator[int]:
        """Ids for one palace's new notes; hand it back to `done` afterwards."""
        start = max(self.next_id, previous.max_note_id + CARD_ID_SPACE)
        return itertools.count(start, CARD_ID_SPACE)

    def done(self, counter: Iterator[int]) -> None:
        self.next_id = next(counter)


def plan(deck: PalaceDeck, previous: PreviousDeck, design: Design, now: int, ids: IdSource) -> Plan:
    """Ids, mods and the change report of one palace's deck."""
    added: list[LocusRef] = []
    changed: list[LocusRef] = []
    unchanged: list[LocusRef] = []
    refreshed: list[LocusRef] = []
    stamped = []
    old_notes = previous.notes
    note_ids = ids.counter(previous)
    for note in deck.notes:
        ref = LocusRef(note.stop_id, note.name)
        old = old_notes.get(note.guid)
        if old is None:
            added.append(ref)
            stamped.append(Stamped(note, next(note_ids), now))
            continue
        if old.flds == note.flds and old.tags == note.tags:
            mod = old.mod
            unchanged.append(ref)
        else:
            mod = max(old.mod + 1, now)
            if own_content(old.fields) != own_content(note.fields):
                changed.append(ref)
            else:
                unchanged.append(ref)
                refreshed.append(ref)
        stamped.append(Stamped(note, old.id, mod))
    ids.done(note_ids)
    current = {note.guid for note in deck.notes}
    gone = [old for guid, old in old_notes.items() if guid not in current]
    removed = tuple(_ref(old) for old in sorted(gone, key=_position))
    if previous.model_mod is None:
        model_mod = now
    elif previous.model_checksum == design.checksum:
        model_mod = previous.model_mod
    else:
        model_mod = max(previous.model_mod + 1, now)
    changes = PalaceChanges(
        deck.palace_id,
        f"{deck.palace_id}.apkg",
        tuple(added),
        tuple(changed),
        tuple(unchanged),
        removed,
        tuple(refreshed),
    )
    return Plan(deck, tuple(stamped), model_mod, changes)


def _position(old: PreviousNote) -> tuple[int, int]:
    """Where a previous note was on the walk, for listing removed stops in walk order."""
    position = old.fields[_POSITION] if len(old.fields) > _POSITION else ""
    return (int(position) if position.isdigit() else 0, old.id)


def _ref(old: PreviousNote) -> LocusRef:
    fields = old.fields
    stop_id = fields[_ID].partition("/")[2] if len(fields) > _ID else ""
    name = html.unescape(fields[_LOCUS]) if len(fields) > _LOCUS else ""
    return LocusRef(stop_id, name or stop_id)
