"""What the study scripts know about a palace: its rooms and stops, one script per palace.

Walk mode, the quiz, the "due today" count and the search box all read
`assets/data-<palace id>.<hash>.js` (the hash is of the scripts that read it, not of the data:
see `data_path`), which adds the palace to a global table:

    window.PALACES = window.PALACES || {};
    window.PALACES["<palace id>"] = {
      "palace": "<palace id>",
      "title": "<palace title>",
      "new_per_day": <new cards a day in the quiz>,
      "kinds": [<the kinds the quiz asks unless the learner chooses: "pc", "cp", "route", "seq">],
      "rooms": [[id, name, href, note, picture, folded name], ...],
      "stops": [[id, room, parent, place, concept, description, note, picture,
                 concept text, description text, folded], ...],
      "pictures": [[src, alt], ...]
    }

`stops` is the walk: stop number n is `stops[n - 1]`. `room` indexes `rooms`; `parent` is the
number of the locus a step belongs to (0 for a locus); `picture` indexes `pictures` (-1 for
none). `concept`, `description` and `note` are HTML made by `builder.markup.inline` (escaped,
safe links only: what the room pages show); names, titles and places are plain text, which the
scripts set as text. `concept text` and `description text` are those fields without markup, or
0 when that is their HTML as it is (no tags, no entities: most fields). `folded` is the search
fold of place, concept text and description text (`search.folded`: only those that are not
ASCII, the browser lower-cases the others), a room's folded name likewise; 0 for ASCII.
Every URL (`href`, `src`) is relative to the site root. `new_per_day` is the setting
`new_cards_per_day`, and `kinds` the deck's kinds (`card_kinds`): the quiz and the "due today"
counts read them from here, so every page that counts agrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from builder.config import CARD_KINDS, DEFAULT_NEW_CARDS_PER_DAY
from builder.markup import inline
from builder.notes.records import Palace, Picture
from builder.site.assets import ASSETS, content_hash
from builder.site.facts import PalaceFacts
from builder.site.pages import RoomView
from builder.site.render import joined
from builder.site.scripts import script_json
from builder.site.search import folded
from builder.site.text import plain_text

GLOBAL = "PALACES"
FORMAT = 2  # of the data: a change of shape goes with a change of the scripts that read it


class _Pictures:
    """Pictures as a list the stops refer to by index: each file once."""

    def __init__(self, urls: dict[Path, str]) -> None:
        self._urls = urls
        self._index: dict[tuple[Path, str], int] = {}
        self.items: list[list[str]] = []

    def index(self, picture: Picture | None) -> int:
        if picture is None:
            return -1
        key = (picture.file, picture.alt)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.items)
            self.items.append([self._urls[picture.file], picture.alt])
        return found


def _stop(
    stop_id: str,
    room: int,
    parent: int,
    place: str,
    concept: str,
    description: str,
    note: str,
    picture: int,
) -> list[object]:
    concept_html = inline(concept)
    description_html = inline(description)
    # plain text only where the HTML has tags or entities (`text.plain_text`'s own shortcut)
    concept_text: str | int = 0
    description_text: str | int = 0
    concept_plain, description_plain = concept_html, description_html
    if "<" in concept_html or "&" in concept_html:
        concept_text = concept_plain = plain_text(concept)
    if "<" in description_html or "&" in description_html:
        description_text = description_plain = plain_text(description)
    place = plain_text(place)
    return [
        stop_id,
        room,
        parent,
        place,
        concept_html,
        description_html,
        inline(note) if note else "",
        picture,
        concept_text,
        description_text,
        folded(place, concept_plain, description_plain),
    ]


def _room_row(view: RoomView, picture: int) -> list[object]:
    room = view.room
    name = plain_text(room.name)
    return [room.id, name, view.path, inline(room.note) if room.note else "", picture, folded(name)]


def _room_stops(view: RoomView, index: int, pictures: Iterator[int]) -> list[list[object]]:
    """The stops of the room at `index`; `pictures` yields the index of each of its loci's
    pictures in turn."""
    stops: list[list[object]] = []
    add = stops.append
    for locus in view.room.loci:
        picture = next(pictures) if locus.picture is not None else -1
        add(
            _stop(
                locus.id,
                index,
                0,
                locus.place,
                locus.concept,
                locus.description,
                locus.note or "",
                picture,
            )
        )
        for step in locus.steps:
            add(
                _stop(
                    step.id, index, locus.number, step.place, step.concept, step.description, "", -1
                )
            )
    return stops


QUIZ_KINDS = {"place-concept": "pc", "concept-place": "cp", "route": "route", "sequence": "seq"}


def quiz_kinds(card_kinds: Iterable[str]) -> list[str]:
    """The quiz's names of the deck's kinds `card_kinds` (configuration names), in deck order."""
    chosen = set(card_kinds)
    return [QUIZ_KINDS[name] for name in CARD_KINDS if name in chosen]


def study_data(
    palace: Palace,
    rooms: tuple[RoomView, ...],
    picture_urls: dict[Path, str],
    new_per_day: int = DEFAULT_NEW_CARDS_PER_DAY,
    card_kinds: Iterable[str] = CARD_KINDS,
) -> dict[str, object]:
    """A palace's rooms and walk for the study scripts (see the module docstring)."""
    pictures = _Pictures(picture_urls)
    room_rows: list[list[object]] = []
    stops: list[list[object]] = []
    for index, view in enumerate(rooms):
        room_rows.append(_room_row(view, pictures.index(view.room.picture)))
        loci = (pictures.index(locus.picture) for locus in view.room.loci if locus.picture)
        stops += _room_stops(view, index, loci)
    return {
        "palace": palace.id,
        "title": plain_text(palace.title),
        "new_per_day": new_per_day,
        "kinds": quiz_kinds(card_kinds),
        "rooms": room_rows,
        "stops": stops,
        "pictures": pictures.items,
    }


