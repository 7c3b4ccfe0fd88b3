"""The glossary: a palace's concepts A–Z, each pointing at its place on the walk.

Concepts are sorted and grouped after accent folding (`Äpfel` under A), by their first letter or
digit; leading punctuation (quotes, brackets) is skipped. Only loci are listed: the steps of a
locus belong to its sequence and are found under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..identity import fold
from .pages import RoomView
from .text import plain_text

DIGITS = "0–9"
OTHER = "#"


class Entry(NamedTuple):
    """One concept of the glossary and where it is (templates unpack it in their loops)."""

    concept: str
    description: str
    href: str  # from the palace's folder
    number: int
    place: str
    room: str


@dataclass(frozen=True, slots=True)
class Letter:
    """One group of the glossary: its heading (`A`, `0–9`, `#`), anchor and entries."""

    label: str
    anchor: str
    entries: tuple[Entry, ...]


_LEADING_PUNCTUATION = re.compile(r"[\W_]*")


def _sort_key(concept: str) -> str:
    text = fold(plain_text(concept))
    return text[_LEADING_PUNCTUATION.match(text).end() :]  # type: ignore[union-attr]


@lru_cache(maxsize=1024)
def _group(first: str) -> tuple[str, str]:
    """Label and anchor of the group of a folded sort key, by its first character."""
    if first.isdigit():
        return DIGITS, "_digits"
    if first.isalpha():
        anchor = first if first.isascii() else f"u{ord(first):x}"
        return first.upper(), f"_{anchor}"
    return OTHER, "_other"


def glossary(rooms: tuple[RoomView, ...], links: dict[str, str]) -> tuple[Letter, ...]:
    """A palace's loci grouped by the first letter of their concept, in A–Z order.

    `links` maps each locus id to its URL from the palace's folder (`pages.stop_links`).
    """
    keyed = sorted(
        (_sort_key(locus.concept), locus.number, view.room.name, locus)
        for view in rooms
        for locus in view.loci
    )
    groups: dict[tuple[str, str], list[Entry]] = {}
    for key, number, room, locus in keyed:
        entry = Entry(locus.concept, locus.description, links[locus.id], number, locus.place, room)
        groups.setdefault(_group(key[:1]), []).append(entry)
    order = {DIGITS: "0", OTHER: ""}  # "other" first, then digits, then letters
    labels = sorted(groups, key=lambda group: (order.get(group[0], "1"), group[0]))
    return tuple(Letter(label, anchor, tuple(groups[(label, anchor)])) for label, anchor in labels)
