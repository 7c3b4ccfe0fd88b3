"""The glossary: a palace's concepts A–Z, each pointing at its place on the walk.

Concepts are sorted and grouped after accent folding (`Äpfel` under A), by their first letter or
digit; leading punctuation (quotes, brackets) is skipped. Only loci are listed: the steps of a
locus belong to its sequence and are found under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain

from builder.notes.identity import fold
from builder.site.pages import RoomView, room_url
from builder.site.text import html, link_html, plain_text

DIGITS = "0–9"
OTHER = "#"


RoomEntries = tuple[tuple[str, ...], tuple[bytes, ...]]
"""The glossary's entries of a room's loci in walk order: their sort keys, and their `<dt>` and
`<dd>` (plain tuples, kept between builds: two per room load faster than one per entry)."""


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


def room_entries(view: RoomView) -> RoomEntries:
    """The glossary's entries of a room's loci."""
    room = link_html(view.room.name)
    url = room_url(view)
    keys, entries = [], []
    for locus in view.room.loci:
        description = f"{html(locus.description)} " if locus.description else ""
        entry = (
            f"<dt>{html(locus.concept)}</dt>\n<dd>{description}"
            f'<a class="place" href="{url}#{locus.id}">{locus.number} · '
            f"{link_html(locus.place)}, {room}</a></dd>\n"
        )
        keys.append(_sort_key(locus.concept))
        entries.append(entry.encode())
    return tuple(keys), tuple(entries)


def glossary(rooms: Iterable[RoomEntries]) -> tuple[list[tuple[str, str]], list[bytes]]:
    """A palace's loci grouped by the first letter of their concept, in A–Z order: the groups'
    (label, anchor) and the glossary as pieces to join, from each room's `room_entries` in walk
    order. Loci with the same sort key stay in walk order (the sort is stable)."""
    rooms = list(rooms)
    keys = list(chain.from_iterable(keys for keys, _ in rooms))
    entries = list(chain.from_iterable(entries for _, entries in rooms))
    groups: dict[tuple[str, str], list[bytes]] = {}
    for index in sorted(range(len(keys)), key=keys.__getitem__):
        groups.setdefault(_group(keys[index][:1]), []).append(entries[index])
    order = {DIGITS: "0", OTHER: ""}  # "other" first, then digits, then letters
    labels = sorted(groups, key=lambda group: (order.get(group[0], "1"), group[0]))
    parts: list[bytes] = []
    for label, anchor in labels:
        parts.append(
            f'<h2 class="letter" id="{anchor}">{label}</h2>\n<dl class="glossary">\n'.encode()
        )
        parts += groups[(label, anchor)]
        parts.append(b"</dl>\n")
    return labels, parts
