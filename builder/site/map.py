"""The palace as a map: an SVG drawn from the records, no hand layout, and the route as a list.

Rooms are boxes in walk order on a grid of `ROOM_COLUMNS` columns, filled in serpentine order
(left to right, then the next row right to left, …) so consecutive rooms always touch. Inside
a room the stops (loci and steps) stand one under the other, each with its place's name beside
it as text (phones have no hover, so no name lives only in a tooltip), on the side the walk
comes in from: a room entered from the left has its stops on the left and their names to the
right, and the other way round. One route line joins every stop in walk order; between rooms
it leaves the last stop downwards and runs through the gutters to the next room's first stop,
so it never crosses a stop or a name. Every stop is a link to its locus (or step) on its room
page, every room name a link to the room page.

The layout depends only on the number of rooms and of stops in each, so the same notes always
give the same bytes, and it is linear in the size of the palace. The map is as wide as a
phone's screen (`WIDTH`), so its text is shown at about its own size there. Colours come from
the stylesheet (`.map …`, CSS custom properties), so the map follows the light and dark themes
and prints in black and white.

Beside the map, `route_list` is the same walk as nested ordered lists (rooms, loci, steps), the
text equivalent of the drawing. Both are written here rather than in a template: a palace of
10,000 stops makes 10,000 of each, and plain string building is several times faster.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import NamedTuple

from markupsafe import Markup

from builder.site.pages import RoomView, map_path, relative, room_url
from builder.site.render import joined
from builder.site.text import html, link_html, plain_text

ROOM_COLUMNS = 2
CELL = 36  # distance between neighbouring stops
PAD = 10  # inside a room box, around its stops
HEADER = 44  # a room's name: up to two lines above its stops
GUTTER = 20  # between room boxes
MARGIN = 12  # around the map: the route may run here
ROOM_WIDTH = 158
WIDTH = 2 * MARGIN + ROOM_COLUMNS * ROOM_WIDTH + (ROOM_COLUMNS - 1) * GUTTER
ONE_PAGE = 1600  # a map up to this tall prints whole on one page; taller ones run on
NAME_SIZE = 12.5
# A stop's class and the radius of its circle: loci large, steps small.
LOCUS, STEP = ("map-locus", 14), ("map-step", 11)
RADIUS = 14  # of the largest circle: where names begin
LABEL_GAP = 6  # between a circle and its name
LINE_CHARACTERS = int((ROOM_WIDTH - 2 * PAD) / (NAME_SIZE * 0.58))  # of a bold system font
LABEL_SIZE = 12
LABEL_CHARACTERS = int((ROOM_WIDTH - 2 * PAD - 2 * RADIUS - LABEL_GAP) / (LABEL_SIZE * 0.55))


class _Box(NamedTuple):
    x: int
    y: int
    height: int
    from_left: bool  # the walk comes in from the left: the first row runs left to right


def _room_height(stops: int) -> int:
    rows = max(1, stops)
    return HEADER + rows * CELL + PAD // 2


def _boxes(counts: list[int]) -> tuple[list[_Box], int]:
    """Where each room's box goes, and the height of the map."""
    boxes: list[_Box] = []
    y = MARGIN
    for start in range(0, len(counts), ROOM_COLUMNS):
        row = start // ROOM_COLUMNS
        heights = [_room_height(count) for count in counts[start : start + ROOM_COLUMNS]]
        for position, height in enumerate(heights):
            column = position if row % 2 == 0 else ROOM_COLUMNS - 1 - position
            x = MARGIN + column * (ROOM_WIDTH + GUTTER)
            boxes.append(_Box(x, y, height, from_left=row % 2 == 0))
        y += max(heights) + GUTTER
    return boxes, max(y - GUTTER + MARGIN, 2 * MARGIN)


