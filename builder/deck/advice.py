"""What a rebuilt deck asks of the learner in Anki, said by the build: an import adds and
updates notes but never moves a card to another deck and never deletes one.

- a room renamed or renumbered: its cards stay in the subdeck of its old name, so rename that
  subdeck in Anki before importing (Anki then files the import under the same deck);
- a locus moved to another room: its cards stay in the old room's subdeck (Change Deck);
- a locus removed: its notes stay in Anki (found by their Id field);
- a card no longer made (a step's Place → Concept card, or a kind left out of `card_kinds`):
  Anki keeps it; Tools → Empty Cards deletes those whose template is now empty;
- a palace's id changed (its file renamed): its notes are new to Anki, so pin the old id.

`palace sync` does all of this itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence, Set
from operator import itemgetter
from pathlib import Path, PurePosixPath

from builder.deck.changes import Comparison, PalaceChanges
from builder.deck.history import PreviousNote, read_previous
from builder.deck.model import CARD_KINDS, FIELDS
from builder.deck.notes import DeckNote, LocusRef
from builder.errors import PalaceError, listed
from builder.notes.identity import slugify
from builder.notes.records import Palace

_LISTED = 5  # names listed in one line
_PARENT = FIELDS.index("Parent")


def advice(
    decks: Sequence[tuple[int, str]],
    old_decks: Mapping[int, str],
    comparison: Comparison,
    old_notes: Mapping[str, PreviousNote],
    palace_id: str,
    removed: Sequence[LocusRef],
) -> tuple[str, ...]:
    """Lines for the build's report: what to do in Anki so that it matches the new deck."""
    names = dict(decks)
    placed: Iterable[tuple[DeckNote, int, int]] = comparison.placed
    if all(old_decks.get(deck, name) == name for deck, name in decks):
        # No deck renamed: a note whose row is kept keeps its deck and cards, so only notes
        # written again can have moved or lost cards (those kept tell which decks keep notes)
        placed = comparison.rewritten
    moves: dict[tuple[str, str], list[LocusRef]] = {}  # (deck in Anki, deck now) → stops
    stayed: set[str] = set()  # decks in Anki that keep some of their notes
    empty = [0] * len(CARD_KINDS)  # cards whose template is now empty for their note
    dropped = [0] * len(CARD_KINDS)  # cards of a kind no longer chosen
    for note, _, _ in placed:
        old = old_notes.get(note.guid)
        if old is None:
            continue
        old_name, new_name = old_decks.get(old.deck), names[note.deck]
        if old_name == new_name:
            stayed.add(new_name)
        elif old_name and note.ords:
            moves.setdefault((old_name, new_name), []).append(note.ref)
        lost = old.ords & ~note.ords
        if lost:
            is_step = note.flds.split("\x1f")[_PARENT] != ""
            for order in range(len(CARD_KINDS)):
                if lost >> order & 1:
                    (empty if order == 0 and is_step else dropped)[order] += 1
    if moves and placed is not comparison.placed:
        kept = comparison.kept_rows
        stayed.update(names[note.deck] for note, _, _ in comparison.placed
                      if note.guid in kept and note.deck in old_decks)  # fmt: skip
    # A deck whose notes all go to one deck that Anki does not have yet: the room was renamed
    # (or renumbered), and renaming the deck in Anki files every card where it now belongs.
    targets: dict[str, set[str]] = {}
    for old_name, new_name in moves:
        targets.setdefault(old_name, set()).add(new_name)
    known = set(old_decks.values())
    renamed = {
        old_name: new_name
        for old_name, (new_name, *more) in targets.items()
        if not more and old_name not in stayed and new_name not in known
    }
    moved = [(ref, new_name) for (old_name, new_name), refs in moves.items()
             if renamed.get(old_name) != new_name for ref in refs]  # fmt: skip
    lines = []
    if renamed:  # every one of them: each is a rename to do
        lines.append(
            "rooms renamed or renumbered: before importing, rename these decks in Anki "
            "(Anki never moves cards on import):"
        )
        lines.extend(
            f"  '{old}' → '{new}'"
            for old, new in sorted(_parents(renamed, known).items(), key=itemgetter(1))
        )
    if moved:
        which = [f"{ref.name} to '{deck}'" for ref, deck in moved]
        lines.append(
            f"{len(moved)} moved to another room: after importing, move their cards in Anki's "
            f"Browse with Change Deck: {listed(which, _LISTED)}"
        )
    if removed:
        searches = [f'"Id:{palace_id}/{ref.id}"' for ref in removed]
        lines.append(
            "removed from the notes, still in Anki: find them in Browse with "
            f"{listed(searches, _LISTED, ' or ')}, then suspend or delete them"
        )
    if any(empty):
        lines.append(
            f"{sum(empty)} cards of steps are no longer made (a step is asked by its Sequence "
            "card): after importing, Tools → Empty Cards in Anki deletes them"
        )
    for kind, count in zip(CARD_KINDS, dropped, strict=True):
        if count:
            lines.append(
                f"{count} {kind.template} cards are no longer made (card_kinds): find them in "
                f'Browse with "card:{kind.template}" "Id:{palace_id}/*" and suspend or delete them'
            )
    return tuple(lines)


