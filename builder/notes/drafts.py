"""Drafts: what `parse.py` reads from the lines of one notes file, before `assemble.py` gives
everything its id and makes the records. Mutable, as the reader fills them line by line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from builder.errors import Diagnostic
from builder.notes.records import Picture, Room, Stop


class Assembled(NamedTuple):
    """A room's records as the last build in `palace serve` assembled them (`known.py`)."""

    room: Room
    allocations: tuple[tuple[str, str], ...]  # (base, id) of each id allocated, in order
    diagnostics: tuple[Diagnostic, ...]  # about its loci
    walk: tuple[Stop, ...]


@dataclass(slots=True)
class DraftStep:
    place: str
    concept: str
    description: str
    line: int
    pinned: str | None
    pinned_col: int


@dataclass(slots=True)
class DraftLocus:
    place: str
    concept: str
    description: str
    line: int
    col: int
    indent: int
    pinned: str | None
    pinned_col: int
    empty_description_col: int | None = None  # set for `Locus: Concept:` with nothing after
    step_indent: int | None = None  # of its first step: a line indented further is an error
    note: list[str] = field(default_factory=list)
    picture: Picture | None = None
    steps: list[DraftStep] = field(default_factory=list)


@dataclass(slots=True)
class DraftRoom:
    name: str | None  # None: the default room of loci written before any room heading
    line: int
    pinned: str | None
    note: list[str] = field(default_factory=list)
    picture: Picture | None = None
    loci: list[DraftLocus] = field(default_factory=list)
    assembled: Assembled | None = None  # `palace serve`: kept for the next build


@dataclass(slots=True)
class DraftPalace:
    path: str
    title: str | None = None
    title_line: int = 0
    pinned: str | None = None
    rooms: list[DraftRoom] = field(default_factory=list)
    # (id, line, column) of each locus and step id pinned with {#id}, in walk order
    pins: list[tuple[str, int, int]] = field(default_factory=list)
