"""The Anki decks: one `.apkg` per palace, zipped as a stream from a collection in a file.

    records ─ notes.py ─▶ rooms with a key ─┬─ unchanged deck: kept as it is (memo.Reuse)
                                            └─ notes.py ─▶ deck notes
            ─ changes.py (+ history.py: the previous deck) ─▶ ids, mods, changes
            ─ package.py (genanki) ─▶ collection (new, or the previous one patched) ─▶ .apkg

The previous build's decks are the only state the decks need: a note keeps its `mod` while its
fields stay the same, and gets a newer one when they change, so Anki's default import ("update
if newer") applies exactly the edits, and an unchanged palace rebuilds byte for byte.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

from builder.deck.advice import advice, renamed
from builder.deck.changes import (
    Comparison,
    IdSource,
    PalaceChanges,
    PlacedRoom,
    build_time,
    model_mod,
)
from builder.deck.history import (
    PreviousDeck,
    PreviousNote,
    Rooms,
    keeping_written,
    known_rooms,
    new_scratch_file,
    patchable,
    read_previous,
    remember,
    scratch_files,
)
from builder.deck.media import media_names
from builder.deck.model import ALL_KINDS, Design, design, note_type
from builder.deck.notes import (
    DeckNote,
    Layout,
    LocusRef,
    MediaName,
    layout,
    room_notes,
    stop_refs,
)
from builder.deck.package import collection, patched, zipped
from builder.notes.records import Palace

if TYPE_CHECKING:
    from builder.cache.memo import Memo, Reuse

__all__ = [
    "ALL_KINDS",
    "DeckOutput",
    "LocusRef",
    "PalaceChanges",
    "build_time",
    "deck_name",
    "render_decks",
]


# Opens the file a deck is written into (`Output.writing`): a seekable stream.
Writer = Callable[[str], AbstractContextManager[IO[bytes]]]


class DeckOutput(NamedTuple):
    """The decks of a build: relative file name → bytes of each deck rendered (a deck kept as
    the previous build wrote it is not among them; none when a `Writer` wrote them), what
    changed per palace, and the size of every deck, kept or not."""

    files: dict[str, bytes]
    changes: tuple[PalaceChanges, ...]
    cards: int  # cards in all decks together
    sizes: dict[str, int]

    def summary_lines(self) -> list[str]:
        """One line per deck, e.g. `ml-palace.apkg: 2 added, 1 changed, 32 unchanged, 0 removed`."""
        return [line for change in self.changes for line in change.summary_lines()]


def deck_name(palace: Palace) -> str:
    """The file name of a palace's deck, at the root of the output folder."""
    return f"{palace.id}.apkg"


def render_decks(
    palaces: tuple[Palace, ...],
    previous_dir: Path | None,
    *,
    kinds: frozenset[str] = ALL_KINDS,
    now: int | None = None,
    deck_prefix: str = "",
    memo: Memo | None = None,
    reuse: Reuse | None = None,
    owned: Collection[str] | None = None,
    write: Writer | None = None,
    scratch: Path | None = None,
) -> DeckOutput:
    """One `.apkg` per palace, `<palace id>.apkg`, plus the changes since the decks in
    `previous_dir` (the previous build's output folder; None or no deck there: a first build).

    `kinds` chooses the card kinds (`place-concept`, `concept-place`, `route`, `sequence`); the
    note type always has all four templates, so changing kinds never changes the note type.
    `now` is the time given to new and changed notes (default: `build_time()`).
    `deck_prefix` (e.g. `Study::ML`) puts every palace's deck under that deck in Anki; deck ids,
    note GUIDs and the note type do not depend on it.
    `memo` remembers the pictures' media names between builds; `reuse` keeps a deck whose
    notes, kinds, prefix and note type are unchanged as the previous build wrote it, unread
    (see `builder/cache/memo.py`). `owned` names the files the previous build wrote (its
    manifest): a deck in `previous_dir` that is not among them is someone else's file, never
    read. `write` given, each deck is written into the file it opens instead of returned as
    bytes; the collections are made in files in `scratch` (default: the system's temp folder).
    """
    unknown = kinds - ALL_KINDS
    if unknown:
        raise ValueError(
            f"unknown card kind(s) {', '.join(sorted(unknown))}: "
            f"expected some of {', '.join(sorted(ALL_KINDS))}"
        )
    now = build_time() if now is None else now
    return render(
        palaces,
        previous_dir,
        kinds,
        now,
        design(),
        deck_prefix,
        memo=memo,
        reuse=reuse,
        owned=owned,
        write=write,
        scratch=scratch,
    )


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
    owned: Collection[str] | None = None,
    write: Writer | None = None,
    scratch: Path | None = None,
) -> DeckOutput:
    """`render_decks` with the card design given (tests use it to change templates and CSS)."""
    from builder.output.cache import temp_prefix

    with scratch_files(scratch, temp_prefix()):
        return _render(palaces, previous_dir, kinds, now, cards, deck_prefix, memo, reuse, owned,
                       write)  # fmt: skip


