"""Read back the previous build's deck: the only state the deck builder keeps.

From `<previous_dir>/<palace id>.apkg` (a zip holding `collection.anki2`, a SQLite database) it
takes, for our note type: each note's GUID → id, mod, fields and tags; the note type's mod and
a checksum of its templates and CSS. (Card ids need no reading: a card's id is its note's id
plus its template's ord.) Read with the standard library only, in memory, never written.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..errors import PalaceError
from .model import MODEL_ID, checksum_of_model_json

COLLECTION = "collection.anki2"


class PreviousNote(NamedTuple):
    id: int
    mod: int
    flds: str  # the fields as Anki stores them, joined by U+001F
    tags: str

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.flds.split("\x1f"))


@dataclass(frozen=True, slots=True)
class PreviousDeck:
    """What the previous build wrote; empty for a first build."""

    notes: dict[str, PreviousNote] = field(default_factory=dict)  # by GUID, in note-id order
    model_mod: int | None = None
    model_checksum: str | None = None
    max_note_id: int = 0


def read_previous(path: Path | None) -> PreviousDeck:
    """The previous deck at `path`; an empty one when there is none (a first build)."""
    if path is None or not path.is_file():
        return PreviousDeck()
    try:
        with zipfile.ZipFile(path) as package:
            data = package.read(COLLECTION)
        return _read_collection(data)
    except (OSError, zipfile.BadZipFile, KeyError, sqlite3.Error, ValueError) as error:
        raise PalaceError(
            f"{path.as_posix()}: cannot read the previous deck ({error}); it tells which notes "
            "changed since the last build: restore it, or delete it to start afresh (Anki then "
            "updates every note once, keeping review history)"
        ) from error


def _read_collection(data: bytes) -> PreviousDeck:
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        (models_json,) = db.execute("SELECT models FROM col").fetchone()
        model = json.loads(models_json).get(str(MODEL_ID))
        if model is None:
            return PreviousDeck()
        (max_note_id,) = db.execute("SELECT coalesce(max(id), 0) FROM notes").fetchone()
        rows = db.execute(
            "SELECT id, guid, mod, flds, tags FROM notes WHERE mid = ? ORDER BY id", (MODEL_ID,)
        )
        notes = {
            guid: PreviousNote(note_id, mod, flds, tags) for note_id, guid, mod, flds, tags in rows
        }
        checksum = checksum_of_model_json(model)
        return PreviousDeck(notes, int(model["mod"]), checksum, max_note_id)
    finally:
        db.close()
