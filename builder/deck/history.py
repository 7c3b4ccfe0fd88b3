"""Read back the previous build's deck: the only state the deck builder needs.

From `<previous_dir>/<palace id>.apkg` (a zip holding `collection.anki2`, a SQLite database) a
rebuild takes, for our note type: each note's GUID, id, mod, fields and tags, the largest note
id, the note type's mod and a checksum of its templates and CSS. The collection is opened in
memory; nothing is ever written back to the file.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

from builder.deck.model import MODEL_ID, checksum_of_model_json
from builder.errors import PalaceError

COLLECTION = "collection.anki2"


class PreviousNote(NamedTuple):
    id: int
    mod: int
    flds: str  # the fields as Anki stores them, joined by U+001F
    tags: str


class PreviousDeck(NamedTuple):
    """What a rebuild needs of the previous deck; `model_mod` None: not a deck of ours."""

    notes: dict[str, PreviousNote]  # by GUID, in note id order
    max_note_id: int
    model_mod: int | None
    model_checksum: str | None


def read_previous(path: Path | None) -> PreviousDeck | None:
    """The previous deck at `path`; None when there is none (a first build). Raises PalaceError
    when it cannot be read."""
    if path is None:
        return None
    try:
        with zipfile.ZipFile(path) as package:
            collection = package.read(COLLECTION)
    except (FileNotFoundError, IsADirectoryError):
        return None
    except (OSError, zipfile.BadZipFile, KeyError, zlib.error, EOFError) as error:
        raise unreadable(path, error) from error
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(collection)
        return _read(db)
    except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError) as error:
        raise unreadable(path, error) from error
    finally:
        db.close()


def _read(db: sqlite3.Connection) -> PreviousDeck:
    (models,) = db.execute("SELECT models FROM col").fetchone()
    model = json.loads(models).get(str(MODEL_ID))
    if model is None:  # not a deck of ours: start afresh
        return PreviousDeck({}, 0, None, None)
    rows = db.execute(
        "SELECT guid, id, mod, flds, tags FROM notes WHERE mid = ? ORDER BY id", (MODEL_ID,)
    )
    notes = {guid: PreviousNote(note_id, mod, flds, tags)
             for guid, note_id, mod, flds, tags in rows}  # fmt: skip
    (max_note_id,) = db.execute("SELECT coalesce(max(id), 0) FROM notes").fetchone()
    return PreviousDeck(notes, max_note_id, int(model["mod"]), checksum_of_model_json(model))


def unreadable(path: Path, error: BaseException) -> PalaceError:
    return PalaceError(
        f"{path.as_posix()}: cannot read the previous deck ({error}); it tells which notes "
        "changed since the last build: restore it, or delete it to start afresh (Anki then "
        "updates every note once, keeping review history)"
    )
