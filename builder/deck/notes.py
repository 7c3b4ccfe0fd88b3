"""Palace records → deck notes: one note per stop of the walk (each locus and each step).

Every field is HTML: the owner's Markdown goes through `markup.inline` (safe HTML), plain names
through `html.escape`. A note's GUID comes from its identity only (palace id + stop id), never
from what it says, so fixing a typo, moving a locus or renaming a room keeps the note.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..markup import inline
from ..records import Palace, Picture, Stop
from .model import CARD_KINDS, FIELDS, stable_id

_ORD = {kind.name: number for number, kind in enumerate(CARD_KINDS)}
_ROUTE, _SEQUENCE = _ORD["route"], _ORD["sequence"]
_OWN = tuple(FIELDS.index(name) for name in ("Locus", "Concept", "Description", "Note", "Picture"))


class DeckNote(NamedTuple):
    """One note as it goes into the deck, with the cards (template ords) it gets.

    A named tuple rather than a dataclass: a deck makes one per stop, and this is faster."""

    stop_id: str
    name: str  # the place, as written: for the build summary
    guid: str
    fields: tuple[str, ...]
    flds: str  # the fields as Anki stores them, joined by U+001F
    tags: str  # Anki's stored form: " tag1 tag2 "
    deck: int  # deck id of the note's room
    position: int
    ords: tuple[int, ...]


def own_content(fields: tuple[str, ...]) -> tuple[str, ...]:
    """What the owner wrote for a stop: its place, concept, description, note and picture (not
    what it shows of its room and neighbours)."""
    return tuple(fields[i] if i < len(fields) else "" for i in _OWN)


@dataclass(frozen=True, slots=True)
class PalaceDeck:
    """Everything one palace's package holds, before ids and mods are assigned."""

    palace_id: str
    decks: tuple[tuple[int, str], ...]  # (deck id, name): the palace deck, then one per room
    notes: tuple[DeckNote, ...]
    media: tuple[tuple[str, bytes], ...]  # (bare file name, contents), sorted by name


def note_guid(palace_id: str, stop_id: str) -> str:
    """Anki GUID of a stop: 72 bits of SHA-256 of its identity, in base 64 (12 characters)."""
    digest = hashlib.sha256(f"palace/note/{palace_id}/{stop_id}".encode()).digest()
    return base64.b64encode(digest[:9]).decode("ascii")


def field_name(text: str) -> str:
    """Plain text of a name (locus, room, title) as it goes into a field."""
    return html.escape(text, quote=False)


def deck_name_part(text: str, fallback: str) -> str:
    """A name as one level of an Anki deck name: `::` would open a new level."""
    return text.replace("::", ":").strip() or fallback


class _Media:
    """Pictures packed as media: bare, unique, deterministic names (content hash + suffix)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self._tags: dict[tuple[Path, str], str] = {}

    def img(self, picture: Picture | None) -> str:
        if picture is None:
            return ""
        key = (picture.file, picture.alt)
        tag = self._tags.get(key)
        if tag is None:
            data = picture.file.read_bytes()
            name = f"palace-{hashlib.sha256(data).hexdigest()[:20]}{picture.file.suffix.lower()}"
            self.files[name] = data
            tag = f'<img src="{name}" alt="{html.escape(picture.alt)}">'
            self._tags[key] = tag
        return tag


def palace_deck(palace: Palace, kinds: frozenset[str], prefix: str = "") -> PalaceDeck:
    """The notes, decks and media of one palace, in walk order; `prefix` (`A::B`, already
    checked by the configuration) names the decks above the palace's own deck."""
    top = deck_name_part(palace.title, palace.id)
    if prefix:
        top = f"{prefix}::{top}"
    decks: dict[str, tuple[int, str]] = {}  # casefolded name → (id, name): Anki's deck key
    rooms: dict[str, tuple[str, int, str, str]] = {}  # id → name, deck, tags, picture
    media = _Media()
    for room in palace.rooms:
        name = f"{top}::{deck_name_part(room.name, room.id)}"
        deck_id = stable_id(f"palace/deck/{palace.id}/{room.id}")
        deck = decks.setdefault(name.casefold(), (deck_id, name))[0]
        tags = f" {palace.id} {palace.id}::{room.id} "
        rooms[room.id] = (field_name(room.name), deck, tags, media.img(room.picture))

    walk = palace.walk
    places = [field_name(stop.place) for stop in walk] + [""]
    concepts = [inline(stop.concept) for stop in walk] + [""]
    wanted = frozenset(_ORD[kind] for kind in kinds)
    always = tuple(o for o in (0, 1) if o in wanted)
    route = (*always, _ROUTE) if _ROUTE in wanted else always
    title = field_name(palace.title)
    notes = []
    for index, stop in enumerate(walk):
        locus, step, stop_id = stop.locus, stop.step, stop.id
        room_name, deck, tags, room_picture = rooms[stop.room.id]
        sequence = _sequence(stop) if step else ""
        has_next = index + 1 < len(walk)
        fields = (
            f"{palace.id}/{stop_id}",
            title,
            room_name,
            field_name(locus.locus) if step else "",
            places[index],
            str(stop.number),
            places[index - 1] if index else "",
            concepts[index],
            inline(stop.description),
            inline(locus.note) if locus.note and not step else "",
            media.img(locus.picture),
            room_picture,
            places[index + 1],
            concepts[index + 1],
            sequence,
        )
        ords = route if has_next else always
        if sequence and _SEQUENCE in wanted:
            ords = (*ords, _SEQUENCE)
        guid = note_guid(palace.id, stop_id)
        flds = "\x1f".join(fields)
        notes.append(
            DeckNote(stop_id, stop.place, guid, fields, flds, tags, deck, stop.number, ords)
        )
    top_deck = (stable_id(f"palace/deck/{palace.id}"), top)
    return PalaceDeck(
        palace.id,
        (top_deck, *decks.values()),
        tuple(notes),
        tuple(sorted(media.files.items())),
    )


def _sequence(stop: Stop) -> str:
    """The steps of a stop's locus in order, this stop's concept blanked (the Sequence card)."""
    assert stop.step is not None
    locus = stop.locus
    items = []
    for step in locus.steps:
        place = f'<span class="step-locus">{field_name(step.locus)}</span>'
        if step.id == stop.step.id:
            items.append(f'<li class="asked">{place}: <span class="blank">[…]</span></li>')
        else:
            items.append(
                f'<li>{place}: <span class="step-concept">{inline(step.concept)}</span></li>'
            )
    head = (
        f'<div class="sequence-head"><span class="sequence-locus">{field_name(locus.locus)}</span>'
        f': <span class="sequence-concept">{inline(locus.concept)}</span></div>'
    )
    return f'{head}<ol class="steps">{"".join(items)}</ol>'
