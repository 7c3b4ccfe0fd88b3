"""The sync itself, stage by stage (see `builder/sync/__init__.py`)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builder.config import Config
from builder.deck import build_time
from builder.deck.media import media_names
from builder.deck.notes import layout, room_notes
from builder.errors import Diagnostic, PalaceError
from builder.sync.plan import PalacePlan


@dataclass(frozen=True)
class SyncOutcome:
    """What a sync did (or, `dry_run`, would do)."""

    collection: Path
    plans: tuple[PalacePlan, ...]
    note_type: str | None  # "added", "updated" or None: unchanged
    dry_run: bool
    delete: bool
    backup: Path | None
    seconds: float
    diagnostics: tuple[Diagnostic, ...] = ()  # the notes' warnings

    @property
    def changes(self) -> bool:
        return self.note_type is not None or any(self.plans)


def sync(
    sources: Sequence[str],
    config: Config,
    collection: Path,
    *,
    dry_run: bool = False,
    delete: bool = False,
    strict: bool = False,
) -> SyncOutcome:
    """Make the collection at `collection` hold the palaces of `sources` as their decks do.
    Raises NotesError when the notes have errors, PalaceError when the collection cannot be
    changed (open in Anki, too new, a changed note type); it is then unchanged."""
    from builder.notes.load import load_notes
    from builder.sync.engine import backup, in_one_transaction, opened, require_engine

    started = time.perf_counter()
    require_engine()  # before reading anything: say at once how to install it
    # 1. read
    notes = load_notes(sources)
    notes.require_ok(strict)
    # 2. render the notes, room by room, as the deck has them
    names = media_names(None)
    kinds = frozenset(config.card_kinds)
    rendered = []
    for palace in notes.palaces:
        rooms = layout(palace, kinds, config.deck_prefix, names)
        rendered.append(
            (rooms, [n for slot in rooms.rooms for n in room_notes(rooms, slot, names)])
        )
    # 3. open, 4. plan
    from builder.sync.apply import apply_plans, packages
    from builder.sync.held import read_held
    from builder.sync.plan import check_note_type, plan_palace, renamed_palaces

    with opened(collection, copy=dry_run) as col:
        held = read_held(col)
        note_type = check_note_type(held)
        renamed = renamed_palaces(notes.palaces, held)
        if renamed:
            raise PalaceError("\n".join(renamed))
        plans = tuple(
            plan_palace(rooms, deck_notes, held, delete) for rooms, deck_notes in rendered
        )
        outcome = SyncOutcome(collection, plans, note_type, dry_run, delete, None, 0.0)
        made = None
        if outcome.changes and not dry_run:
            # 5. back up, with the packages to import made first: a short transaction
            with tempfile.TemporaryDirectory(prefix="palace-sync-") as folder:
                ready = packages(plans, held, build_time(), Path(folder))
                made = backup(col)
                # 6. apply
                in_one_transaction(col, lambda: apply_plans(col, plans, ready, delete, note_type))
    seconds = time.perf_counter() - started
    return SyncOutcome(
        collection, plans, note_type, dry_run, delete, made, seconds, notes.diagnostics
    )
