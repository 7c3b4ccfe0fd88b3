"""The Anki decks: one `.apkg` per palace, rendered in memory.

    records ─ notes.py ─▶ rooms with keys ─┬─ unchanged deck: kept as it is (memo.Reuse)
                                           └─ rooms to render ─ notes.py ─▶ deck notes
            ─ changes.py (+ history.py: the previous deck) ─▶ ids, mods, rows to write
            ─ collection.py ─▶ collection (new, or the previous one patched)
            ─ package.py ─▶ .apkg bytes

The previous build's decks are the only state the decks need: a note keeps its `mod` while its
fields stay the same, and gets a newer one when they change, so Anki's default import ("update
if newer") applies exactly the edits, and an unchanged palace rebuilds byte for byte. The memo
only makes rebuilds faster: with it, a rebuild renders and compares only the rooms that
changed; without it, every note is compared, with the same result to the byte.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from builder.deck.changes import Comparison, IdSource, PalaceChanges, model_mod
from builder.deck.collection import NewCollection, decks_json, models_json, patch_collection
from builder.deck.history import PreviousDeck, PreviousNote, digest, read_previous
from builder.deck.model import ALL_KINDS, Design, design, model_json
from builder.deck.notes import Layout, LocusRef, MediaName, layout, room_notes, stop_refs
from builder.deck.package import (
    COLLECTION,
    Entry,
    Known,
    collection_entry,
    deflate_while,
    file_entry,
    write_zip,
)
from builder.deck.remember import Remembered, RoomsHeld, media_names
from builder.notes.records import Palace

if TYPE_CHECKING:
    from builder.build.memo import Memo, Reuse

__all__ = [
    "ALL_KINDS",
    "DeckOutput",
    "LocusRef",
    "PalaceChanges",
    "build_time",
    "deck_name",
    "render_decks",
]


class DeckOutput(NamedTuple):
    """The decks of a build: relative file name → bytes of each deck rendered (a deck kept as
    the previous build wrote it is not among them), what changed per palace, and the size of
    every deck, kept or not."""

    files: dict[str, bytes]
    changes: tuple[PalaceChanges, ...]
    cards: int  # cards in all decks together
    sizes: dict[str, int]

    def summary_lines(self) -> list[str]:
        """One line per deck, e.g. `ml-palace.apkg: 2 added, 1 changed, 32 unchanged, 0 removed`."""
        return [change.summary_line() for change in self.changes]


def deck_name(palace: Palace) -> str:
    """The file name of a palace's deck, at the root of the output folder."""
    return f"{palace.id}.apkg"


