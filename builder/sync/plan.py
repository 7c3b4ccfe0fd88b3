"""What a sync changes, worked out in full before anything is changed: `--dry-run` prints it,
an empty plan is "nothing to do", and `apply.py` carries it out.

The palace's notes come from `builder.deck` exactly as the `.apkg` holds them (GUIDs, fields,
tags, cards, room decks), so a collection kept by `sync` and one that imported the deck are
interchangeable. A note of the collection belongs to a palace when it has Palace's note type,
its `Id` field starts with `<palace id>/` and its GUID is the one that Id gives: nothing else
is ever touched.
"""

from __future__ import annotations

import html
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from builder.deck.advice import id_from_file, places_by_palace, renamed_from
from builder.deck.model import CARD_KINDS, FIELDS, checksum_of_model_json, design
from builder.deck.notes import DeckNote, Layout, deck_name_part, is_room_deck_part, note_guid
from builder.errors import PalaceError
from builder.sync import REMOVED_TAG
from builder.sync.held import Held, HeldNote, norm

if TYPE_CHECKING:
    from builder.notes.records import Palace

_PALACE, _ROOM = FIELDS.index("Palace"), FIELDS.index("Room")


@dataclass
class PalacePlan:
    """One palace's changes. Moves, removals and retirements name what exists already."""

    palace_id: str
    layout: Layout
    added: list[DeckNote] = field(default_factory=list)
    updated: list[tuple[DeckNote, HeldNote]] = field(default_factory=list)
    moved: list[tuple[DeckNote, list[int], str]] = field(default_factory=list)  # cards → deck
    removed: list[HeldNote] = field(default_factory=list)
    returned: list[int] = field(default_factory=list)  # cards to unsuspend: the locus is back
    retired: list[int] = field(default_factory=list)  # cards of a kind no longer made
    learner_tags: dict[int, str] = field(default_factory=dict)  # note id → tags to keep
    empty_decks: list[tuple[int, str]] = field(default_factory=list)  # deepest first

    def __bool__(self) -> bool:
        """Does the plan change anything?"""
        changes = (self.added, self.updated, self.moved, self.removed, self.returned)
        return any(changes) or bool(self.retired or self.empty_decks)


def check_note_type(held: Held) -> str | None:
    """ "added" or "updated" when the sync brings the note type's templates and CSS, None when
    the collection has them. Raises PalaceError when the learner changed its fields or card
    types in Anki: an import would then make a second note type and skip every note."""
    model = held.model
    if model is None:
        return "added"
    fields = [f["name"] for f in model.get("flds", [])]
    templates = [t["name"] for t in model.get("tmpls", [])]
    if fields != list(FIELDS) or templates != [kind.template for kind in CARD_KINDS]:
        raise PalaceError(
            f"the note type '{model.get('name')}' in the collection has other fields or card "
            "types than Palace's (changed in Anki?): syncing would make a second note type; "
            "restore them in Anki (Tools → Manage Note Types), then sync again"
        )
    return None if checksum_of_model_json(model) == design().checksum else "updated"


def renamed_palaces(palaces: Sequence[Palace], held: Held) -> list[str]:
    """A problem for each palace whose id is its file's name, that the collection has no note
    of, and whose places are mostly those of a palace it has and the notes no longer do: its
    file was renamed, and a sync would add every note beside the learner's."""
    old = places_by_palace(note.field_id for note in held.notes.values())  # as Anki has them
    gone = {pid: old[pid] for pid in sorted(old.keys() - {p.id for p in palaces})}  # in order
    problems = []
    for palace in palaces:
        if palace.id in old or not id_from_file(palace):
            continue
        old_id = renamed_from({stop.id for stop in palace.walk}, gone)
        if old_id is not None:
            problems.append(
                f"{palace.source}: the collection has the places of '{old_id}', which the notes "
                f"no longer have: the palace's id is now '{palace.id}' (its file renamed?), so "
                f"a sync would add its {len(palace.walk)} notes beside those. End its title "
                f"line with {{#{old_id}}} to keep them, or with another id to make it a new "
                "palace; nothing was changed"
            )
    return problems


