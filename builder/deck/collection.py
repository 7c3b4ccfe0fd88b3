"""The `collection.anki2` inside a package: Anki's legacy collection (schema 11), in memory.

A first build writes a new collection (`new_collection`). A rebuild patches the previous one
(`patch_collection`): it deletes, updates and inserts only the notes and cards that differ, in
a fixed order, so the same previous deck and the same notes always give the same bytes, and
the rows are the very rows a new collection would hold. Anki's importer reads rows (notes,
cards, note types, decks), never pages, so a patched collection imports as a new one would.

The schema and the collection row are those genanki 0.13 writes (Anki's own legacy format,
frozen since 2014); they are written out here, not imported from genanki, which costs 40 ms to
import and is otherwise not needed (`tests/test_deck.py` compares the two).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from builder.deck.model import MODEL_ID

TABLES = """
CREATE TABLE col (
    id              integer primary key,
    crt             integer not null,
    mod             integer not null,
    scm             integer not null,
    ver             integer not null,
    dty             integer not null,
    usn             integer not null,
    ls              integer not null,
    conf            text not null,
    models          text not null,
    decks           text not null,
    dconf           text not null,
    tags            text not null
);
CREATE TABLE notes (
    id              integer primary key,   /* 0 */
    guid            text not null,         /* 1 */
    mid             integer not null,      /* 2 */
    mod             integer not null,      /* 3 */
    usn             integer not null,      /* 4 */
    tags            text not null,         /* 5 */
    flds            text not null,         /* 6 */
    sfld            integer not null,      /* 7 */
    csum            integer not null,      /* 8 */
    flags           integer not null,      /* 9 */
    data            text not null          /* 10 */
);
CREATE TABLE cards (
    id              integer primary key,   /* 0 */
    nid             integer not null,      /* 1 */
    did             integer not null,      /* 2 */
    ord             integer not null,      /* 3 */
    mod             integer not null,      /* 4 */
    usn             integer not null,      /* 5 */
    type            integer not null,      /* 6 */
    queue           integer not null,      /* 7 */
    due             integer not null,      /* 8 */
    ivl             integer not null,      /* 9 */
    factor          integer not null,      /* 10 */
    reps            integer not null,      /* 11 */
    lapses          integer not null,      /* 12 */
    left            integer not null,      /* 13 */
    odue            integer not null,      /* 14 */
    odid            integer not null,      /* 15 */
    flags           integer not null,      /* 16 */
    data            text not null          /* 17 */
);
CREATE TABLE revlog (
    id              integer primary key,
    cid             integer not null,
    usn             integer not null,
    ease            integer not null,
    ivl             integer not null,
    lastIvl         integer not null,
    factor          integer not null,
    time            integer not null,
    type            integer not null
);
CREATE TABLE graves (
    usn             integer not null,
    oid             integer not null,
    type            integer not null
);
"""
INDEXES = """
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
"""
# The collection row: creation and modification times, schema version 11, settings.
COL = (1, 1411124400, 1425279151694, 1425279151690, 11, 0, 0, 0)
CONF = (
    '{"activeDecks":[1],"addToCur":true,"collapseTime":1200,"curDeck":1,'
    '"curModel":"1425279151691","dueCounts":true,"estTimes":true,"newBury":true,"newSpread":0,'
    '"nextPos":1,"sortBackwards":false,"sortType":"noteFld","timeLim":0}'
)
DCONF = (
    '{"1":{"autoplay":true,"id":1,"lapse":{"delays":[10],"leechAction":0,"leechFails":8,'
    '"minInt":1,"mult":0},"maxTaken":60,"mod":0,"name":"Default","new":{"bury":true,'
    '"delays":[1,10],"initialFactor":2500,"ints":[1,4,7],"order":1,"perDay":20,'
    '"separate":true},"replayq":true,"rev":{"bury":true,"ease4":1.3,"fuzz":0.05,"ivlFct":1,'
    '"maxIvl":36500,"minSpace":1,"perDay":100},"timer":0,"usn":0}}'
)
DEFAULT_DECK: dict[str, Any] = {
    "collapsed": False, "conf": 1, "desc": "", "dyn": 0, "extendNew": 10, "extendRev": 50,
    "id": 1, "lrnToday": [0, 0], "mod": 1425279151, "name": "Default", "newToday": [0, 0],
    "revToday": [0, 0], "timeToday": [0, 0], "usn": 0,
}  # fmt: skip

# id, guid, mod, tags, flds, sort field (the position), checksum; then id, nid, did, ord, mod, due
NoteRow = tuple[int, str, int, str, str, int, int]
CardRow = tuple[int, int, int, int, int, int]
_INSERT_NOTE = f"INSERT INTO notes VALUES (?, ?, {MODEL_ID}, ?, -1, ?, ?, ?, ?, 0, '')"
_INSERT_CARD = "INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')"


def deck_json(deck_id: int, name: str) -> dict[str, Any]:
    """A deck as the collection's `decks` JSON holds it (genanki's `Deck.to_json`)."""
    return {
        "collapsed": False, "conf": 1, "desc": "", "dyn": 0, "extendNew": 0, "extendRev": 50,
        "id": deck_id, "lrnToday": [163, 2], "mod": 1425278051, "name": name,
        "newToday": [163, 2], "revToday": [163, 0], "timeToday": [163, 23598], "usn": -1,
    }  # fmt: skip


def decks_json(decks: Sequence[tuple[int, str]]) -> str:
    """The collection's `decks`: Anki's Default deck, then the palace's decks in order; the
    text `json.dumps` makes of them, written from a template (five times faster)."""
    if len({deck_id for deck_id, _ in decks}) != len(decks):  # never: ids come from room ids
        everything = {"1": DEFAULT_DECK}
        everything.update((str(deck_id), deck_json(deck_id, name)) for deck_id, name in decks)
        return json.dumps(everything)
    parts = [_DEFAULT_DECK]
    parts += [_DECK % (deck_id, deck_id, json.dumps(name)) for deck_id, name in decks]
    return "{" + ", ".join(parts) + "}"


_DEFAULT_DECK = json.dumps({"1": DEFAULT_DECK})[1:-1]
_DECK = (
    json.dumps({"%d": deck_json(0, "")})
    .replace('"id": 0', '"id": %d')
    .replace('"name": ""', '"name": %s')[1:-1]
)


def models_json(model: dict[str, Any]) -> str:
    return json.dumps({str(MODEL_ID): model})


class NewCollection:
    """A new collection holding these notes and cards (each in id order), written in two steps:
    the rows, then the indexes (`index`: one long call that lets go of the GIL, so the caller
    may deflate the pages written so far on another thread meanwhile)."""

    def __init__(
        self, notes: Iterable[NoteRow], cards: Iterable[CardRow], models: str, decks: str
    ) -> None:
        self.db = sqlite3.connect(
            "file:collection?vfs=memdb", uri=True, isolation_level=None, check_same_thread=False
        )
        self.db.executescript(TABLES)
        self.db.execute("BEGIN")
        self.db.execute(
            "INSERT INTO col VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
            (*COL, CONF, models, decks, DCONF),
        )
        self.db.executemany(_INSERT_NOTE, notes)
        self.db.executemany(_INSERT_CARD, cards)
        self.db.execute("COMMIT")

    def rows(self) -> bytes:
        """The collection so far: all rows, no index yet."""
        return self.db.serialize()

    def index(self) -> None:
        self.db.executescript(INDEXES)  # after the rows: faster than keeping them up to date

    def finish(self) -> bytes:
        try:
            return self.db.serialize()
        finally:
            self.db.close()


def new_collection(
    notes: Iterable[NoteRow], cards: Iterable[CardRow], models: str, decks: str
) -> bytes:
    """A new collection holding these notes and cards (each in id order)."""
    collection = NewCollection(notes, cards, models, decks)
    collection.index()
    return collection.finish()


class Patch:
    """What a rebuild changes in the previous collection: rows by id, applied in id order."""

    def __init__(self, updated_notes: list[NoteRow], inserted_notes: list[NoteRow]) -> None:
        self.deleted_notes: list[int] = []
        self.updated_notes = updated_notes
        self.inserted_notes = inserted_notes
        self.deleted_cards: list[int] = []
        self.updated_cards: list[CardRow] = []
        self.inserted_cards: list[CardRow] = []
        self.models: str | None = None  # the new `col.models`, when it changes
        self.decks: str | None = None  # the new `col.decks`, when it changes

    def __bool__(self) -> bool:
        return any(
            (self.deleted_notes, self.updated_notes, self.inserted_notes, self.deleted_cards,
             self.updated_cards, self.inserted_cards, self.models is not None,
             self.decks is not None)
        )  # fmt: skip


def patch_collection(db: sqlite3.Connection, patch: Patch) -> bytes:
    """Apply `patch` to the previous collection open in `db` (in autocommit mode) and return the
    new collection's bytes; without changes, the previous bytes exactly."""
    if patch:
        db.execute("BEGIN")
        db.executemany("DELETE FROM cards WHERE id = ?", _ids(patch.deleted_cards))
        db.executemany("DELETE FROM notes WHERE id = ?", _ids(patch.deleted_notes))
        db.executemany(
            "UPDATE notes SET guid = ?, mod = ?, tags = ?, flds = ?, sfld = ?, csum = ? "
            "WHERE id = ?",
            [(*row[1:], row[0]) for row in sorted(patch.updated_notes)],
        )
        db.executemany(
            "UPDATE cards SET nid = ?, did = ?, ord = ?, mod = ?, due = ? WHERE id = ?",
            [(*row[1:], row[0]) for row in sorted(patch.updated_cards)],
        )
        db.executemany(_INSERT_NOTE, sorted(patch.inserted_notes))
        db.executemany(_INSERT_CARD, sorted(patch.inserted_cards))
        if patch.models is not None:
            db.execute("UPDATE col SET models = ?", (patch.models,))
        if patch.decks is not None:
            db.execute("UPDATE col SET decks = ?", (patch.decks,))
        db.execute("COMMIT")
    return db.serialize()


def _ids(ids: Sequence[int]) -> list[tuple[int]]:
    return [(i,) for i in sorted(ids)]
