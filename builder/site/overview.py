"""The two long lists of a palace's overview, one room at a time: its item in the list of rooms
and its table in the walk at a glance (`_overview.html`, `_walk.html`).

Each room's piece is kept between builds (`files.py`), so only the rooms that changed are made
again. They are written here as plain strings, escaped as the templates escape (the notes text
through the same filters, `text.py`): a palace of 500 rooms has 10,000 rows, and a Jinja
template of the same rows, tried, renders the same bytes several times slower in a cold build.
"""

from __future__ import annotations

from builder.site.facts import RoomFacts
from builder.site.pages import RoomView, relative, room_url
from builder.site.render import plural
from builder.site.text import html, link_html


def room_item(room: RoomFacts, page: str) -> bytes:
    """The room's item in the list of rooms on `page` (the palace's page or a one-palace home)."""
    if room.loci:
        meta = plural(room.loci, "locus", "loci")
        if room.steps:
            meta += ", " + plural(room.steps, "step", "steps")
        meta += f" · stops {room.first}–{room.last}"
    else:
        meta = "no loci yet"
    return (
        f'<li>\n<a href="{relative(page, room.path)}"><span class="room-number" '
        f'aria-hidden="true">{room.number}</span> <span class="room-name">'
        f"{link_html(room.room.name)}</span></a>\n"
        f'<span class="meta">{meta}</span>\n</li>\n'
    ).encode()


# A table as wide as its longest words: on a narrow screen it scrolls sideways in its box rather
# than break a word (or a piece of code) in the middle; its links keep the box reachable by Tab.
_TABLE_HEAD = (
    '<div class="cheat-box">\n<table class="cheat">\n<thead><tr><th scope="col" class="num">#</th>'
    '<th scope="col">Locus</th><th scope="col">Concept</th></tr></thead>\n<tbody>\n'
)


def walk_table(view: RoomView) -> bytes:
    """The room's table in the walk at a glance (nothing for a room without loci)."""
    if not view.room.loci:
        return b""
    url = room_url(view)  # from the palace's page: slugs, nothing to escape
    rows = [f"<h3>{html(view.room.name)}</h3>\n", _TABLE_HEAD]
    add = rows.append
    for locus in view.room.loci:
        add(
            f'<tr><td class="num">{locus.number}</td><td><a href="{url}#{locus.id}">'
            f"{link_html(locus.place)}</a></td><td>{html(locus.concept)}</td></tr>\n"
        )
        for step in locus.steps:
            add(
                f'<tr class="step"><td class="num">{step.number}</td><td><a href="'
                f'{url}#{step.id}">{link_html(step.place)}</a></td>'
                f"<td>{html(step.concept)}</td></tr>\n"
            )
    add("</tbody>\n</table>\n</div>\n")
    return "".join(rows).encode()
