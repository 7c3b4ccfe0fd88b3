"""The glossary: a palace's concepts A–Z, each pointing at its place on the walk.

Concepts are sorted and grouped after accent folding (`Äpfel` under A), by their first letter or
digit; leading punctuation (quotes, brackets) is skipped. Only loci are listed: the steps of a
locus belong to its sequence and are found under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..identity import fold
from .pages import RoomView
from .text import link_text, markdown, plain_text

DIGITS = "0–9"
OTHER = "#"


Entry = tuple[str, int, bytes]
"""One concept of the glossary: its sort key, its number on the walk, and its `<dt>` and `<dd>`
(a plain tuple: kept between builds)."""


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


def room_entries(view: RoomView, links: dict[str, str]) -> tuple[Entry, ...]:
    """The glossary's entries of a room's loci; `links` maps each locus id to its URL from the
    palace's folder (`pages.room_links`)."""
    room = link_text(view.room.name)
    entries = []
    for locus in view.loci:
        description = f"{markdown(locus.description)} " if locus.description else ""
        html = (
            f"<dt>{markdown(locus.concept)}</dt>\n<dd>{description}"
            f'<a class="place" href="{links[locus.id]}">{locus.number} · '
            f"{link_text(locus.place)}, {room}</a></dd>\n"
        )
        entries.append((_sort_key(locus.concept), locus.number, html.encode()))
    return tuple(entries)


def glossary(rooms: Iterable[tuple[Entry, ...]]) -> tuple[list[tuple[str, str]], list[bytes]]:
    """A palace's loci grouped by the first letter of their concept, in A–Z order: the groups'
    (label, anchor) and the glossary as pieces to join, from each room's `room_entries`."""
    groups: dict[tuple[str, str], list[bytes]] = {}
    for key, _, html in sorted(entry for entries in rooms for entry in entries):
        groups.setdefault(_group(key[:1]), []).append(html)
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
