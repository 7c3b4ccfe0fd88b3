"""Palace records → deck notes: one note per stop of the walk (each locus and each step).

Every field is HTML: the owner's Markdown goes through `markup.inline` (safe HTML), plain names
through `html.escape`. A note's GUID comes from its identity only (palace id + stop id), never
from what it says, so fixing a typo, moving a locus or renaming a room keeps the note.

The notes are laid out room by room (`layout`) with a key per room, a digest of everything its
notes show (its loci, its place on the walk, the stops just before and after it, the card
kinds); the deck's key joins them, so an unchanged deck is known before any note is rendered.
"""

from __future__ import annotations

import binascii
import hashlib
import html
import marshal
import re
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from builder.deck.model import CARD_KINDS, FIELDS, stable_id
from builder.deck.sequences import so_far, whole_sequence
from builder.markup import inline
from builder.notes.identity import deck_level
from builder.notes.records import Palace, Picture, Room

FORMAT = 3  # of the room keys: raise it when what a note shows changes in this file
_ORD = {kind.name: number for number, kind in enumerate(CARD_KINDS)}
_ROUTE, _SEQUENCE = _ORD["route"], _ORD["sequence"]
_OWN = tuple(FIELDS.index(name) for name in ("Locus", "Concept", "Description", "Note", "Picture"))
_LOCUS = attrgetter("id", "place", "concept", "description", "note")
_STEP = attrgetter("id", "place", "concept", "description")


class LocusRef(NamedTuple):
    """A stop of the walk (a locus or a step), by id and place name as written."""

    id: str
    name: str


class DeckNote(NamedTuple):
    """One note as it goes into the deck, with the cards it gets (a bit per template ord).

    A named tuple rather than a dataclass: a deck makes one per stop, and this is faster."""

    ref: LocusRef  # the stop: its id, and its place as written (for the build summary)
    guid: str
    flds: str  # the fields as Anki stores them, joined by U+001F
    tags: str  # Anki's stored form: " tag1 tag2 "
    deck: int  # deck id of the note's room
    position: int
    ords: int  # bit n set: the note has the card of template ord n


def own_content(flds: str) -> tuple[str, ...]:
    """What the owner wrote for a stop: its place, concept, description, note and picture (not
    what it shows of its room and neighbours)."""
    fields = flds.split("\x1f")
    return tuple(fields[i] if i < len(fields) else "" for i in _OWN)


def note_guid(palace_id: str, stop_id: str) -> str:
    """Anki GUID of a stop: 72 bits of SHA-256 of its identity, in base 64 (12 characters)."""
    digest = _sha256(f"palace/note/{palace_id}/{stop_id}".encode()).digest()
    return _base64(digest[:9], newline=False).decode("ascii")


_sha256, _base64 = hashlib.sha256, binascii.b2a_base64


def field_name(text: str) -> str:
    """Plain text of a name (locus, room, title) as it goes into a field."""
    if "&" in text or "<" in text or ">" in text:
        return html.escape(text, quote=False)
    return text  # the common case, without three replacements


def deck_name_part(text: str, fallback: str) -> str:
    """A name as one level of an Anki deck name, as Anki keeps it (`identity.deck_level`)."""
    return deck_level(text) or fallback


def room_deck_part(number: int, width: int, room: Room) -> str:
    """A room's subdeck under its palace's deck, numbered in walk order: `07 Kitchen`."""
    return f"{number:0{width}d} {deck_name_part(room.name, room.id)}"


def is_room_deck_part(level: str, room: str) -> bool:
    """Whether the deck name level `level` is one Palace gave the room whose name gives the
    level `room` (`deck_name_part`): numbered (by any number, as rooms are renumbered when one
    is added), or, before 0.2, the name alone. Compare both as Anki compares deck names."""
    number = _NUMBER.match(level)
    return level == room or (number is not None and level[number.end() :] == room)


_NUMBER = re.compile(r"\d+ ")


# A picture file → its media name in the deck (see `media.media_name`).
MediaName = Callable[[Path], str]


