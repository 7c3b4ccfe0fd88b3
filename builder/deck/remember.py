"""What the memo (`builder/memo.py`) keeps for the decks between builds: the rooms each package
holds, so a rebuild compares only the rooms that changed; and pictures' media names, so a
build does not hash every picture again. Without a memo, everything is worked out afresh, to
the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from builder.deck.history import digest
from builder.deck.notes import Layout, MediaName, media_name

if TYPE_CHECKING:
    from builder.build.memo import Memo


def media_names(memo: Memo | None) -> MediaName:
    """Media names of pictures, remembered by path, size and modification time (hashing every
    picture in every build would cost more than the whole deck)."""
    seen: dict[Path, str] = {}
    table = memo.table("deck-media") if memo is not None else None

    def name(file: Path) -> str:
        found = seen.get(file)
        if found is None:
            if table is None:
                found = media_name(file)
            else:
                stat = file.stat()
                found = table.get((str(file), stat.st_size, stat.st_mtime_ns),
                                  lambda: media_name(file))  # fmt: skip
            seen[file] = found
        return found

    return name


# The rooms a package holds: their keys, first stops (0 = the start of the walk), stop counts.
RoomsHeld = tuple[list[bytes], list[int], list[int]]


class Remembered:
    """What the memo knows about decks: which rooms (keys, first stops, stop counts) each
    package holds, by a digest of its bytes; and which package a kept deck is, by its key and
    size, so that a deck kept for many builds stays known for the one that changes it."""

    def __init__(self, memo: Memo | None) -> None:
        self._rooms = memo.table("deck-rooms") if memo is not None else None
        self._files = memo.table("deck-files") if memo is not None else None

    def rooms(self, package: str) -> RoomsHeld | None:
        if self._rooms is None:
            return None
        known: RoomsHeld | None = self._rooms.get(package, lambda: None)
        return known

    def kept(self, key: str, size: int) -> None:
        if self._files is not None and self._rooms is not None:
            package: str | None = self._files.get(f"{key}:{size}", lambda: None)
            if package is not None:
                self._rooms.get(package, lambda: None)

    def written(self, key: str, rooms: Layout, data: bytes) -> None:
        if self._files is not None and self._rooms is not None:
            package = digest(data)
            self._rooms.get(
                package,
                lambda: (
                    [slot.key for slot in rooms.rooms],
                    [slot.start for slot in rooms.rooms],
                    [slot.stops for slot in rooms.rooms],
                ),
            )
            self._files.get(f"{key}:{len(data)}", lambda: package)
