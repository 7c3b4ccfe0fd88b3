"""What a learner's collection holds of the palaces, read once before a sync plans anything.

Read with plain SELECTs through `col.db`: one query per table instead of a backend call per
note and per card (15,000 calls for a 5,000-locus palace). Nothing is written here.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import TYPE_CHECKING, Any, NamedTuple

from builder.deck.model import MODEL_ID

if TYPE_CHECKING:
    from anki.collection import Collection

SUSPENDED = -1  # a card's queue when suspended


class HeldCard(NamedTuple):
    id: int
    ord: int
    home: int  # its deck, or the deck it returns to from a filtered deck
    suspended: bool


class HeldNote(NamedTuple):
    """A note of Palace's note type as the collection has it."""

    id: int
    guid: str
    mod: int
    flds: str
    tags: tuple[str, ...]
    cards: tuple[HeldCard, ...]

    @property
    def field_id(self) -> str:
        return self.flds.split("\x1f", 1)[0]


class Held(NamedTuple):
    notes: dict[str, HeldNote]  # by GUID: the notes of Palace's note type
    others: dict[str, int]  # GUID → note type id of every other note
    decks: dict[int, str]  # deck id → name
    parents: dict[int, int]  # deck id → its parent's id
    cards_in: Counter[int]  # deck id → cards in it, or at home in it from a filtered deck
    model: dict[str, Any] | None  # Palace's note type, None when the collection has none
    max_note_id: int
    normalizes: bool  # Anki stores field text in Unicode NFC


def read_held(col: Collection) -> Held:
    """Palace's notes with their cards, the decks, and what else a plan must not collide with."""
    assert col.db is not None
    db = col.db
    cards: dict[int, list[HeldCard]] = {}
    for card_id, note_id, order, did, odid, queue in db.all(
        "SELECT c.id, c.nid, c.ord, c.did, c.odid, c.queue FROM cards c "
        "JOIN notes n ON n.id = c.nid WHERE n.mid = ? ORDER BY c.id",
        MODEL_ID,
    ):
        cards.setdefault(note_id, []).append(
            HeldCard(card_id, order, odid or did, queue == SUSPENDED)
        )
    notes = {
        guid: HeldNote(note_id, guid, mod, flds, tuple(tags.split()), tuple(cards.get(note_id, ())))
        for note_id, guid, mod, flds, tags in db.all(
            "SELECT id, guid, mod, flds, tags FROM notes WHERE mid = ? ORDER BY id", MODEL_ID
        )
    }
    others: dict[str, int] = {
        guid: mid for guid, mid in db.all("SELECT guid, mid FROM notes WHERE mid != ?", MODEL_ID)
    }
    decks = {int(d.id): d.name for d in col.decks.all_names_and_ids()}
    by_name = {norm(name): did for did, name in decks.items()}
    parents = {
        did: parent
        for did, name in decks.items()
        if "::" in name and (parent := by_name.get(norm(name.rsplit("::", 1)[0]))) is not None
    }
    cards_in: Counter[int] = Counter()
    for did, odid, count in db.all("SELECT did, odid, count() FROM cards GROUP BY did, odid"):
        cards_in[did] += count
        if odid:
            cards_in[odid] += count
    from anki.config import Config

    return Held(
        notes,
        others,
        decks,
        parents,
        cards_in,
        col.models.get(MODEL_ID),  # type: ignore[arg-type]
        db.scalar("SELECT coalesce(max(id), 0) FROM notes"),
        col.get_config_bool(Config.Bool.NORMALIZE_NOTE_TEXT),
    )


def norm(deck_name: str) -> str:
    """A deck name as Anki compares them: levels trimmed, NFC, case folded."""
    levels = (level.strip() for level in deck_name.split("::"))
    return unicodedata.normalize("NFC", "::".join(levels)).casefold()
