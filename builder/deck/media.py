"""Pictures in a deck: a media name per picture, from its contents.

Anki keeps media in one folder per collection, by name: a name made from a hash of the
contents is unique and changes exactly when the picture does, so Anki fetches a changed picture
and never mixes two palaces' files. The memo remembers names by path, size and modification
time, so a build does not hash every picture again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from builder.deck.notes import MediaName

if TYPE_CHECKING:
    from builder.cache.memo import Memo

# Stored in the zip as they are: deflate would not make them smaller.
COMPRESSED = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})


def media_name(file: Path) -> str:
    """A picture's bare, unique, deterministic media name: a hash of its contents + suffix."""
    return f"palace-{hashlib.sha256(file.read_bytes()).hexdigest()[:20]}{file.suffix.lower()}"


def media_names(memo: Memo | None) -> MediaName:
    """Media names of pictures, hashed once per build, or remembered by the memo."""
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