def img(picture: Picture | None, names: MediaName) -> str:
    if picture is None:
        return ""
    return f'<img src="{names(picture.file)}" alt="{html.escape(picture.alt)}">'


class RoomSlot(NamedTuple):
    """A room in the deck: its key, its deck and its picture."""

    room: Room
    key: bytes  # digest of everything its notes show
    deck: int
    picture: str  # the room's <img>, or ""


class Layout(NamedTuple):
    """One palace's deck before any note is rendered: rooms with keys, decks, media."""

    palace: Palace
    rooms: tuple[RoomSlot, ...]
    decks: tuple[tuple[int, str], ...]  # (deck id, name): the palace deck, then one per room
    media: tuple[tuple[str, Path], ...]  # (media name, file), sorted by name
    wanted: int  # the card kinds chosen: a bit per template ord
    cards: int  # cards in the deck
    key: bytes  # a digest of everything the deck's notes, decks and media hold


def _digest(value: Any) -> bytes:
    """A digest of str, int, bytes, tuples and lists. Marshal format 2: later ones write a
    string differently when it is interned or referenced twice, which differs between runs."""
    return hashlib.sha256(marshal.dumps(value, 2)).digest()[:16]


def layout(palace: Palace, kinds: frozenset[str], prefix: str, names: MediaName) -> Layout:
    """The rooms of `palace` with their keys and decks; `prefix` (`A::B`, already checked by
    the configuration) names the decks above the palace's own deck."""
    top = deck_name_part(palace.title, palace.id)
    if prefix:
        top = f"{prefix}::{top}"
    wanted = sum(1 << _ORD[kind] for kind in kinds)
    decks: dict[str, tuple[int, str]] = {}  # casefolded name → (id, name): Anki's deck key
    media: dict[str, Path] = {}
    head = (FORMAT, palace.id, palace.title, wanted, _width(palace))
    slots = []
    steps = sequences = 0
    width = max(2, len(str(len(palace.rooms))))
    for room in palace.rooms:
        name = f"{top}::{room_deck_part(room.number, width, room)}"
        deck_id = stable_id(f"palace/deck/{palace.id}/{room.id}")
        deck = decks.setdefault(name.casefold(), (deck_id, name))[0]
        loci = room.loci
        steps += room.stops - len(loci)
        sequences += sum(1 for locus in loci if locus.steps)
        shown = list(map(_LOCUS, loci))  # and of the loci with pictures or steps, those:
        extras = [(number, _picture(locus.picture, names, media), tuple(map(_STEP, locus.steps)))
                  for number, locus in enumerate(loci) if locus.picture or locus.steps]  # fmt: skip
        before = palace.stop(room.first - 1)
        after = palace.stop(room.last + 1)
        picture = _picture(room.picture, names, media)
        key = _digest(
            (*head, room.id, room.name, picture, deck, room.first, before and before.place,
             after and after.place, shown, extras)
        )  # fmt: skip
        slots.append(RoomSlot(room, key, deck, img(room.picture, names)))
    top_deck = (stable_id(f"palace/deck/{palace.id}"), top)
    all_decks = (top_deck, *decks.values())
    files = tuple(sorted(media.items()))
    return Layout(
        palace,
        tuple(slots),
        all_decks,
        files,
        wanted,
        count_cards(len(palace.walk), steps, sequences, wanted),
        _digest((FORMAT, [slot.key for slot in slots], all_decks, [name for name, _ in files])),
    )


def stop_refs(palace: Palace) -> list[LocusRef]:
    """Every stop of the walk, in order."""
    return [LocusRef(stop.id, stop.place) for stop in palace.walk]


def _picture(
    picture: Picture | None, names: MediaName, media: dict[str, Path]
) -> tuple[str, str] | None:
    if picture is None:
        return None
    name = names(picture.file)
    media.setdefault(name, picture.file)
    return (name, picture.alt)


