"""The Anki decks: one `.apkg` per palace, rendered in memory.

    records ─ notes.py ─▶ deck notes ─ changes.py (+ history.py: the previous deck) ─▶ ids, mods
            ─ package.py ─▶ .apkg bytes

The previous build's decks are the only state: a note keeps its `mod` while its fields stay the
same, and gets a newer one when they change, so Anki's default import ("update if newer")
applies exactly the edits, and an unchanged palace rebuilds byte for byte.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..records import Palace
from .changes import IdSource, LocusRef, PalaceChanges, plan
from .history import read_previous
from .model import ALL_KINDS, Design, design
from .notes import palace_deck
from .package import write_package

__all__ = ["ALL_KINDS", "DeckOutput", "LocusRef", "PalaceChanges", "build_time", "render_decks"]


@dataclass(frozen=True, slots=True)
class DeckOutput:
    """The decks of a build: relative file name → bytes, and what changed per palace."""

    files: dict[str, bytes]
    changes: tuple[PalaceChanges, ...]
    cards: int = 0  # cards in all decks together

    def summary_lines(self) -> list[str]:
        """One line per deck, e.g. `ml-palace.apkg: 2 added, 1 changed, 32 unchanged, 0 removed`."""
        return [change.summary_line() for change in self.changes]


def build_time() -> int:
    """Seconds since the epoch for new and changed notes: `SOURCE_DATE_EPOCH` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch else int(time.time())


def render_decks(
    palaces: tuple[Palace, ...],
    previous_dir: Path | None,
    *,
    kinds: frozenset[str] = ALL_KINDS,
    now: int | None = None,
    deck_prefix: str = "",
) -> DeckOutput:
    """One `.apkg` per palace, `<palace id>.apkg`, plus the changes since the decks in
    `previous_dir` (the previous build's output folder; None or no deck there: a first build).

    `kinds` chooses the card kinds (`place-concept`, `concept-place`, `route`, `sequence`); the
    note type always has all four templates, so changing kinds never changes the note type.
    `now` is the time given to new and changed notes (default: `build_time()`).
    `deck_prefix` (e.g. `Study::ML`) puts every palace's deck under that deck in Anki; deck ids,
    note GUIDs and the note type do not depend on it.
    """
    unknown = kinds - ALL_KINDS
    if unknown:
        raise ValueError(
            f"unknown card kind(s) {', '.join(sorted(unknown))}: "
            f"expected some of {', '.join(sorted(ALL_KINDS))}"
        )
    now = build_time() if now is None else now
    return render(palaces, previous_dir, kinds, now, design(), deck_prefix)


def render(
    palaces: tuple[Palace, ...],
    previous_dir: Path | None,
    kinds: frozenset[str],
    now: int,
    cards: Design,
    deck_prefix: str = "",
) -> DeckOutput:
    """`render_decks` with the card design given (tests use it to change templates and CSS)."""
    ids = IdSource(now)
    files: dict[str, bytes] = {}
    changes: list[PalaceChanges] = []
    count = 0
    for palace in palaces:
        file = f"{palace.id}.apkg"
        previous = read_previous(previous_dir / file if previous_dir else None)
        deck = palace_deck(palace, kinds, deck_prefix)
        planned = plan(deck, previous, cards, now, ids)
        files[file] = write_package(planned, cards)
        changes.append(planned.changes)
        count += sum(len(note.ords) for note in deck.notes)
    return DeckOutput(files, tuple(changes), count)