def _connector(last: tuple[int, int], last_box: _Box, first: tuple[int, int], box: _Box) -> str:
    """The route from a room's last stop to the next room's first: down out of the room, then
    along the gutter on the side the next room is entered from."""
    below = last_box.y + last_box.height + GUTTER // 2
    side = box.x - GUTTER // 2 if box.from_left else box.x + ROOM_WIDTH + GUTTER // 2
    return f"M{last[0]} {last[1]}V{below}H{side}V{first[1]}H{first[0]}"


def _name_lines(name: str, width: int = LINE_CHARACTERS) -> list[str]:
    """A name in at most two lines of `width` characters; what does not fit ends in `…`."""
    lines: list[str] = []
    words = name.split()
    while words and len(lines) < 2:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= width:
            line += " " + words.pop(0)
        lines.append(line)
    if words or any(len(line) > width for line in lines):
        last = lines[-1] if not words else lines[-1] + " " + " ".join(words)
        lines[-1] = last[: width - 1].rstrip() + "…"
    return [line[:width] for line in lines] or [""]


def _label(place: str, x: int, y: int, from_left: bool) -> str:
    """A stop's name beside its circle: one line, or two around its centre."""
    lines = _name_lines(place, LABEL_CHARACTERS)
    at = x + RADIUS + LABEL_GAP if from_left else x - RADIUS - LABEL_GAP
    side = "" if from_left else " map-label-end"
    first = y if len(lines) == 1 else y - 7
    spans = "".join(
        f'<tspan x="{at}" y="{first + 14 * i}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text class="map-label{side}" aria-hidden="true">{spans}</text>'


RoomMap = tuple[bytes, bytes, str, tuple[int, ...]]
"""A room's part of the map: its box and name, its stops, its part of the route line and the
first and last of its stops' centres (`()` without stops). Plain tuples: kept between builds."""


def box_key(box: _Box) -> tuple[int, int, int, bool]:
    return (box.x, box.y, box.height, box.from_left)


def room_map(view: RoomView, box: _Box) -> RoomMap:
    """A room of the map in `box` (see `layout`)."""
    name = plain_text(view.room.name)
    label = escape(f"Room {view.room.number}: {name}", quote=False)
    lines = _name_lines(name)
    text = "".join(
        f'<tspan x="{box.x + PAD}" dy="{0 if i == 0 else 15}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    top = box.y + (18 if len(lines) == 2 else 26)
    room_href = relative(map_path(view.palace), view.path)
    area = (
        f'<g class="map-room"><rect x="{box.x}" y="{box.y}" width="{ROOM_WIDTH}" '
        f'height="{box.height}" rx="10"/>'
        f'<a href="{room_href}"><title>{label}</title>'
        f'<text class="map-room-name" y="{top}">{text}</text></a>'
    )
    if not view.room.loci:
        area += (
            f'<text class="map-empty" x="{box.x + PAD}" y="{box.y + HEADER + 24}">'
            "no loci yet</text></g>"
        )
        return area.encode(), b"", "", ()
    area += "</g>"
    in_room: list[tuple[str, int, str, str, tuple[str, int]]] = []
    for locus in view.room.loci:
        in_room.append((locus.id, locus.number, locus.place, locus.concept, LOCUS))
        in_room.extend((s.id, s.number, s.place, s.concept, STEP) for s in locus.steps)
    x = box.x + PAD + RADIUS if box.from_left else box.x + ROOM_WIDTH - PAD - RADIUS
    points: list[tuple[int, int]] = []
    stops: list[str] = []
    url = room_url(view)  # from the map's page: ids and paths are slugs, nothing to escape
    for row, (stop_id, number, place, concept, (kind, radius)) in enumerate(in_room):
        y = box.y + HEADER + row * CELL + CELL // 2
        points.append((x, y))
        # The title names the link (SVG-AAM) and is its tooltip; the name beside the circle
        # is there to be read, and hidden from screen readers, which have the title.
        name = plain_text(place)
        title = escape(f"{number}: {name}, {plain_text(concept)}", False)
        size = "" if number < 1000 else ' class="d4"' if number < 10000 else ' class="d5"'
        stops.append(
            f'<a class="{kind}" href="{url}#{stop_id}"><title>{title}</title>'
            f'<circle cx="{x}" cy="{y}" r="{radius}"/>'
            f'<text x="{x}" y="{y}"{size}>{number}</text>'
            f"{_label(name, x, y, box.from_left)}</a>"
        )
    route = "M" + "L".join(f"{x} {y}" for x, y in points)
    return area.encode(), "".join(stops).encode(), route, (*points[0], *points[-1])


def layout(counts: list[int]) -> tuple[list[_Box], int]:
    """Where each room goes, given the number of stops in each, and the map's height."""
    return _boxes(counts)


def map_svg(rooms: list[RoomMap], boxes: list[_Box], height: int, title_id: str) -> list[bytes]:
    """The map as inline SVG, in pieces to join, from its rooms (`room_map`) in walk order;
    `title_id` is the id of the heading that names the map."""
    connectors: list[str] = []
    previous: tuple[tuple[int, ...], _Box] | None = None
    for (_, _, _, points), box in zip(rooms, boxes, strict=True):
        if not points:
            continue
        if previous is not None:
            last, last_box = previous
            connectors.append(_connector((last[2], last[3]), last_box, (points[0], points[1]), box))
        previous = (points, box)
    route = "".join(room[2] for room in rooms)
    head = (
        f'<svg class="map-svg{" one-page" if height <= ONE_PAGE else ""}" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="group" aria-labelledby="{title_id}">'
    )
    lines = [
        f'<path class="map-connector" d="{"".join(connectors)}"/>' if connectors else "",
        f'<path class="map-route" d="{route}"/>' if route else "",
    ]
    return [
        head.encode(),
        *(room[0] for room in rooms),
        "".join(lines).encode(),
        *(room[1] for room in rooms),
        b"</svg>",
    ]


def palace_map(rooms: tuple[RoomView, ...], title_id: str) -> Markup:
    """The whole map of a palace as inline SVG (see `room_map`, `map_svg`)."""
    boxes, height = layout([view.room.stops for view in rooms])
    pieces = [room_map(view, box) for view, box in zip(rooms, boxes, strict=True)]
    return Markup(b"".join(map_svg(pieces, boxes, height, title_id)).decode())


def room_route(view: RoomView) -> bytes:
    """A room's item of the route list: the room, then its loci (and their steps) numbered by
    their place on the walk, each a link to its locus followed by its concept."""
    url = room_url(view)  # from the map's page
    parts = [
        f'<li><a class="route-room" href="{relative(map_path(view.palace), view.path)}">'
        f"{link_html(view.room.name)}</a>"
    ]
    add = parts.append
    if not view.room.loci:
        add(' <span class="meta">no loci yet</span></li>')
        return "\n".join(parts).encode()
    add('<ol class="route-stops">')
    for locus in view.room.loci:
        add(
            f'<li value="{locus.number}"><a href="{url}#{locus.id}">'
            f'{link_html(locus.place)}</a> <span class="route-concept">'
            f"{html(locus.concept)}</span>"
        )
        if locus.steps:
            add('<ol class="route-steps">')
            for step in locus.steps:
                add(
                    f'<li value="{step.number}"><a href="{url}#{step.id}">'
                    f'{link_html(step.place)}</a> <span class="route-concept">'
                    f"{html(step.concept)}</span></li>"
                )
            add("</ol>")
        add("</li>")
    add("</ol></li>")
    return "\n".join(parts).encode()


def route_list(rooms: list[bytes]) -> Iterator[bytes]:
    """The walk as ordered lists, in pieces to write, from its rooms (`room_route`)."""
    if not rooms:
        yield b'<ol class="route-rooms">\n</ol>'
        return
    yield b'<ol class="route-rooms">\n'
    yield from joined(b"\n", rooms)
    yield b"\n</ol>"
