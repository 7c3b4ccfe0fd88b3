"""The records every output is built from: palace → rooms → loci → steps, plus the walk.

Records are frozen and hold tuples, so a stage can share them freely. Each carries the line it
came from, so later stages can still point at the notes. Text fields hold the owner's words
exactly as written (inline Markdown, rendered by the deck and the site). Places on the walk are
numbered once, here (from 1, a locus before its steps): the deck and the site only read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Python-Markdown's inline pass copies the rest of a field at each piece of syntax it finds,
# and looks for the end of a link from each `](` to the end of the field: a field of nothing
# but syntax takes time that grows with the square of its length. So a field has at most
# MAX_FIELD characters and MAX_LINKS links; the notes reader reports longer ones
# (`assemble`), and rendering shows them as text (`markup.inline`).
MAX_FIELD = 10_000
MAX_LINKS = 50


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture attached to a locus or room: `![alt](path)` on its own line."""

    alt: str
    path: str  # as written in the notes, relative to the notes file
    name: str  # path relative to the source folder, POSIX style: stable across machines
    file: Path  # where it is on disk
    line: int


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a locus with steps: `Place: step # description`, indented under it."""

    id: str
    place: str
    concept: str
    description: str
    number: int  # on the walk
    index: int  # among its locus's steps, from 1
    line: int


@dataclass(frozen=True, slots=True)
class Locus:
    """One stop of the walk: a place, the concept it holds, and how to remember it."""

    id: str
    place: str
    concept: str
    description: str
    note: str | None
    picture: Picture | None
    steps: tuple[Step, ...]
    number: int  # on the walk; its steps follow it
    line: int


@dataclass(frozen=True, slots=True)
class Room:
    """A room of the palace: a heading (`## Room`) and the loci under it, in walk order."""

    id: str
    name: str
    note: str | None
    picture: Picture | None
    loci: tuple[Locus, ...]
    number: int  # among the palace's rooms, from 1
    first: int  # its stops are first..last on the walk; without loci, last = first - 1
    last: int
    line: int  # 0 for the default room of loci written before any room heading

    @property
    def stops(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True, slots=True)
class Stop:
    """A place on the walk: a locus, or one step of a locus."""

    room: Room
    locus: Locus
    step: Step | None = None

    @property
    def number(self) -> int:
        return self.step.number if self.step else self.locus.number

    @property
    def id(self) -> str:
        return self.step.id if self.step else self.locus.id

    @property
    def place(self) -> str:
        return self.step.place if self.step else self.locus.place

    @property
    def concept(self) -> str:
        return self.step.concept if self.step else self.locus.concept

    @property
    def description(self) -> str:
        return self.step.description if self.step else self.locus.description

    @property
    def line(self) -> int:
        return self.step.line if self.step else self.locus.line


@dataclass(frozen=True, slots=True)
class Palace:
    """One notes file: a title, its rooms in walk order, and the walk through every stop."""

    id: str
    title: str
    source: str  # the notes file, as the user named it (POSIX style)
    rooms: tuple[Room, ...]
    walk: tuple[Stop, ...]

    @property
    def loci(self) -> tuple[Locus, ...]:
        return tuple(locus for room in self.rooms for locus in room.loci)

    def stop(self, number: int) -> Stop | None:
        """The stop numbered `number` on the walk, or None outside it."""
        return self.walk[number - 1] if 0 < number <= len(self.walk) else None

    def previous(self, stop: Stop) -> Stop | None:
        """The stop before `stop` on the walk, or None at the start."""
        return self.stop(stop.number - 1)

    def next(self, stop: Stop) -> Stop | None:
        """The stop after `stop` on the walk, or None at the end."""
        return self.stop(stop.number + 1)


def room_walk(room: Room) -> tuple[Stop, ...]:
    """The stops of one room in route order: a locus, then its steps, then the next locus."""
    stops: list[Stop] = []
    for locus in room.loci:
        stops.append(Stop(room, locus))
        stops.extend(Stop(room, locus, step) for step in locus.steps)
    return tuple(stops)
