"""Read back the previous build's deck: the only state the deck builder needs.

From `<previous_dir>/<palace id>.apkg` (a zip holding `collection.anki2`, a SQLite database) a
rebuild takes, for our note type: each note's GUID, id, mod, fields, tags, deck and cards, the
largest note id, the note type's mod and a checksum of its templates and CSS; and the
collection itself, unzipped into a file of the build's (`Scratch`), which a rebuild patches (see
`package.patched`) when the deck holds only our notes. Nothing is ever written back to the deck.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager, nullcontext
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, NamedTuple

from builder.deck.model import MODEL_ID, checksum_of_model_json
from builder.errors import PalaceError

COLLECTION = "collection.anki2"


class PreviousNote(NamedTuple):
    id: int
    mod: int
    flds: str  # the fields as Anki stores them, joined by U+001F
    tags: str
    deck: int  # the deck of its cards (0: none, or more than one)
    ords: int  # bit n set: the note has the card of template ord n


class PreviousDeck(NamedTuple):
    """What a rebuild needs of the previous deck; `model_mod` None: not a deck of ours."""

    notes: dict[str, PreviousNote]  # by GUID, in note id order
    max_note_id: int
    model_mod: int | None
    model_checksum: str | None
    collection: Path | None = None  # the database, when it holds nothing but our notes
    decks: Mapping[int, str] = MappingProxyType({})  # deck id → name (as Anki has them)


class Scratch:
    """Files of the build's own: the decks' collections, unzipped or being written. Each is a
    temp file named by the process (`prefix`) in `folder`, so that what a killed build left
    the next one removes; `close` removes them, but those `keep` hands over."""

    def __init__(self, folder: Path | None = None, prefix: str = "palace-") -> None:
        self.folder, self.prefix = folder, prefix
        self._made: set[Path] = set()

    def new(self) -> Path:
        """A new empty file."""
        handle, name = tempfile.mkstemp(prefix=self.prefix, suffix=".tmp", dir=self.folder)
        os.close(handle)
        path = Path(name)
        self._made.add(path)
        return path

    def adopt(self, path: Path) -> None:
        """Remove `path` with the others."""
        self._made.add(path)

    def keep(self, path: Path) -> None:
        """`path` outlives the build (`palace serve` patches it the next time)."""
        self._made.discard(path)

    def close(self) -> None:
        for path in self._made:
            path.unlink(missing_ok=True)
        self._made.clear()


_scratch: Scratch | None = None


@contextmanager
def scratch_files(folder: Path | None = None, prefix: str = "palace-") -> Iterator[Scratch]:
    """Within the block, the decks' files are made in `folder` (None: the system's temp
    folder), and removed at its end."""
    global _scratch
    before, _scratch = _scratch, Scratch(folder, prefix)
    try:
        yield _scratch
    finally:
        _scratch.close()
        _scratch = before


def new_scratch_file() -> Path:
    """A new empty file of the `scratch_files` block."""
    if _scratch is None:
        raise RuntimeError("new_scratch_file: outside a scratch_files block")
    return _scratch.new()


# What the decks this process wrote hold, by the digest of their bytes, once `keep_written` is
# called: `palace serve` builds again and again, and reads back each time the deck it wrote the
# time before. A single build has nothing to gain, and keeps nothing.
_WRITTEN: dict[str, tuple[PreviousDeck, Rooms]] | None = None
Rooms = Mapping[bytes, Any]  # a room's key → its notes as placed (`changes.PlacedRoom`)
_KEEP = 8  # decks remembered: a few palaces


def keep_written(keep: bool = True) -> None:
    """From now on (or, `keep` False, no longer), remember what each deck written holds."""
    global _WRITTEN
    for deck, _ in (_WRITTEN or {}).values():
        _forget(deck)
    _WRITTEN = {} if keep else None


def keeping_written() -> bool:
    return _WRITTEN is not None


def remember(package: IO[bytes], deck: PreviousDeck, rooms: Rooms) -> None:
    """What the package this process just wrote holds, and the notes of each of its rooms by
    the room's key: the next build in this process that finds the same bytes takes them from
    here instead of reading the file and rendering the rooms again."""
    if _WRITTEN is None:
        return
    if deck.collection is not None and _scratch is not None:
        _scratch.keep(deck.collection)
    _WRITTEN[_digest(package)] = (deck, rooms)
    while len(_WRITTEN) > _KEEP:
        _forget(_WRITTEN.pop(next(iter(_WRITTEN)))[0])


def known_rooms(deck: PreviousDeck | None) -> Rooms:
    """The notes of each room of `deck` by the room's key, if this process wrote it."""
    rooms = _remembered(deck)
    return {} if rooms is None else rooms


