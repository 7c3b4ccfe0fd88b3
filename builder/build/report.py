"""What a build reports: how much it built (`Counts`), what it changed (`BuildReport`), and
what `build_project` did in the end (`Outcome`), for the CLI and `palace serve` to print."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from builder.errors import Diagnostic
from builder.output import WriteReport

if TYPE_CHECKING:
    from builder.notes.records import Palace


@dataclasses.dataclass(frozen=True, slots=True)
class Counts:
    palaces: int
    rooms: int
    loci: int
    steps: int
    cards: int
    pages: int

    @classmethod
    def of(cls, palaces: Sequence[Palace], cards: int, pages: int) -> Counts:
        loci = sum(len(p.loci) for p in palaces)
        steps = sum(len(p.walk) for p in palaces) - loci
        return cls(len(palaces), sum(len(p.rooms) for p in palaces), loci, steps, cards, pages)

    def __str__(self) -> str:
        return ", ".join(
            _count(n, one, many)
            for n, one, many in (
                (self.palaces, "palace", "palaces"),
                (self.rooms, "room", "rooms"),
                (self.loci, "locus", "loci"),
                (self.steps, "step", "steps"),
                (self.cards, "card", "cards"),
                (self.pages, "page", "pages"),
            )
        )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclasses.dataclass(frozen=True, slots=True)
class BuildReport:
    decks: tuple[str, ...]  # what changed in each deck since the previous build
    written: WriteReport
    counts: Counts
    timings: tuple[tuple[str, float], ...] = ()  # seconds per stage

    def lines(self) -> list[str]:
        return [*self.decks, f"files: {self.written}"]


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What `build_project` did: `report` is None when nothing changed and nothing ran."""

    out: Path
    counts: Counts
    report: BuildReport | None
    diagnostics: tuple[Diagnostic, ...]  # the warnings (replayed when nothing changed)
    seconds: float
    reasons: tuple[str, ...]  # why it was built: what changed since the last build