def count_cards(stops: int, steps: int, sequences: int, wanted: int) -> int:
    """Cards of a deck of `stops` notes, `steps` of them steps, `sequences` loci with steps:
    every locus has a Place → Concept card (a step is asked by its Sequence card instead),
    every stop a Concept → Place card, every stop but the last a Route card, every step and
    every locus with steps a Sequence card."""
    place = wanted & 1
    concept = wanted >> 1 & 1
    route = wanted >> _ROUTE & 1
    sequence = wanted >> _SEQUENCE & 1
    return ((stops - steps) * place + stops * concept + max(stops - 1, 0) * route
            + (steps + sequences) * sequence)  # fmt: skip


def room_notes(layout: Layout, slot: RoomSlot, names: MediaName) -> list[DeckNote]:
    """The notes of one room, in walk order."""
    palace, room = layout.palace, slot.room
    # What each stop shows of itself: number, id, place (as written and as HTML), concept,
    # description, parent, the sort text, its context on a Sequence card's front (steps only),
    # note, picture, sequence; the stop before it fills `Previous` for loci.
    width = _width(palace)
    shown = []
    for locus in room.loci:
        place = field_name(locus.place)
        picture = img(locus.picture, names) if locus.picture is not None else ""
        note = inline(locus.note) if locus.note else ""
        concept = inline(locus.concept)
        items = [(field_name(step.place), inline(step.concept)) for step in locus.steps]
        shown.append((locus.number, locus.id, locus.place, place, concept,
                      inline(locus.description), "", f"{locus.number:0{width}d} {place}", "",
                      note, picture, whole_sequence(place, concept, items, 0)))  # fmt: skip
        for step, (step_place, step_concept) in zip(locus.steps, items, strict=True):
            shown.append((step.number, step.id, step.place, step_place, step_concept,
                          inline(step.description), place,
                          f"{step.number:0{width}d} {place} › {step_place}",
                          so_far(place, concept, items, step.index), note, picture,
                          whole_sequence(place, concept, items, step.index)))  # fmt: skip
    if not shown:  # a room without loci
        return []
    after = palace.stop(room.last + 1)
    nexts = [stop[3] for stop in shown[1:]] + [field_name(after.place) if after else ""]
    before = palace.stop(room.first - 1)
    came_from = field_name(before.place) if before else ""
    wanted = layout.wanted
    place_card, concept_card = wanted & 1, wanted & 2
    sequence, route = wanted & (1 << _SEQUENCE), wanted & (1 << _ROUTE)
    last = len(palace.walk)
    head = f"\x1f{field_name(palace.title)}\x1f{field_name(room.name)}\x1f"
    tags = f" {palace.id} {palace.id}::{room.id} "
    palace_id = palace.id
    id_prefix = f"{palace_id}/"
    deck, room_picture = slot.deck, slot.picture
    notes = []
    for (number, stop_id, name, place, concept, description, parent, sort, front, note,
         picture, steps), next_place in zip(shown, nexts, strict=True):  # fmt: skip
        ords = concept_card | (sequence if steps else 0) | (0 if parent else place_card)
        if number < last:
            ords |= route
        flds = "\x1f".join(
            (id_prefix + stop_id + head + parent, place, sort,
             front if parent else came_from, concept, description, note, picture,
             room_picture, next_place, "", steps)
        )  # fmt: skip
        if "[" in flds or "{" in flds or "}" in flds:  # as character references, which show
            # the same: Anki plays or renders `[sound:…]`, `[anki:tts]…`, `[latex]…` in a
            # card's HTML, and `{{…}}` is its template syntax; notes are untrusted text.
            flds = flds.replace("[", "&#91;").replace("{", "&#123;").replace("}", "&#125;")
        came_from = place
        notes.append(
            DeckNote(
                LocusRef(stop_id, name),
                note_guid(palace_id, stop_id),
                flds,
                tags,
                deck,
                number,
                ords,
            )
        )
    return notes


def _width(palace: Palace) -> int:
    """Digits of the walk numbers in the sort field: `007 Stove` sorts as text in walk order."""
    return max(3, len(str(len(palace.walk))))
