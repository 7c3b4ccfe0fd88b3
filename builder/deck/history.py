"""Read back the previous build's deck: the only state the deck builder needs.

From `<previous_dir>/<palace id>.apkg` (a zip holding `collection.anki2`, a SQLite database) a
rebuild takes, for our note type: the notes it must compare (GUID → id, mod, fields, tags), their
cards, the note type's mod and a checksum of its templates and CSS. The collection is inflated on
a second thread while the caller works out what to render, and opened in memory, where the
rebuild then patches it (`collection.py`). Nothing is ever written back to the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from builder.deck.model import MODEL_ID, checksum_of_model_json
from builder.deck.package import COLLECTION, read_zip
from builder.deck.threads import Background
from builder.errors import PalaceError


class PreviousNote(NamedTuple):
    id: int
    mod: int
    flds: str  # the fields as Anki stores them, joined by U+001F
    tags: str


class Card(NamedTuple):
    """A card as the deck writes it; every other column is the same for every card."""

    id: int  # its note's id + its ord
    nid: int
    did: int
    ord: int
    mod: int
    due: int


class PreviousDeck:
    """The previous build's package: its zip entries as stored, and (once `open()`ed) its
    collection, in memory."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.entries = read_zip(data)
        # Inflated on a second thread while the caller works out what to render.
        self._inflating: Background[bytes] | None = Background(self.entries[COLLECTION].contents)
        self.digest = digest(data)
        self._db: sqlite3.Connection | None = None
        self.model: dict[str, Any] | None = None
        self.max_note_id = 0
        self.collection = b""

    def open(self) -> None:
        """Wait for the collection and open it; raises PalaceError if it is damaged."""
        if self._db is not None or self._inflating is None:
            return
        inflating, self._inflating = self._inflating, None
        try:
            self.collection = inflating.result()
            db = sqlite3.connect(":memory:", isolation_level=None)
            db.deserialize(self.collection)
            (models,) = db.execute("SELECT models FROM col").fetchone()
            self.model = json.loads(models).get(str(MODEL_ID))
            (self.max_note_id,) = db.execute("SELECT coalesce(max(id), 0) FROM notes").fetchone()
        except (zlib.error, sqlite3.Error, ValueError, TypeError, AttributeError) as error:
            raise unreadable(self.path, error) from error
        self._db = db

    @property
    def db(self) -> sqlite3.Connection:
        self.open()
        assert self._db is not None
        return self._db

    @property
    def model_mod(self) -> int | None:
        return None if self.model is None else int(self.model["mod"])

    @property
    def model_checksum(self) -> str | None:
        return None if self.model is None else checksum_of_model_json(self.model)

    def notes(self, positions: Iterable[tuple[int, int]] | None = None) -> dict[str, PreviousNote]:
        """Our notes by GUID, in note id order: all, or those at walk positions (the sort
        field) in the ranges `[first, end)`."""
        where, args = _ranges(positions)
        rows = self.db.execute(
            f"SELECT guid, id, mod, flds, tags FROM notes WHERE mid = ?{where} ORDER BY id",
            (MODEL_ID, *args),
        )
        return {guid: PreviousNote(note_id, mod, flds, tags)
                for guid, note_id, mod, flds, tags in rows}  # fmt: skip

    def cards(self, note_ids: Iterable[int] | None = None) -> dict[int, Card]:
        """The cards of these notes (all: None), by card id."""
        query = "SELECT id, nid, did, ord, mod, due FROM cards"
        if note_ids is None:
            rows = self.db.execute(query)
        else:
            ids = json.dumps(sorted(note_ids))
            rows = self.db.execute(f"{query} WHERE nid IN (SELECT value FROM json_each(?))", (ids,))
        return {row[0]: Card(*row) for row in rows}

    def close(self) -> None:
        if self._inflating is not None:  # never opened: let the helper finish
            with contextlib.suppress(Exception):
                self._inflating.result()
            self._inflating = None
        if self._db is not None:
            self._db.close()
            self._db = None


def _ranges(positions: Iterable[tuple[int, int]] | None) -> tuple[str, list[int]]:
    if positions is None:
        return "", []
    ranges = list(positions)
    if not ranges:
        return " AND 0", []
    where = " OR ".join("sfld >= ? AND sfld < ?" for _ in ranges)
    return f" AND ({where})", [bound for pair in ranges for bound in pair]


def digest(data: bytes) -> str:
    """What the memo knows a package by: a digest of its bytes (SHA-256: the fastest here)."""
    return hashlib.sha256(data).hexdigest()[:32]


def read_previous(path: Path | None) -> PreviousDeck | None:
    """The previous deck at `path`; None when there is none (a first build)."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as error:
        raise unreadable(path, error) from error
    try:
        return PreviousDeck(path, data)
    except (zipfile.BadZipFile, KeyError, ValueError, struct.error) as error:
        raise unreadable(path, error) from error


def unreadable(path: Path, error: BaseException) -> PalaceError:
    return PalaceError(
        f"{path.as_posix()}: cannot read the previous deck ({error}); it tells which notes "
        "changed since the last build: restore it, or delete it to start afresh (Anki then "
        "updates every note once, keeping review history)"
    )
