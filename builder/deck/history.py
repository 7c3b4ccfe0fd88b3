"""Read back the previous build's deck: the only state the deck builder needs.

From `<previous_dir>/<palace id>.apkg` (a zip holding `collection.anki2`, a SQLite database) a
rebuild takes, for our note type: each note's GUID, id, mod, fields, tags, deck and cards, the
largest note id, the note type's mod and a checksum of its templates and CSS; and the
collection's bytes, which a rebuild patches (see `package.patched`) when the deck holds only our
notes. Nothing is ever written back to the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

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
    collection: bytes | None = None  # the database, when it holds nothing but our notes
    decks: Mapping[int, str] = MappingProxyType({})  # deck id → name (as Anki has them)


# What the decks this process wrote hold, by the digest of their bytes, once `keep_written` is
# called: `palace serve` builds again and again, and reads back each time the deck it wrote the
# time before. A single build has nothing to gain, and keeps nothing.
_WRITTEN: dict[str, PreviousDeck] | None = None
_KEEP = 8  # decks remembered: a few palaces


def keep_written(keep: bool = True) -> None:
    """From now on (or, `keep` False, no longer), remember what each deck written holds."""
    global _WRITTEN
    _WRITTEN = {} if keep else None


def keeping_written() -> bool:
    return _WRITTEN is not None


def remember(package: bytes, deck: PreviousDeck) -> None:
    """What the package this process just wrote holds: the next build in this process that
    finds the same bytes takes it from here instead of reading the file."""
    if _WRITTEN is None:
        return
    _WRITTEN[_digest(package)] = deck
    while len(_WRITTEN) > _KEEP:
        del _WRITTEN[next(iter(_WRITTEN))]


def _digest(package: bytes) -> str:
    return hashlib.sha256(package).hexdigest()


def read_previous(path: Path | None) -> PreviousDeck | None:
    """The previous deck at `path`; None when there is none (a first build). Raises PalaceError
    when it cannot be read."""
    if path is None:
        return None
    try:
        package = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as error:
        raise unreadable(path, error) from error
    known = _WRITTEN.get(_digest(package)) if _WRITTEN is not None else None
    if known is not None:
        return known
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as opened:
            collection = opened.read(COLLECTION)
    except (zipfile.BadZipFile, KeyError, zlib.error, EOFError, OSError) as error:
        raise unreadable(path, error) from error
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(collection)
        return _read(db, collection)
    except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError) as error:
        raise unreadable(path, error) from error
    finally:
        db.close()


def _read(db: sqlite3.Connection, data: bytes) -> PreviousDeck:
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
        data if only_ours else None,
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