def _parents(renamed: dict[str, str], known: set[str]) -> dict[str, str]:
    """The renames, with one of a parent deck for its subdecks when most change the same way
    (a new title or `deck_prefix`): Anki renames a deck's subdecks with it. Said only when it
    renames every subdeck Anki has under it; the others' renames then start from its new name."""
    groups: dict[tuple[str, str], int] = {}  # (old parent, new parent) → subdecks it renames
    for old, new in renamed.items():
        old_parts, new_parts = old.split("::"), new.split("::")
        same = 0  # trailing parts alike, leaving each a parent
        while same < min(len(old_parts), len(new_parts)) - 1 and (
            old_parts[-1 - same] == new_parts[-1 - same]
        ):
            same += 1
        if same:
            parents = ("::".join(old_parts[:-same]), "::".join(new_parts[:-same]))
            groups[parents] = groups.get(parents, 0) + 1
    for (old_parent, new_parent), count in sorted(groups.items(), key=lambda g: -g[1]):
        inside = old_parent + "::"
        if count > 1 and all(name in renamed for name in known if name.startswith(inside)):
            said = {old_parent: new_parent}
            for old, new in renamed.items():
                after = new_parent + old[len(old_parent) :] if old.startswith(inside) else old
                if after != new:
                    said[after] = new
            return said
    return renamed


def id_from_file(palace: Palace) -> bool:
    """Whether the palace's id is its file's name (not pinned): renaming the file changes it."""
    return palace.id == slugify(PurePosixPath(palace.source).stem, "palace")


def places_by_palace(ids: Iterable[str]) -> dict[str, set[str]]:
    """Palace id → its stop ids, from notes' Id fields (`<palace id>/<stop id>`)."""
    found: dict[str, set[str]] = {}
    for field in ids:
        palace_id, _, stop_id = field.partition("/")
        found.setdefault(palace_id, set()).add(stop_id)
    return found


def renamed_from(places: Set[str], old: Mapping[str, Set[str]]) -> str | None:
    """The palace id in `old` (id → its stop ids) whose stops are at least half in `places`:
    the same palace under another id."""
    return next(
        (old_id for old_id, stops in old.items() if len(places & stops) * 2 >= len(stops)), None
    )


def renamed(
    palaces: Sequence[Palace],
    changes: Sequence[PalaceChanges],
    previous_dir: Path | None,
    owned: Collection[str] | None,
) -> tuple[PalaceChanges, ...]:
    """`changes`, saying so of a new deck whose places are mostly those of a deck the previous
    build wrote and this one does not: the palace's id, which comes from its file name unless
    pinned, changed, and so did its notes' GUIDs. Anki would take every note as new."""
    written = {change.file for change in changes}
    gone = [name for name in sorted(owned or ()) if name.endswith(".apkg") and name not in written]
    new = [
        change
        for palace, change in zip(palaces, changes, strict=True)
        if change.added and not (change.changed or change.unchanged or change.removed)
        and id_from_file(palace)
    ]  # fmt: skip
    if previous_dir is None or not gone or not new:
        return tuple(changes)
    ids: list[str] = []  # the Id fields of the notes of the decks gone
    for name in gone:
        try:
            deck = read_previous(previous_dir / name)
        except PalaceError:
            continue  # damaged since: nothing to compare with
        ids += [note.flds.partition("\x1f")[0] for note in deck.notes.values()] if deck else []
    old = places_by_palace(ids)
    said = {}
    for change in new:
        old_id = renamed_from({ref.id for ref in change.added}, old)
        if old_id is not None:
            said[change.file] = (
                f"the places of '{old_id}', whose deck this build no longer writes: the "
                f"palace's id is now '{change.palace_id}' (its file renamed?). If Anki has "
                f"the notes of '{old_id}', this deck would add its {len(change.added)} notes "
                f"beside them: to keep those, end its title line with {{#{old_id}}} and "
                "build again",
            )
    return tuple(change._replace(advice=change.advice + said.get(change.file, ()))
                 for change in changes)  # fmt: skip
