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

from builder.notes.records import Palace, Picture, Room

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


class StepView(NamedTuple):
    """A step of a locus, with its number on the walk. Templates unpack these in their loops
    (faster than attribute lookups, which count for palaces of thousands of loci)."""

    id: str
    number: int
    place: str
    concept: str
    description: str


class LocusView(NamedTuple):
    """A locus with its number on the walk and its steps, unpacked by the room template."""

    id: str
    number: int
    place: str
    concept: str
    description: str
    note: str | None
    picture: Picture | None
    steps: tuple[StepView, ...]


class RoomView(NamedTuple):
    """A room with its position in the palace and its loci, ready for the templates."""

    palace: Palace
    room: Room
    number: int  # 1-based position among the palace's rooms
    path: str
    loci: tuple[LocusView, ...]

    @property
    def first(self) -> int:
        return self.loci[0].number if self.loci else 0

    @property
    def last(self) -> int:
        if not self.loci:
            return 0
        last = self.loci[-1]
        return last.steps[-1].number if last.steps else last.number

    @property
    def step_count(self) -> int:
        return sum(len(locus.steps) for locus in self.loci)


def room_view(palace: Palace, room: Room, number: int, start: int) -> RoomView:
    """One room of the palace, its `number` among the rooms, its first stop numbered `start`.

    The walk lists each locus followed by its steps (`records.walk_order`), so numbering from
    `start` in that order gives every locus and step its number on the walk.
    """
    loci = []
    stop = start
    for locus in room.loci:
        steps: tuple[StepView, ...] = ()
        if locus.steps:
            steps = tuple(
                StepView(step.id, stop + offset, step.locus, step.concept, step.description)
                for offset, step in enumerate(locus.steps, start=1)
            )
        loci.append(
            LocusView(
                locus.id,
                stop,
                locus.locus,
                locus.concept,
                locus.description,
                locus.note,
                locus.picture,
                steps,
            )
        )
        stop += 1 + len(steps)
    return RoomView(palace, room, number, room_path(palace, room), tuple(loci))


def room_views(palace: Palace) -> tuple[RoomView, ...]:
    """The palace's rooms in walk order, each with its loci and their stops."""
    views = []
    start = 1
    for number, room in enumerate(palace.rooms, start=1):
        views.append(room_view(palace, room, number, start))
        start += sum(1 + len(locus.steps) for locus in room.loci)
    return tuple(views)


def stop_links(palace: Palace, rooms: tuple[RoomView, ...]) -> dict[str, str]:
    """Each stop's URL (`kitchen/index.html#stove`) as seen from the palace's folder, where the
    palace page, the map and the glossary live: computed once, not once per link."""
    links: dict[str, str] = {}
    for view in rooms:
        links.update(room_links(view))
    return links


def room_links(view: RoomView) -> dict[str, str]:
    """`stop_links` of one room."""
    room_url = relative(palace_path(view.palace), view.path)
    links: dict[str, str] = {}
    for locus in view.loci:
        links[locus.id] = f"{room_url}#{locus.id}"
        for step in locus.steps:
            links[step.id] = f"{room_url}#{step.id}"
    return links


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