def _remembered(deck: PreviousDeck | None) -> Rooms | None:
    """The rooms of `deck` if this process remembers it (`remember`), else None."""
    for known, rooms in (_WRITTEN or {}).values():
        if known is deck:
            return rooms
    return None


def patchable(deck: PreviousDeck) -> Path:
    """The collection file of `deck` for this build to patch in place: its own file, or a copy
    when this process remembers the deck (a remembered deck never changes)."""
    if deck.collection is None:
        raise ValueError("the previous deck holds more than Palace's notes: not patchable")
    if _remembered(deck) is None:
        return deck.collection
    copy = new_scratch_file()
    shutil.copyfile(deck.collection, copy)
    return copy


def _forget(deck: PreviousDeck) -> None:
    if deck.collection is not None:
        deck.collection.unlink(missing_ok=True)


def _digest(package: Path | IO[bytes]) -> str:
    """SHA-256 of a package, a file or a stream (read from its start)."""
    if isinstance(package, Path):
        with package.open("rb") as stream:
            return _digest(stream)
    package.seek(0)
    digest = hashlib.sha256()
    while chunk := package.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def read_previous(path: Path | None) -> PreviousDeck | None:
    """The previous deck at `path`; None when there is none (a first build). Raises PalaceError
    when it cannot be read. Its collection is unzipped into a file of the `scratch_files`
    block (outside one, it is not kept: `collection` is None)."""
    if path is None:
        return None
    try:
        digest = _digest(path) if _WRITTEN else ""
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as error:
        raise unreadable(path, error) from error
    known = _WRITTEN.get(digest) if _WRITTEN else None
    if known is not None:
        return known[0]
    inside = _scratch is not None  # outside a block, the collection goes with this call
    with nullcontext(_scratch) if _scratch is not None else scratch_files() as scratch:
        file = scratch.new()
        try:
            with (
                zipfile.ZipFile(path) as opened,
                opened.open(COLLECTION) as packed,
                file.open("wb") as unpacked,
            ):
                shutil.copyfileobj(packed, unpacked, 1 << 20)
        except (FileNotFoundError, IsADirectoryError):
            return None
        except (zipfile.BadZipFile, KeyError, zlib.error, EOFError, OSError) as error:
            raise unreadable(path, error) from error
        try:
            with closing(sqlite3.connect(file)) as db:
                deck = _read(db, file if inside else None)
        except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError) as error:
            raise unreadable(path, error) from error
        return deck


def _read(db: sqlite3.Connection, file: Path | None) -> PreviousDeck:
    (text,) = db.execute("SELECT models FROM col").fetchone()
    models = json.loads(text)
    model = models.get(str(MODEL_ID))
    if model is None:  # not a deck of ours: start afresh
        return PreviousDeck({}, 0, None, None)
    notes = {row[0]: PreviousNote(*row[1:]) for row in db.execute(_NOTES, (MODEL_ID,))}
    (max_note_id, count) = db.execute("SELECT coalesce(max(id), 0), count(*) FROM notes").fetchone()
    (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
    cards_of_ours = sum(old.ords.bit_count() for old in notes.values())
    only_ours = len(models) == 1 and count == len(notes) and cards == cards_of_ours
    return PreviousDeck(
        notes,
        max_note_id,
        int(model["mod"]),
        checksum_of_model_json(model),
        file if only_ours else None,
        _deck_names(db),
    )


def _deck_names(db: sqlite3.Connection) -> dict[int, str]:
    (text,) = db.execute("SELECT decks FROM col").fetchone()
    decks = json.loads(text)
    return {int(key): str(deck.get("name", "")) for key, deck in decks.items() if key != "1"}


# Each note of ours with the deck and ords of its cards.
_NOTES = """
SELECT guid, notes.id, mod, flds, tags, coalesce(deck, 0), coalesce(ords, 0) FROM notes
LEFT JOIN (SELECT nid, CASE WHEN min(did) = max(did) THEN min(did) ELSE 0 END AS deck,
                  sum(1 << ord) AS ords FROM cards GROUP BY nid) ON nid = notes.id
WHERE mid = ? ORDER BY notes.id
"""


def unreadable(path: Path, error: BaseException) -> PalaceError:
    return PalaceError(
        f"{path.as_posix()}: cannot read the previous deck ({error}); it tells which notes "
        "changed since the last build: restore it, or delete it to start afresh (Anki then "
        "updates every note once, keeping review history)"
    )