RoomData = tuple[bytes, bytes]
"""A room's part of the study data: its row of `rooms` and its rows of `stops` (JSON, without
the brackets around them). A plain tuple: kept between builds."""


def room_data(view: RoomView, index: int, pictures: tuple[int, ...]) -> RoomData:
    """The study data of the room at `index`; `pictures` are the indices of its pictures in the
    palace's list, the room's own first (if it has one), then its loci's."""
    own = pictures[0] if view.room.picture is not None else -1
    loci = iter(pictures[1:] if view.room.picture is not None else pictures)
    row = script_json(_room_row(view, own))
    stops = ",".join(script_json(stop) for stop in _room_stops(view, index, loci))
    return row.encode(), stops.encode()


def data_script(
    palace: Palace,
    rooms: list[RoomData],
    pictures: list[list[str]],
    new_per_day: int = DEFAULT_NEW_CARDS_PER_DAY,
    card_kinds: Iterable[str] = CARD_KINDS,
) -> Iterator[bytes]:
    """The script of a palace's study data, in pieces to write, from its rooms (`room_data`)
    and its pictures ([src, alt] in the order the rooms refer to them): `study_script`."""
    head = (
        f"window.{GLOBAL} = window.{GLOBAL} || {{}};\nwindow.{GLOBAL}[{script_json(palace.id)}] = "
        f'{{"palace":{script_json(palace.id)},"title":{script_json(plain_text(palace.title))},'
        f'"new_per_day":{new_per_day:d},"kinds":{script_json(quiz_kinds(card_kinds))},"rooms":['
    )
    yield head.encode()
    yield b",".join(row for row, _ in rooms)
    yield b'],"stops":['
    yield from joined(b",", (stops for _, stops in rooms if stops))
    yield f'],"pictures":{script_json(pictures)}}};\n'.encode()


def study_script(
    palace: Palace,
    rooms: tuple[RoomView, ...],
    picture_urls: dict[Path, str],
    new_per_day: int = DEFAULT_NEW_CARDS_PER_DAY,
    card_kinds: Iterable[str] = CARD_KINDS,
) -> bytes:
    """`study_data` as the script the study pages and the search load."""
    data = script_json(study_data(palace, rooms, picture_urls, new_per_day, card_kinds))
    key = script_json(palace.id)
    return (
        f"window.{GLOBAL} = window.{GLOBAL} || {{}};\nwindow.{GLOBAL}[{key}] = {data};\n"
    ).encode()


def data_path(palace: Palace, scripts: Mapping[str, str]) -> str:
    """Where a palace's study data goes: `assets/data-<palace id>.<hash>.js`, where the hash is
    of the data's `FORMAT` and of the scripts that read it (`scripts`: their hashed paths), not
    of the data.

    Every page links to every palace's data (the search box), so a name that changed with the
    data would change every page of the site at every edit. The price: GitHub Pages lets
    browsers cache files for 10 minutes (`max-age=600`), so for up to 10 minutes after a
    publish a visitor may get new pages with the old data, or the other way round (mkdocs'
    `search_index.json` has the same name in every build and works the same way). The scripts
    take the data as it comes: a room or stop the page names and the data does not (or the
    other way round) is left out or shown as the data has it, never an error (see walk.js,
    quiz.js, search.js). What may not mismatch is the shape of the data and the scripts that
    read it: those only change together with the scripts' names, and so with this name.
    """
    readers = " ".join([str(FORMAT), *sorted(scripts.values())])
    return f"{ASSETS}/data-{palace.id}.{content_hash(readers.encode())}.js"


def picture_indices(
    facts: PalaceFacts, urls: Mapping[Path, str]
) -> tuple[list[tuple[int, ...]], list[list[str]]]:
    """Each room's pictures as indices into the palace's list of pictures ([src, alt], each
    file and alt text once, in the order the rooms use them), and that list."""
    index: dict[tuple[Path, str], int] = {}
    pictures: list[list[str]] = []
    rooms = []
    for room in facts.rooms:
        found = []
        for picture in room.pictures:
            at = index.get(picture)
            if at is None:
                at = index[picture] = len(pictures)
                pictures.append([urls[picture[0]], picture[1]])
            found.append(at)
        rooms.append(tuple(found))
    return rooms, pictures