def _render(
    palaces: tuple[Palace, ...],
    previous_dir: Path | None,
    kinds: frozenset[str],
    now: int,
    cards: Design,
    deck_prefix: str,
    memo: Memo | None,
    reuse: Reuse | None,
    owned: Collection[str] | None,
    write: Writer | None,
) -> DeckOutput:
    ids = IdSource(now)
    names = media_names(memo)
    files: dict[str, bytes] = {}
    sizes: dict[str, int] = {}
    changes: list[PalaceChanges] = []
    count = 0
    for palace in palaces:
        file = deck_name(palace)
        rooms = layout(palace, kinds, deck_prefix, names)
        key = hashlib.sha256(rooms.key + cards.checksum.encode("ascii")).hexdigest()[:32]
        count += rooms.cards
        if reuse is not None and reuse.keep(file, key):
            size = _kept_size(previous_dir, file)
            if size is not None:
                sizes[file] = size
                refs = tuple(stop_refs(palace))
                changes.append(PalaceChanges(palace.id, file, (), (), refs, ()))
                continue
            reuse.kept.discard(file)  # gone since the build began: render it after all
        ours = previous_dir is not None and (owned is None or file in owned)
        previous = read_previous(previous_dir / file if ours and previous_dir else None)
        with _bytes(files, file) if write is None else write(file) as stream:
            change = _render_palace(rooms, previous, cards, now, ids, names, stream)
            sizes[file] = stream.seek(0, io.SEEK_END)
        changes.append(change)
    return DeckOutput(files, renamed(palaces, changes, previous_dir, owned), count, sizes)


@contextmanager
def _bytes(files: dict[str, bytes], file: str) -> Iterator[IO[bytes]]:
    """A stream whose bytes become `files[file]`."""
    with io.BytesIO() as stream:
        yield stream
        files[file] = stream.getvalue()


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
    stream: IO[bytes],
) -> PalaceChanges:
    """One palace's package, written into `stream`, and what changed since the previous one."""
    old_notes = previous.notes if previous is not None else {}
    comparison = Comparison(now, ids.after(previous.max_note_id if previous else 0))
    previous_mod = previous.model_mod if previous is not None else None
    same_design = previous is not None and previous.model_checksum == design.checksum
    mod = model_mod(previous_mod, same_design, now)
    model = note_type(design)
    # `palace serve`: the rooms of the deck it wrote last, to keep those whose key is the same
    known = known_rooms(previous)
    kept: dict[bytes, PlacedRoom] | None = {} if keeping_written() else None
    placed = _compared(rooms, comparison, old_notes, names, known, kept)
    if same_design and previous is not None and previous.collection is not None:
        for _ in placed:  # every room compared before the rows of the changed notes go
            pass
        file = patchable(previous)
        patched(file, model, rooms.decks, comparison.stale_ids(old_notes), comparison.rewritten)
    else:  # written as the notes are compared, room by room
        file = new_scratch_file()
        collection(file, model, mod, rooms.decks, placed)
    changes = comparison.changes(rooms.palace.id, old_notes)
    if previous is not None:
        said = advice(rooms.decks, previous.decks, comparison, old_notes,
                      rooms.palace.id, changes.removed)  # fmt: skip
        changes = changes._replace(advice=said)
    zipped(stream, file, rooms.media)
    if kept is not None:  # `palace serve`: the next build reads this deck from memory
        remember(stream, _holds(comparison, mod, design, file, rooms.decks, old_notes), kept)
    return changes


def _compared(
    rooms: Layout,
    comparison: Comparison,
    old_notes: dict[str, PreviousNote],
    names: MediaName,
    known: Rooms,
    kept: dict[bytes, PlacedRoom] | None,
) -> Iterator[tuple[DeckNote, int, int]]:
    """Each note placed (note, id, mod), as the rooms are compared one by one. A room whose
    key is in `known` (the rooms of the previous deck, which this process wrote) has the notes
    it had, placed as they are (the key digests all they show): they are neither rendered nor
    compared again. `kept` gets each room's notes by key, for the next build."""
    for slot in rooms.rooms:
        start = len(comparison.placed)
        room = known.get(slot.key)
        if room is None:
            comparison.compare(room_notes(rooms, slot, names), old_notes)
            room = comparison.room(start) if kept is not None else None
        else:
            comparison.again(room)
        if kept is not None and room is not None:
            kept[slot.key] = room
        yield from comparison.placed[start:]


def _holds(
    comparison: Comparison,
    mod: int,
    design: Design,
    file: Path,
    decks: tuple[tuple[int, str], ...],
    old_notes: dict[str, PreviousNote],
) -> PreviousDeck:
    """What the collection in `file` just written holds, as `read_previous` would read it."""
    notes = comparison.held(old_notes)
    last = next(reversed(notes.values())).id if notes else 0
    return PreviousDeck(notes, last, mod, design.checksum, file, dict(decks))