def plan_palace(layout: Layout, notes: list[DeckNote], held: Held, delete: bool) -> PalacePlan:
    """The changes that make the collection hold `notes` (one palace, walk order)."""
    palace_id = layout.palace.id
    plan = PalacePlan(palace_id, layout)
    deck_names = dict(layout.decks)
    wanted = {note.guid for note in notes}
    clashes = sorted(wanted & held.others.keys())
    if clashes:
        raise PalaceError(
            f"{palace_id}: {len(clashes)} of its notes have another note type in the collection "
            "(a second 'Palace locus' made by an earlier import?): change them back to "
            "'Palace locus' in Anki's Browse (Notes → Change Note Type), then sync again"
        )
    leaving: Counter[int] = Counter()  # deck id → palace cards that leave it
    homes: dict[int, set[tuple[str, str]]] = {}  # deck id → (title, room) of notes there
    for note in notes:
        old = held.notes.get(note.guid)
        if old is None:
            plan.added.append(note)
            continue
        palace_tags = {t.casefold() for t in old.tags if _is_palace_tag(t, palace_id)}
        returning = REMOVED_TAG in old.tags
        have = {card.ord for card in old.cards}
        if (
            _stored(note.flds, held) != old.flds
            or palace_tags != {t.casefold() for t in note.tags.split()}
            or returning
            or note.ords & ~sum(1 << o for o in have)
        ):
            plan.updated.append((note, old))
            keep = [t for t in old.tags if t != REMOVED_TAG and not _is_palace_tag(t, palace_id)]
            if keep:
                plan.learner_tags[old.id] = " ".join(keep)
        if returning:
            plan.returned.extend(card.id for card in old.cards if card.suspended)
        target = deck_names[note.deck]
        away = [card for card in old.cards if norm(held.decks.get(card.home, "")) != norm(target)]
        if away:
            plan.moved.append((note, [card.id for card in away], target))
            for card in away:
                leaving[card.home] += 1
                homes.setdefault(card.home, set()).add(_room_of(old))
        lost = [card for card in old.cards if not note.ords >> card.ord & 1]
        plan.retired.extend(card.id for card in lost if delete or not card.suspended)
    for old in held.notes.values():
        if old.guid in wanted or not old.field_id.startswith(f"{palace_id}/"):
            continue
        if old.guid != note_guid(palace_id, old.field_id.split("/", 1)[1]):
            continue  # a copy made in Anki, not Palace's note
        if delete or REMOVED_TAG not in old.tags or not all(c.suspended for c in old.cards):
            plan.removed.append(old)
        if delete:
            for card in old.cards:
                leaving[card.home] += 1
                homes.setdefault(card.home, set()).add(_room_of(old))
    if delete:  # retired cards deleted leave their decks too
        retired = set(plan.retired).difference(*(ids for _, ids, _ in plan.moved))
        for note in notes:
            old = held.notes.get(note.guid)
            for card in old.cards if old else ():
                if card.id in retired:
                    leaving[card.home] += 1
    plan.empty_decks = _emptied(held, leaving, homes, deck_names.values())
    return plan


def _emptied(
    held: Held,
    leaving: Counter[int],
    homes: dict[int, set[tuple[str, str]]],
    wanted_names: Iterable[str],
) -> list[tuple[int, str]]:
    """Room decks Palace made that the sync leaves without cards or subdecks, deepest first,
    and the palace decks above them that are left empty too (after a new title)."""
    keep: set[str] = set()
    for name in wanted_names:
        levels = name.split("::")
        keep.update(norm("::".join(levels[: i + 1])) for i in range(len(levels)))
    children: dict[int, set[int]] = {}
    for child, parent in held.parents.items():
        children.setdefault(parent, set()).add(child)
    gone: list[tuple[int, str]] = []
    titles: dict[int, set[str]] = {}  # parent deck → palace titles of the rooms removed
    for did, count in leaving.items():
        name = held.decks.get(did, "")
        if not name or norm(name) in keep or held.cards_in[did] > count:
            continue
        if children.get(did) or not any(_made(name, *room) for room in homes.get(did, ())):
            continue
        gone.append((did, name))
        above = held.parents.get(did)
        if above is not None:
            titles.setdefault(above, set()).update(title for title, _ in homes[did])
    removed = {did for did, _ in gone}
    for parent, names in titles.items():
        name = held.decks[parent]
        level = norm(name.rsplit("::", 1)[-1])
        if norm(name) in keep or held.cards_in[parent] or parent == 1:
            continue
        if children.get(parent, set()) <= removed and level in {norm(t) for t in names}:
            gone.append((parent, name))
    return gone


def _made(deck: str, title: str, room: str) -> bool:
    """Is `deck` the subdeck Palace made for `room` of the palace `title`: `…::Title::07 Room`
    (or, before 0.2, `…::Title::Room`)?"""
    levels = [norm(level) for level in deck.split("::")]
    if len(levels) < 2 or levels[-2] != norm(title):
        return False
    return is_room_deck_part(levels[-1], norm(room))


def _room_of(note: HeldNote) -> tuple[str, str]:
    """The palace title and room name a note was filed under, as deck name levels."""
    fields = note.flds.split("\x1f")
    if len(fields) <= _ROOM:
        return ("", "")
    title = deck_name_part(html.unescape(fields[_PALACE]), "")
    return title, deck_name_part(html.unescape(fields[_ROOM]), "")


def _is_palace_tag(tag: str, palace_id: str) -> bool:
    folded, mine = tag.casefold(), palace_id.casefold()
    return folded == mine or folded.startswith(f"{mine}::")


def _stored(flds: str, held: Held) -> str:
    """Fields as Anki stores them."""
    return unicodedata.normalize("NFC", flds) if held.normalizes else flds