def build_time() -> int:
    """Seconds since the epoch for new and changed notes: `SOURCE_DATE_EPOCH` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch else int(time.time())


def render_decks(
    palaces: tuple[Palace, ...],
    previous_dir: Path | None,
    *,
    kinds: frozenset[str] = ALL_KINDS,
    now: int | None = None,
    deck_prefix: str = "",
    memo: Memo | None = None,
    reuse: Reuse | None = None,
) -> DeckOutput:
    """One `.apkg` per palace, `<palace id>.apkg`, plus the changes since the decks in
    `previous_dir` (the previous build's output folder; None or no deck there: a first build).

    `kinds` chooses the card kinds (`place-concept`, `concept-place`, `route`, `sequence`); the
    note type always has all four templates, so changing kinds never changes the note type.
    `now` is the time given to new and changed notes (default: `build_time()`).
    `deck_prefix` (e.g. `Study::ML`) puts every palace's deck under that deck in Anki; deck ids,
    note GUIDs and the note type do not depend on it.
    `memo` remembers between builds which rooms each deck holds and the pictures' media names;
    `reuse` keeps a deck whose notes, kinds, prefix and note type are unchanged as the previous
    build wrote it, unread (see `builder/memo.py`).
    """
    unknown = kinds - ALL_KINDS
    if unknown:
        raise ValueError(
            f"unknown card kind(s) {', '.join(sorted(unknown))}: "
            f"expected some of {', '.join(sorted(ALL_KINDS))}"
        )
    now = build_time() if now is None else now
    return render(palaces, previous_dir, kinds, now, design(), deck_prefix, memo=memo, reuse=reuse)


def render(
    palaces: tuple[Palace, ...],
    previous_dir: Path | None,
    kinds: frozenset[str],
    now: int,
    cards: Design,
    deck_prefix: str = "",
    *,
    memo: Memo | None = None,
    reuse: Reuse | None = None,
    incremental: bool = True,
) -> DeckOutput:
    """`render_decks` with the card design given (tests use it to change templates and CSS).
    `incremental` False writes every collection anew instead of patching the previous one."""
    ids = IdSource(now)
    names = media_names(memo)
    remembered = Remembered(memo)
    files: dict[str, bytes] = {}
    sizes: dict[str, int] = {}
    changes: list[PalaceChanges] = []
    count = 0
    for palace in palaces:
        file = deck_name(palace)
        rooms = layout(palace, kinds, deck_prefix, names)
        key = digest(rooms.key + cards.checksum.encode("ascii"))
        count += rooms.cards
        if reuse is not None and reuse.keep(file, key):
            size = _kept_size(previous_dir, file)
            if size is not None:
                sizes[file] = size
                remembered.kept(key, size)
                refs = tuple(stop_refs(palace))
                changes.append(PalaceChanges(palace.id, file, (), (), refs, ()))
                continue
            reuse.kept.discard(file)  # gone since the build began: render it after all
        previous = read_previous(previous_dir / file if previous_dir else None)
        try:
            data, change = _render_palace(
                rooms, previous, cards, now, ids, names, remembered, incremental
            )
        finally:
            if previous is not None:
                previous.close()
        files[file] = data
        sizes[file] = len(data)
        remembered.written(key, rooms, data)
        changes.append(change)
    return DeckOutput(files, tuple(changes), count, sizes)


def _kept_size(previous_dir: Path | None, file: str) -> int | None:
    if previous_dir is None:
        raise ValueError(f"{file}: kept from a previous build, but no previous folder is given")
    try:
        return (previous_dir / file).stat().st_size
    except OSError:
        return None


def _render_palace(
    rooms: Layout,
    previous: PreviousDeck | None,
    design: Design,
    now: int,
    ids: IdSource,
    names: MediaName,
    remembered: Remembered,
    incremental: bool,
) -> tuple[bytes, PalaceChanges]:
    """One palace's package: the previous collection patched, or a new one."""
    # First what needs no previous deck: meanwhile, a second thread inflates it.
    refs = stop_refs(rooms.palace) if previous is not None else []
    decks = decks_json(rooms.decks)
    if previous is not None:
        previous.open()
        if previous.model is None:  # not a deck of ours: start afresh
            previous = None
    comparison = Comparison(now, ids.after(previous.max_note_id if previous else 0))
    if previous is None:
        old_notes: dict[str, PreviousNote] = {}
        for slot in rooms.rooms:
            comparison.compare(room_notes(rooms, slot, names), old_notes)
        held = None
    else:
        held = remembered.rooms(previous.digest) if incremental else None
        old_notes = _compare(comparison, rooms, previous, held, refs, names)
    changes = comparison.changes(rooms.palace.id, old_notes)
    same_design = previous is not None and previous.model_checksum == design.checksum
    mod = model_mod(previous.model_mod if previous else None, same_design, now)
    models = models_json(model_json(design, mod, rooms.decks[0][0]))
    if previous is None or not incremental:
        new = NewCollection(sorted(comparison.rows), comparison.cards(), models, decks)
        rows = new.rows()
        known: Known | None = (rows, deflate_while(rows, new.index))
        collection = new.finish()
    else:
        old_cards = previous.cards(None if held is None else [n.id for n in old_notes.values()])
        patch = comparison.patch(old_notes, old_cards)
        if not same_design:
            patch.models = models
        (old_decks,) = previous.db.execute("SELECT decks FROM col").fetchone()
        if decks != old_decks:
            patch.decks = decks
        collection = patch_collection(previous.db, patch)
        known = (previous.collection, previous.entries[COLLECTION].chunks or [])
    return _package(rooms, collection, known, previous, names), changes


def _compare(
    comparison: Comparison,
    rooms: Layout,
    previous: PreviousDeck,
    held: RoomsHeld | None,
    refs: list[LocusRef],
    names: MediaName,
) -> dict[str, PreviousNote]:
    """Compare the notes with the previous deck's: all of them, or (`held`: the rooms the
    previous deck holds) those of the rooms it does not hold as they are. Returns the previous
    notes compared: those of the rooms compared, and any other no longer on the walk."""
    if held is None:
        old_notes = previous.notes()
        for slot in rooms.rooms:
            comparison.compare(room_notes(rooms, slot, names), old_notes)
        return old_notes
    keys, starts, counts = held
    new_keys = {slot.key for slot in rooms.rooms}
    old_notes = previous.notes(
        _merged(
            (start + 1, start + count + 1)  # positions (the sort field) count from 1
            for key, start, count in zip(keys, starts, counts, strict=True)
            if key not in new_keys
        )
    )
    old_keys = set(keys)
    for slot in rooms.rooms:
        if slot.key in old_keys:
            comparison.same(refs[slot.start : slot.start + slot.stops])
        else:
            comparison.compare(room_notes(rooms, slot, names), old_notes)
    return old_notes


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges `[first, end)` with the touching and overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for first, end in sorted(ranges):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((first, end))
    return merged


def _package(
    rooms: Layout,
    collection: bytes,
    known: Known | None,
    previous: PreviousDeck | None,
    names: MediaName,
) -> bytes:
    """The zip: the collection (its unchanged chunks copied from the previous package), the
    media list, and the pictures (copied from the previous package when it has them)."""
    old_media: dict[str, Entry] = {}  # media name → entry of the previous package
    if previous is not None:
        entries = previous.entries
        with contextlib.suppress(KeyError, ValueError, TypeError, AttributeError):
            listed = json.loads(entries["media"].contents())
            old_media = {name: entries[number] for number, name in listed.items()}
    listing = {str(number): name for number, (name, _) in enumerate(rooms.media)}
    files = [
        collection_entry(collection, known),
        file_entry("media", json.dumps(listing).encode("utf-8")),
    ]
    for number, (name, path) in enumerate(rooms.media):
        old = old_media.get(name)
        if old is not None:
            files.append(old._replace(name=str(number)))
        else:
            files.append(file_entry(str(number), path.read_bytes(), path.suffix.lower()))
    return write_zip(sorted(files, key=lambda entry: entry.name))
