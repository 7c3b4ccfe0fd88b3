"""What the study scripts know about a palace: its rooms and stops, one script per palace.

Walk mode, the quiz, the "due today" count and the search box all read
`assets/data-<palace id>.<hash>.js`, which adds the palace to a global table:

    window.PALACES = window.PALACES || {};
    window.PALACES["<palace id>"] = {
      "palace": "<palace id>",
      "title": "<palace title>",
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
Every URL (`href`, `src`) is relative to the site root.
"""

from __future__ import annotations

from pathlib import Path

from ..markup import inline
from ..records import Palace, Picture
from .pages import RoomView
from .scripts import script_json
from .search import folded
from .text import plain_text

GLOBAL = "PALACES"


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


def study_data(
    palace: Palace, rooms: tuple[RoomView, ...], picture_urls: dict[Path, str]
) -> dict[str, object]:
    """A palace's rooms and walk for the study scripts (see the module docstring)."""
    pictures = _Pictures(picture_urls)
    room_rows: list[list[object]] = []
    stops: list[list[object]] = []
    add = stops.append
    for index, view in enumerate(rooms):
        room = view.room
        name = plain_text(room.name)
        room_rows.append(
            [
                room.id,
                name,
                view.path,
                inline(room.note) if room.note else "",
                pictures.index(room.picture),
                folded(name),
            ]
        )
        for locus in view.loci:
            picture = pictures.index(locus.picture)
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
                        step.id,
                        index,
                        locus.number,
                        step.place,
                        step.concept,
                        step.description,
                        "",
                        -1,
                    )
                )
    return {
        "palace": palace.id,
        "title": plain_text(palace.title),
        "rooms": room_rows,
        "stops": stops,
        "pictures": pictures.items,
    }


def study_script(
    palace: Palace, rooms: tuple[RoomView, ...], picture_urls: dict[Path, str]
) -> bytes:
    """`study_data` as the script the study pages and the search load."""
    data = script_json(study_data(palace, rooms, picture_urls))
    key = script_json(palace.id)
    return (
        f"window.{GLOBAL} = window.{GLOBAL} || {{}};\nwindow.{GLOBAL}[{key}] = {data};\n"
    ).encode()


def data_stem(palace: Palace) -> str:
    """The name of a palace's study data in `assets/`, before its hash."""
    return f"data-{palace.id}"
