"""The one Anki note type every palace deck uses: frozen fields, four card templates, CSS.

Anki matches a note type by id; when its fields or templates (count, names, order) differ from
the collection's, the importer makes a second note type and skips the existing notes. So the
names below are frozen forever; only the *content* of templates and CSS may change, and a change
reaches Anki because the note type's `mod` grows (see `changes.py`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import genanki

MODEL_NAME = "Palace locus"

# The fields of every note, in order. NEVER rename, reorder, add or remove one: Anki would make
# a second note type and skip every existing note on import. Id comes first, so Anki's
# "duplicate first field" check sees a unique value; Position is the sort field.
FIELDS: tuple[str, ...] = (
    "Id",  # <palace id>/<stop id>: the identity the GUID is derived from; never shown
    "Palace",  # palace title
    "Room",  # room name
    "Parent",  # for a step: the place of the locus it belongs to; empty for a locus
    "Locus",  # the place of this stop
    "Position",  # the sort field: walk number and place, `007 Stove`, so Browse lists the walk
    "Previous",  # a locus: the place you came from (empty at the start of the walk); a step:
    # its Sequence card's front (the sequence, at most two steps before it, its own place)
    "Concept",  # what lives here (rendered Markdown)
    "Description",  # (rendered Markdown)
    "Note",  # the mnemonic, the vivid image (rendered Markdown); a step shows its locus'
    "Picture",  # <img> of the locus (a step shows its locus' picture)
    "RoomPicture",  # <img> of the room
    "Next",  # the next place on the walk; empty at the end
    "NextConcept",  # retired (Route asks only for the next place), always empty; kept: frozen
    "Sequence",  # the locus' steps in order (a step: itself marked); empty without steps
)
SORT_FIELD = FIELDS.index("Position")


class CardKind(NamedTuple):
    name: str  # the `kinds` name used in configuration
    template: str  # the card type's name in Anki: frozen like the fields
    files: str  # stem of the template files in cards/


# In template order (= Anki's card `ord`). NEVER rename, reorder or remove one.
CARD_KINDS: tuple[CardKind, ...] = (
    CardKind("place-concept", "Place → Concept", "place-concept"),
    CardKind("concept-place", "Concept → Place", "concept-place"),
    CardKind("route", "Route", "route"),
    CardKind("sequence", "Sequence", "sequence"),
)
ALL_KINDS = frozenset(kind.name for kind in CARD_KINDS)


def stable_id(name: str) -> int:
    """A fixed Anki id for a stable name: 47 bits of its SHA-256, kept below 2**53 (JSON-safe)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (1 << 47) | (int.from_bytes(digest[:8], "big") & ((1 << 47) - 1))


MODEL_ID = stable_id("palace/note-type/locus")


class Design(NamedTuple):
    """What Anki shows: templates (front, back) in card order, and the CSS."""

    templates: tuple[tuple[str, str], ...]
    css: str

    @property
    def checksum(self) -> str:
        return design_checksum(
            FIELDS,
            [(k.template, *t) for k, t in zip(CARD_KINDS, self.templates, strict=True)],
            self.css,
        )


def design_checksum(fields: Iterable[str], templates: Iterable[Sequence[str]], css: str) -> str:
    """Checksum of what the note type shows; also computed from a previous deck's note type."""
    data = json.dumps([list(fields), [list(t) for t in templates], css], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def checksum_of_model_json(model: Mapping[str, Any]) -> str:
    """`design_checksum` of a note type as stored in a deck's `col.models` JSON."""
    fields = [field["name"] for field in model.get("flds", [])]
    templates = [(t["name"], t["qfmt"], t["afmt"]) for t in model.get("tmpls", [])]
    return design_checksum(fields, templates, str(model.get("css", "")))


@cache
def design() -> Design:
    """The templates and CSS, read once from the package data in `cards/`."""
    cards = resources.files(__package__).joinpath("cards")
    templates = tuple(
        (
            cards.joinpath(f"{kind.files}.front.html").read_text("utf-8"),
            cards.joinpath(f"{kind.files}.back.html").read_text("utf-8"),
        )
        for kind in CARD_KINDS
    )
    return Design(templates, cards.joinpath("style.css").read_text("utf-8"))


@cache
def note_type(design: Design) -> genanki.Model:
    """The note type as genanki writes it; its `mod` is the timestamp the package is written
    with. genanki works out each card type's required fields (`req`) from the fronts once."""
    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[
            {"name": kind.template, "qfmt": front, "afmt": back}
            for kind, (front, back) in zip(CARD_KINDS, design.templates, strict=True)
        ],
        css=design.css,
        sort_field_index=SORT_FIELD,
    )
