"""Carry out a plan with the engine's own operations, all in one transaction (see
`engine.in_one_transaction`):

1. update the note type's templates and CSS in place when they changed (`update_dict`),
   then import a deck of the added and updated notes as `palace build` renders them
   (`packages`, made before the transaction begins), with Anki's default "update if newer"
   (each updated note gets a newer `mod` than the collection's); a collection without the
   note type gets it from the deck;
2. give updated notes back the learner's own tags (an import replaces a note's tags), and
   unsuspend the cards of loci that came back;
3. move cards to their room's deck (`set_deck`);
4. tag and suspend removed loci, or delete them; suspend or delete cards no longer made;
5. remove the room decks left empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from builder.deck.changes import IdSource
from builder.deck.model import MODEL_ID, design, note_type
from builder.deck.package import collection, zipped
from builder.errors import PalaceError
from builder.sync import REMOVED_TAG
from builder.sync.held import Held
from builder.sync.plan import PalacePlan

if TYPE_CHECKING:
    from anki.cards import CardId
    from anki.collection import Collection
    from anki.decks import DeckId
    from anki.notes import NoteId


def packages(plans: Sequence[PalacePlan], held: Held, now: int, folder: Path) -> dict[str, Path]:
    """Palace id → a package of its added and updated notes, written into `folder` by the
    deck's own writer: each updated note with a `mod` newer than the collection's (Anki's
    import updates only then), and the note type with the collection's `mod` when it has it
    (the import then leaves it; `_update_note_type` brings it up to date)."""
    model = note_type(design())
    model_mod = int(held.model["mod"]) if held.model is not None else now
    new_ids = IdSource(now).after(held.max_note_id)
    made = {}
    for plan in plans:
        if plan.added or plan.updated:
            # (note, mod), in walk order as in a deck; every note gets an id of the package's
            # own, CARD_ID_SPACE apart: Anki matches an updated note by its GUID
            chosen = [(note, now) for note in plan.added]
            chosen += [(note, max(old.mod + 1, now)) for note, old in plan.updated]
            chosen.sort(key=lambda pair: pair[0].position)
            placed = [(note, new_ids(), mod) for note, mod in chosen]
            database = folder / f"{plan.palace_id}.anki2"
            collection(database, model, model_mod, plan.layout.decks, placed)
            package = folder / f"{plan.palace_id}.apkg"
            with package.open("wb") as stream:
                zipped(stream, database, plan.layout.media)
            made[plan.palace_id] = package
    return made


def apply_plans(
    col: Collection,
    plans: Sequence[PalacePlan],
    packages: dict[str, Path],
    delete: bool,
    note_type_change: str | None,
) -> None:
    """Change the collection as the plans say (call it inside one transaction)."""
    if note_type_change == "updated":
        _update_note_type(col)
    for plan in plans:
        if plan.palace_id in packages:
            _import(col, plan, packages[plan.palace_id])
        learner_tags: dict[str, list[NoteId]] = {}
        for note_id, tags in plan.learner_tags.items():
            learner_tags.setdefault(tags, []).append(_note(note_id))
        for tags, note_ids in learner_tags.items():
            col.tags.bulk_add(note_ids, tags)
        if plan.returned:
            col.sched.unsuspend_cards([_card(i) for i in plan.returned])
        targets: dict[str, list[CardId]] = {}
        for _, card_ids, deck in plan.moved:
            targets.setdefault(deck, []).extend(_card(i) for i in card_ids)
        for deck, moving in targets.items():
            did = col.decks.id(deck, create=True)
            assert did is not None
            col.set_deck(moving, did)
        removed = [_note(note.id) for note in plan.removed]
        if removed and delete:
            col.remove_notes(removed)
        elif removed:
            col.tags.bulk_add(removed, REMOVED_TAG)
            active = [_card(c.id) for note in plan.removed for c in note.cards if not c.suspended]
            if active:
                col.sched.suspend_cards(active)
        if plan.retired and delete:
            col.remove_cards_and_orphaned_notes([_card(i) for i in plan.retired])
        elif plan.retired:
            col.sched.suspend_cards([_card(i) for i in plan.retired])
        # as planned, and checked again: removing a deck removes its cards and subdecks too
        empty = [_deck(did) for did, _ in plan.empty_decks]
        empty = [did for did in empty if not col.decks.card_count(did, include_subdecks=True)]
        if empty:
            col.decks.remove(empty)


def _update_note_type(col: Collection) -> None:
    """The collection's note type with Palace's templates and CSS (fields and card types are
    the same: `plan.check_note_type` refuses a sync otherwise)."""
    model = col.models.get(MODEL_ID)  # type: ignore[arg-type]
    assert model is not None
    cards = design()
    for template, (front, back) in zip(model["tmpls"], cards.templates, strict=True):
        template["qfmt"], template["afmt"] = front, back
    model["css"] = cards.css
    col.models.update_dict(model)


def _import(col: Collection, plan: PalacePlan, package: Path) -> None:
    """Import the plan's added and updated notes; check that the engine did just that."""
    from anki.import_export_pb2 import (
        IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    options = ImportAnkiPackageOptions(
        merge_notetypes=False,
        update_notes=IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        update_notetypes=IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        with_scheduling=False,
        with_deck_configs=False,
    )
    request = ImportAnkiPackageRequest(package_path=str(package), options=options)
    log = col.import_anki_package(request).log
    if (len(log.new), len(log.updated)) != (len(plan.added), len(plan.updated)):
        raise PalaceError(
            f"{plan.palace_id}: the engine added {len(log.new)} and updated {len(log.updated)} "
            f"notes instead of {len(plan.added)} and {len(plan.updated)}; nothing was changed"
        )


def _note(note_id: int) -> NoteId:
    from anki.notes import NoteId

    return NoteId(note_id)


def _card(card_id: int) -> CardId:
    from anki.cards import CardId

    return CardId(card_id)


def _deck(deck_id: int) -> DeckId:
    from anki.decks import DeckId

    return DeckId(deck_id)
