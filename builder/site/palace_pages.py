"""The big pages of a palace: its map, its glossary and one page per room.

Each is rendered only when the key of what it shows changed (`SiteFiles.wanted`); the map and
the glossary are joined from one piece per room, kept in the memo (`SiteFiles.pieces`).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from builder.cache.memo import digest
from builder.site.facts import PalaceFacts, RoomFacts
from builder.site.glossary import glossary, room_entries
from builder.site.map import RoomMap, box_key, layout, map_svg, room_map, room_route, route_list
from builder.site.pages import glossary_path, map_path
from builder.site.render import render_page, render_with_parts

if TYPE_CHECKING:
    from builder.site.files import Files, SiteFiles


def map_page(
    files: SiteFiles,
    facts: PalaceFacts,
    key: str,
    context: dict[str, Any],
    outlines: list[Hashable],
) -> Files:
    """The map and the route beside it."""
    boxes, height = layout([r.loci + r.steps for r in facts.rooms])
    map_keys: list[Hashable] = [
        (facts.palace.id, r.outline, r.first, r.number, box_key(box))
        for r, box in zip(facts.rooms, boxes, strict=True)
    ]

    def room(index: int) -> RoomMap:
        return room_map(files.view(facts, index), boxes[index])

    rooms = files.pieces("site.map", map_keys, room)
    routes = files.pieces("site.route", outlines, lambda i: room_route(files.view(facts, i)))
    path = map_path(facts.palace)
    if files.wanted(path, digest(path, key, map_keys)):
        svg = map_svg(rooms, boxes, height, "_map-title")
        parts = {"svg": svg, "route": route_list(routes)}
        yield path, render_with_parts("map.html", path, parts, **context)


def glossary_page(files: SiteFiles, facts: PalaceFacts, key: str, context: dict[str, Any]) -> Files:
    """The palace's concepts A–Z: each shows its description too."""
    entry_keys: list[Hashable] = [
        (facts.palace.id, r.outline, r.texts, r.first) for r in facts.rooms
    ]
    entries = files.pieces(
        "site.glossary", entry_keys, lambda i: room_entries(files.view(facts, i))
    )
    path = glossary_path(facts.palace)
    if files.wanted(path, digest(path, key, entry_keys)):
        letters, groups = glossary(entries)
        parts = {"entries": groups}
        yield path, render_with_parts("glossary.html", path, parts, letters=letters, **context)


def room_pages(files: SiteFiles, facts: PalaceFacts, key: str, context: dict[str, Any]) -> Files:
    """A page per room: all of the room, and the names of the rooms before and after it."""
    rooms = facts.rooms
    for index, room in enumerate(rooms):
        previous = rooms[index - 1] if index > 0 else None
        following = rooms[index + 1] if index + 1 < len(rooms) else None
        shown = (
            len(rooms),
            room.number,
            room.first,
            room.outline,
            room.texts,
            room.extras,
            _neighbour(previous),
            _neighbour(following),
        )
        if files.wanted(room.path, digest(room.path, key, shown)):
            page = render_page(
                "room.html",
                room.path,
                view=files.view(facts, index),
                room_count=len(rooms),
                previous=previous,
                next=following,
                **context,
            )
            yield room.path, page


def _neighbour(room: RoomFacts | None) -> tuple[str, str] | None:
    """What a room page shows of the room before or after it: a link with its name."""
    return None if room is None else (room.room.id, room.room.name)
