"""The `.apkg`: the collection written by genanki, zipped with fixed entry times and order.

genanki writes the collection (`Package.write_to_db`) into an SQLite database in a file of the
build's (`Scratch`), never whole in memory. Each note is a `PalaceNote`, which writes its own id
and `mod` (and gives its cards the same `mod` and the ids `note id + ord`), so a note keeps both
while it stays the same. The note type's `mod` is the timestamp the package is written with.
The database file, the media list and the pictures are zipped, streamed, in a fixed order with
a fixed date: the same notes give the same bytes.

A rebuild whose note type is unchanged patches the previous collection instead (`patched`): the
rows of changed and removed notes go, changed and new notes are written as above, the decks are
updated when they differ. An unchanged deck writes nothing, so it keeps its bytes.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import IO, Any

import genanki

from builder.deck.history import COLLECTION
from builder.deck.media import COMPRESSED
from builder.deck.notes import DeckNote

LEVEL = 1  # zlib: much faster than the default (6), the deck a little larger (BENCHMARKS.md)
_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip holds
_MODE = 0o100644 << 16  # a regular file, rw-r--r--


class PalaceNote(genanki.Note):  # type: ignore[misc]  # genanki has no types
    """A genanki note that writes its own id and `mod`, and exactly the cards it is given."""

    def __init__(self, model: genanki.Model, note: DeckNote, note_id: int, mod: int) -> None:
        super().__init__(
            model=model,
            fields=note.flds.split("\x1f"),
            tags=note.tags.split(),
            guid=note.guid,
            due=note.position,
        )
        self.note_id, self.mod = note_id, mod
        self._cards = [genanki.Card(o) for o in range(note.ords.bit_length()) if note.ords >> o & 1]

    @property
    def cards(self) -> list[Any]:
        """The cards of the kinds chosen (see `notes.room_notes`), in template order."""
        return self._cards

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        ids = iter([self.note_id, *(self.note_id + card.ord for card in self._cards)])
        super().write_to_db(cursor, self.mod, deck_id, ids)


def collection(
    path: Path,
    model: genanki.Model,
    model_mod: int,
    decks: Sequence[tuple[int, str]],
    notes: Iterable[tuple[DeckNote, int, int]],
) -> None:
    """Write a new collection into the empty file `path`, holding these notes (note, id, mod)
    in order, in decks (id, name): the first deck (the palace's) holds the note type, each
    note goes to its room's deck. `notes` may be made while they are written.

    genanki's `Deck.write_to_db` reads and rewrites the whole `decks` and `models` JSON for
    every deck, which grows with the square of the rooms; so the palace's deck is written by
    `Package.write_to_db`, the rooms' decks (`Deck.to_json`) are added in one update, and each
    note is written by its own `write_to_db`."""
    top_id, top_name = decks[0]
    palace = genanki.Deck(top_id, top_name)
    palace.add_model(model)
    with _opened(path) as db:
        cursor = db.cursor()
        # Every note and card brings its own id: the package's id generator is never used.
        genanki.Package([palace]).write_to_db(cursor, model_mod, itertools.count())
        _write_decks(cursor, decks)
        _write_notes(cursor, model, notes)
        db.commit()


def patched(
    path: Path,
    model: genanki.Model,
    decks: Sequence[tuple[int, str]],
    stale_ids: Sequence[int],
    notes: Iterable[tuple[DeckNote, int, int]],
) -> None:
    """Patch the collection in the file `path`, in place: the notes `stale_ids` (and their
    cards) go, these notes (note, id, mod) are written, in these decks. Its note type must be
    `model`'s design."""
    with _opened(path) as db:
        cursor = db.cursor()
        # Zeros over what is deleted: a removed locus' words must not stay in the published file.
        cursor.execute("PRAGMA secure_delete = ON")
        for start in range(0, len(stale_ids), _BATCH):
            batch = stale_ids[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            cursor.execute(f"DELETE FROM cards WHERE nid IN ({marks})", batch)
            cursor.execute(f"DELETE FROM notes WHERE id IN ({marks})", batch)
        _write_decks(cursor, decks)
        _write_notes(cursor, model, notes)
        db.commit()


@contextmanager
def _opened(path: Path) -> Iterator[sqlite3.Connection]:
    """The database in `path`, without a rollback journal: the file is the build's own, and
    a build that fails throws it away."""
    try:
        with closing(sqlite3.connect(path)) as db:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            yield db
    except sqlite3.OperationalError as error:  # a full disk is the user's to fix: say so
        number = _ERRNO.get(getattr(error, "sqlite_errorcode", 0) & 0xFF)
        if number is None:
            raise
        raise OSError(number, os.strerror(number), str(path)) from error


_ERRNO = {sqlite3.SQLITE_FULL: errno.ENOSPC, sqlite3.SQLITE_IOERR: errno.EIO}


_BATCH = 500  # ids per DELETE: below SQLite's limit on parameters


def _write_decks(cursor: sqlite3.Cursor, decks: Sequence[tuple[int, str]]) -> None:
    """The decks JSON: Anki's default deck, then these decks (id, name) in order; written only
    when it differs from what the collection holds."""
    (text,) = cursor.execute("SELECT decks FROM col").fetchone()
    held = json.loads(text)
    wanted = {"1": held["1"]} if "1" in held else {}
    wanted.update((str(i), genanki.Deck(i, name).to_json()) for i, name in decks)
    new = json.dumps(wanted)
    if new != text:
        cursor.execute("UPDATE col SET decks = ?", (new,))


def _write_notes(
    cursor: sqlite3.Cursor, model: genanki.Model, notes: Iterable[tuple[DeckNote, int, int]]
) -> None:
    for note, note_id, mod in notes:
        PalaceNote(model, note, note_id, mod).write_to_db(cursor, mod, note.deck, None)


def zipped(
    stream: IO[bytes], collection: Path, media: Iterable[tuple[str, Path]], level: int = LEVEL
) -> None:
    """Write the package into `stream` (seekable): the collection in the file `collection`,
    streamed and deflated at `level`, the media list (number → media name), and each picture
    under its number. Every entry has a fixed date and mode, so the same files give the same
    bytes on every system."""
    pictures = list(media)
    listing = {str(number): name for number, (name, _) in enumerate(pictures)}
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as package:
        # Opened by name, an entry takes the archive's level; its date is the earliest a zip
        # holds (`ZipInfo`'s default), its system and mode are set below before they are written.
        size = collection.stat().st_size
        large = size * 1.05 > zipfile.ZIP64_LIMIT  # as `writestr` decides for bytes it holds
        with (
            collection.open("rb") as source,
            package.open(COLLECTION, "w", force_zip64=large) as entry,
        ):
            shutil.copyfileobj(source, entry, _CHUNK)
        _fixed(package.getinfo(COLLECTION))
        _write(package, "media", json.dumps(listing).encode("utf-8"), level)
        for number, (_, path) in enumerate(pictures):
            stored = path.suffix.lower() in COMPRESSED
            _write(package, str(number), path.read_bytes(), None if stored else level)


def _write(package: zipfile.ZipFile, name: str, data: bytes, level: int | None) -> None:
    """One entry with a fixed date and mode; `level` None: stored as it is."""
    info = _fixed(zipfile.ZipInfo(name, date_time=_DATE))
    info.compress_type = zipfile.ZIP_STORED if level is None else zipfile.ZIP_DEFLATED
    package.writestr(info, data, compresslevel=level)


def _fixed(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """An entry's system and mode as on Unix (rw-r--r--), on every system: written with the
    archive's central directory when it is closed."""
    info.create_system = 3
    info.external_attr = _MODE
    return info


_CHUNK = 1 << 20
