"""A planned palace deck → the bytes of its `.apkg`, the same bytes for the same input.

genanki writes what carries Anki's format (schema, collection row, note type and deck JSON),
with the note type's `mod` as its only timestamp. Notes and cards are then inserted in bulk
with their own ids and mods (genanki gives every note one timestamp, and is slow per note). The
database is built in memory and serialised (no temp files); the zip is built in memory with
fixed entry times, so the same plan always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from functools import cache

from .changes import Plan
from .model import CARD_KINDS, MODEL_ID, SORT_FIELD, Design, genanki_model

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_UNIX = 3  # zip "created on" system: fixed, whatever builds it
_ALREADY_COMPRESSED = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
_LEVEL = 1  # zlib: 3x faster than the default (6) on a collection; the file ~15% larger
_TAG = re.compile(r"<[^>]*>")


def write_package(plan: Plan, design: Design) -> bytes:
    """The `.apkg` of one palace: `collection.anki2`, `media` and the numbered media files."""
    entries = [("collection.anki2", _collection(plan, design))]
    media = plan.deck.media
    entries.append(
        ("media", json.dumps({str(i): name for i, (name, _) in enumerate(media)}).encode("utf-8"))
    )
    entries.extend((str(i), data) for i, (_, data) in enumerate(media))
    kinds = {str(i): name[name.rfind(".") :].lower() for i, (name, _) in enumerate(media)}
    return _zip(sorted(entries), kinds)


def _collection(plan: Plan, design: Design) -> bytes:
    db = sqlite3.connect(":memory:")
    try:
        _write_collection(db, plan, design)
        db.commit()
        return db.serialize()
    finally:
        db.close()


def _write_collection(db: sqlite3.Connection, plan: Plan, design: Design) -> None:
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    # genanki's Package.write_to_db, with the indexes made after the rows (faster).
    tables, indexes = _split_schema(APKG_SCHEMA)
    cursor = db.cursor()
    cursor.executescript(tables)
    cursor.executescript(APKG_COL)
    (top_id, top_name), *rooms = plan.deck.decks
    top = genanki.Deck(top_id, top_name)
    top.add_model(_model(design))
    top.write_to_db(cursor, plan.model_mod, itertools.count(1))
    # The room decks in one update: genanki rewrites all decks' JSON once per deck.
    (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
    decks = json.loads(decks_json)
    decks.update({str(deck_id): genanki.Deck(deck_id, name).to_json() for deck_id, name in rooms})
    cursor.execute("UPDATE col SET decks = ?", (json.dumps(decks),))
    cursor.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", _note_rows(plan))
    # Cards: one row per note with a bit per template ord, expanded to card rows by SQLite
    # (three times faster than binding 18 values per card from Python).
    cursor.execute("PRAGMA temp_store = MEMORY")
    cursor.execute("CREATE TEMP TABLE note_cards (id INTEGER PRIMARY KEY, did, due, mod, ords)")
    cursor.executemany("INSERT INTO temp.note_cards VALUES (?,?,?,?,?)", _note_cards(plan))
    cursor.execute(_CARDS)
    cursor.execute("DROP TABLE temp.note_cards")
    cursor.executescript(indexes)


def _note_rows(plan: Plan) -> Iterator[tuple[object, ...]]:
    for note, note_id, mod in plan.notes:
        # id, guid, note type, mod, usn, tags, fields, sort field, checksum, flags, data
        fields = note.fields
        yield (note_id, note.guid, MODEL_ID, mod, -1, note.tags, note.flds,
               _sort_value(fields[SORT_FIELD]), _checksum(fields[0]), 0, "")  # fmt: skip


def _note_cards(plan: Plan) -> Iterator[tuple[int, int, int, int, int]]:
    for note, note_id, mod in plan.notes:
        yield note_id, note.deck, note.position, mod, sum(1 << ord_ for ord_ in note.ords)


# A card's id is its note's id + its ord; new cards are due in walk order.
_CARDS = f"""
WITH ords (ord) AS (VALUES {", ".join(f"({ord_})" for ord_ in range(len(CARD_KINDS)))})
INSERT INTO cards (id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses,
                   left, odue, odid, flags, data)
SELECT n.id + ords.ord, n.id, n.did, ords.ord, n.mod, -1, 0, 0, n.due, 0, 0, 0, 0,
       0, 0, 0, 0, ''
FROM temp.note_cards AS n JOIN ords ON (n.ords >> ords.ord) & 1
ORDER BY n.id, ords.ord
"""


def _split_schema(schema: str) -> tuple[str, str]:
    cut = schema.index("CREATE INDEX")
    return schema[:cut], schema[cut:]


@cache
def _model(design: Design) -> object:
    """The genanki note type, made once: genanki computes its card requirements on first use."""
    return genanki_model(design)


def _sort_value(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _checksum(first_field: str) -> int:
    """Anki's field checksum: the first 32 bits of SHA-1 of the field without HTML."""
    text = _TAG.sub("", first_field) if "<" in first_field else first_field
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:4], "big")


def _zip(entries: list[tuple[str, bytes]], suffixes: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = _UNIX
            info.external_attr = 0o644 << 16
            stored = suffixes.get(name) in _ALREADY_COMPRESSED
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            package.writestr(info, data, compresslevel=None if stored else _LEVEL)
    return buffer.getvalue()
