"""Which pages the study site has, where each one lives, and how pages link to each other.

Every link is relative, so the site works from a sub-path (`https://owner.github.io/repo/`) and
from `file://`. Links to a folder's page name its `index.html`: a browser opening files from disk
shows a folder listing for `dir/`, not the page in it.

Paths (POSIX, relative to the site root):
- `index.html`: home
- `<palace>/index.html`: a palace, its rooms and the whole walk as a cheat sheet
- `<palace>/<room>/index.html`: a room, its loci in walk order
- `<palace>/glossary.html`: the palace's concepts A–Z
- `<palace>/walk.html`: walk mode, one stop at a time (`#room=<room>&mode=…&stop=<n>`)
- `<palace>/quiz.html`: flashcards with spaced repetition (`#room=<room>&cards=pc|cp`)
- `<palace>/map.html`: the palace as a map, with the route as a list beside it
- `404.html`: served by GitHub Pages for any missing path, at any depth
- `assets/`: stylesheet, scripts and icon under names that carry a hash of their content, and
  each palace's study data (walk, quiz and search read it) under a name that does not change
  with the notes (`study.data_path`); `sitemap.xml` when the site knows its address

Ids are lower-case letters, digits and hyphens, never dots, so a room folder can never take the
name of `index.html`, `glossary.html`, `walk.html`, `quiz.html` or `map.html` beside it; and
the ids the templates give their own elements contain `_` (`_main`, `_rooms`), so no locus id
can clash with them on a page.
"""

from __future__ import annotations

from typing import NamedTuple

from builder.notes.records import Palace, Room

HOME = "index.html"
NOT_FOUND = "404.html"


def palace_path(palace: Palace) -> str:
    return f"{palace.id}/index.html"


def room_path(palace: Palace, room: Room) -> str:
    return f"{palace.id}/{room.id}/index.html"


def glossary_path(palace: Palace) -> str:
    return f"{palace.id}/glossary.html"


def walk_path(palace: Palace) -> str:
    return f"{palace.id}/walk.html"


def quiz_path(palace: Palace) -> str:
    return f"{palace.id}/quiz.html"


def map_path(palace: Palace) -> str:
    return f"{palace.id}/map.html"


def absolute_url(base_url: str, path: str) -> str:
    """The public URL of a page: `base_url` (ending in `/`) and its path, where a folder's
    `index.html` is the folder itself, as GitHub Pages serves it
    (`https://owner.github.io/repo/ml-palace/`)."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + path


def relative(page: str, target: str) -> str:
    """The URL of `target` as seen from `page` (both paths from the site root).

    `target` may carry a `#fragment`; a target equal to the page itself is just the fragment.
    """
    target_path, hash_mark, fragment = target.partition("#")
    here = page.split("/")[:-1]
    there = target_path.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    url = "../" * (len(here) - common) + "/".join(there[common:])
    if hash_mark and target_path == page:
        return "#" + fragment
    return url + hash_mark + fragment


def root_of(page: str) -> str:
    """The relative URL of the site root from `page`: `""`, `"../"`, `"../../"`."""
    return "../" * page.count("/")


class RoomView(NamedTuple):
    """A room and the path of its page, for the templates: its number, stops and loci are the
    records' own (`view.room.number`, `view.room.first`, `view.room.loci`, …)."""

    palace: Palace
    room: Room
    path: str


def room_view(palace: Palace, room: Room) -> RoomView:
    """One room of the palace, with where its page is."""
    return RoomView(palace, room, room_path(palace, room))


def room_views(palace: Palace) -> tuple[RoomView, ...]:
    """The palace's rooms in walk order."""
    return tuple(room_view(palace, room) for room in palace.rooms)


def room_url(view: RoomView) -> str:
    """The URL of the room's page from the palace's folder, where the palace page, the map and
    the glossary live (`kitchen/index.html`); a stop's is it and `#<stop id>`."""
    return view.path.removeprefix(f"{view.palace.id}/")  # `relative`, as a room is in it


def human_size(size: int) -> str:
    """`12345` → `12.3 kB`: the size shown on a download button."""
    if size < 1000:
        return f"{size} bytes"
    value = size / 1000
    for unit in ("kB", "MB"):
        if value < 999.95:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
