"""What the pages of a palace show, as short keys, from one pass over its records.

A page is rendered again only when its key changes (`memo.Reuse`), a piece of a big page only
when the key of that piece does (`memo.Memo`). So a key must hold everything its page shows and,
to spare work, nothing else. For each room, one pass makes:

- `outline`: a digest of the room's id and name and of each stop's id, place and concept, in
  walk order (with the stops' count: where steps begin and end): what the walk table, the map
  and the route list show;
- `texts`: a digest of the descriptions, in the same order (shown by room pages, the glossary
  and the study data; only ever keyed together with `outline`, which says whose they are);
- `extras`: a digest of the notes and pictures (alt text and the picture's URL, which names
  its content): shown only by the room page and the study data.

Stop numbers are the records' own (a room's `first` and `last`), kept beside the digests where a
key needs them. What no page shows is in no key: line numbers, file names of pictures. Inserting
a line above a room changes nothing of it.
"""

from __future__ import annotations

from hashlib import blake2b
from pathlib import Path
from typing import NamedTuple

from builder.cache.memo import digest
from builder.notes.records import Palace, Picture, Room
from builder.site.pages import room_path


class RoomFacts(NamedTuple):
    """A room (its place in the palace is the record's) and the digests of what it shows."""

    room: Room
    path: str
    outline: str
    texts: str
    extras: str
    pictures: tuple[tuple[Path, str], ...]  # (file, alt) of the room's, then of its loci's

    @property
    def number(self) -> int:
        return self.room.number

    @property
    def first(self) -> int:
        """The number of its first stop (of the next room's, when it has none)."""
        return self.room.first

    @property
    def last(self) -> int:
        return self.room.last

    @property
    def loci(self) -> int:
        return len(self.room.loci)

    @property
    def steps(self) -> int:
        return self.room.stops - len(self.room.loci)


class Counts(NamedTuple):
    rooms: int
    loci: int
    stops: int


class PalaceFacts(NamedTuple):
    palace: Palace
    rooms: tuple[RoomFacts, ...]
    key: str  # id, title and notes file: shown by every page of the palace
    summary: str  # each room's id, name and counts: what the lists of rooms show
    counts: Counts


def _digest(texts: list[str]) -> str:
    """A digest of a list of texts: `memo.digest`'s job, twice as fast for the texts of notes,
    which never hold a NUL (a notes file with one is refused), so NUL can join them. Should
    one hold a NUL all the same, `memo.digest` keeps them apart."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        return digest(texts)
    return blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _picture(picture: Picture | None, urls: dict[Path, str]) -> tuple[str, str]:
    return ("", "") if picture is None else (picture.alt, urls[picture.file])


def palace_facts(palace: Palace, picture_urls: dict[Path, str]) -> PalaceFacts:
    """The facts of every room of `palace`; `picture_urls` says where each picture goes."""
    rooms = []
    for room in palace.rooms:
        outline = [room.id, room.name]
        texts = []
        extras = [room.note or "", *_picture(room.picture, picture_urls)]
        pictures = [] if room.picture is None else [(room.picture.file, room.picture.alt)]
        for locus in room.loci:
            outline += (locus.id, locus.place, locus.concept)
            texts.append(locus.description)
            if locus.steps:
                outline.append(str(len(locus.steps)))
                for step in locus.steps:
                    outline += (step.id, step.place, step.concept)
                    texts.append(step.description)
            else:
                outline.append("")
            if locus.note or locus.picture:
                extras += (locus.id, locus.note or "", *_picture(locus.picture, picture_urls))
                if locus.picture is not None:
                    pictures.append((locus.picture.file, locus.picture.alt))
        rooms.append(
            RoomFacts(
                room,
                room_path(palace, room),
                _digest(outline),
                _digest(texts),
                _digest(extras),
                tuple(pictures),
            )
        )
    summary = [(room.room.id, room.room.name, room.loci, room.steps) for room in rooms]
    return PalaceFacts(
        palace,
        tuple(rooms),
        digest(palace.id, palace.title, palace.source),
        digest(summary),
        Counts(len(rooms), sum(room.loci for room in rooms), len(palace.walk)),
    )
