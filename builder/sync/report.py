"""What `palace sync` says.

A dry run names every change it would make; a sync names at most `NAMED` stops per line (the
rest as a count), since a first sync of a large palace adds thousands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from builder.config import Config
from builder.deck.changes import stored_ref
from builder.deck.model import MODEL_NAME
from builder.errors import Diagnostic, listed
from builder.sync import REMOVED_TAG
from builder.sync.pipeline import SyncOutcome, sync
from builder.sync.plan import PalacePlan
from builder.sync.where import collection_path

NAMED = 10


def run_sync(
    sources: Sequence[str],
    config: Config,
    *,
    profile: str | None,
    collection: str | None,
    dry_run: bool,
    delete: bool,
    strict: bool,
) -> tuple[tuple[Diagnostic, ...], list[str]]:
    """Sync; return the notes' warnings and the lines to print."""
    path = collection_path(profile, collection)
    outcome = sync(sources, config, path, dry_run=dry_run, delete=delete, strict=strict)
    return outcome.diagnostics, report(outcome)


def report(outcome: SyncOutcome) -> list[str]:
    """What changed (or would change), palace by palace."""
    where = outcome.collection.as_posix()
    if not outcome.changes:
        return [
            *(f"{plan.palace_id}: nothing to do" for plan in outcome.plans),
            f"nothing to change: {where} holds the palaces as the notes say",
        ]
    every = outcome.dry_run
    lines = []
    if every:
        lines.append(f"dry run: {where} is unchanged; palace sync would make these changes:")
    for plan in outcome.plans:
        lines += palace_lines(plan, outcome.delete, every)
    if outcome.note_type:
        lines.append(f"note type '{MODEL_NAME}': {outcome.note_type} (its templates and CSS)")
    if not outcome.dry_run:
        if outcome.backup is not None:
            lines.append(f"backup: {outcome.backup.as_posix()}")
        lines.append(f"synced {where} in {outcome.seconds:.1f} s")
    return lines


def palace_lines(plan: PalacePlan, delete: bool, every: bool) -> list[str]:
    """`ml-palace: 1 added, 2 updated, 3 moved, 1 removed`, then the stops of each."""
    if not plan:
        return [f"{plan.palace_id}: nothing to do"]
    lines = [
        f"{plan.palace_id}: {len(plan.added)} added, {len(plan.updated)} updated, "
        f"{len(plan.moved)} moved, {len(plan.removed)} removed"
    ]

    def named(what: str, names: Iterable[str]) -> None:
        shown = list(names)
        if shown:
            lines.append(f"  {what}: {listed(shown, len(shown) if every else NAMED)}")

    named("added", (note.ref.name for note in plan.added))
    named("updated", (note.ref.name for note, _ in plan.updated))
    targets: dict[str, list[str]] = {}
    for note, _, deck in plan.moved:
        targets.setdefault(deck, []).append(note.ref.name)
    for deck, names in targets.items():
        named(f"moved to '{deck}'", names)
    how = "deleted" if delete else f"tagged {REMOVED_TAG}, cards suspended"
    named(f"removed, {how}", (stored_ref(note.flds).name for note in plan.removed))
    if plan.returned:
        lines.append(f"  back in the notes: {len(plan.returned)} cards unsuspended")
    if plan.retired:
        done = "deleted" if delete else "suspended"
        lines.append(f"  cards of a kind no longer made: {len(plan.retired)} {done}")
    named("subdecks removed (left empty)", (f"'{name}'" for _, name in plan.empty_decks))
    return lines
