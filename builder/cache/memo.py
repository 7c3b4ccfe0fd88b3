"""What earlier builds rendered, remembered by what it was rendered from (`Memo`); and which of
their output files a build may keep as they are (`Reuse`).

`Memo` holds tables of rendered pieces, `{key: value}`, where the key is the input itself (a
description's Markdown) or a `digest()` of everything the piece is made from: a changed input is
a different key, so an entry is never stale, only unused. A build keeps only what it used, so
the memo does not grow with old entries. Values are what `marshal` stores (str, bytes, numbers,
tuples, lists, dicts).

The file, `.palace-cache/<out>.memo` of the project folder (never published), is a series of
marshal dumps, each after its length (8 bytes, little-endian): first `{"format": FORMAT, "stamp":
...}`, then the tables in parts, each part a table's name and then `{key: value}`. `stamp`
digests the builder's code, libraries and settings. A file of another format or stamp, or cut
short, is ignored whole: the build then renders everything, which is always correct.

So that a build never holds the whole memo, a table is read from the file only when first used,
and a `streamed` table (the pieces of the site, each used once a build) gives up each old entry
as it is used and writes what the build uses into the next file part by part, as the build
goes: that file is written beside the old one and renamed over it when the build is saved.

`Reuse`: for each file it writes, a build records a key of what the file shows (in the build
record of `fingerprint.py`). The next build computes the key again; when it is the same and the
file is still exactly as the previous build wrote it, the file is kept, not rendered again.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import marshal
import os
import struct
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

FORMAT = 5  # 5: a table's name, then its part (4: both in one dump)
PART = 256  # entries of a table per part in the file
_LENGTH = struct.Struct("<Q")
V = TypeVar("V")
Tables = dict[str, dict[Any, Any]]
_MISSING = object()


def digest(*parts: Any) -> str:
    """A short hex digest of `parts`: marshal values (str, bytes, numbers, tuples, lists).

    Marshal version 2: later versions write an object seen twice as a reference to the first,
    depending on how many references Python holds to it, so equal values could digest apart."""
    return hashlib.blake2b(marshal.dumps(parts, 2), digest_size=16).hexdigest()


def stamp(settings: Mapping[str, Any], code: list[tuple[str, int, int]]) -> str:
    """What every remembered piece depends on: the settings and the code that renders."""
    return digest(repr(sorted(settings.items())), code)


class Table:
    """One kind of remembered piece: `get(key, make)` returns the value remembered for `key`,
    or makes, remembers and returns it. A streamed table hands each value to the next memo
    file once PART are gathered: a key asked for again after that is made again (the same)."""

    __slots__ = ("_memo", "_new", "_old", "hits", "misses", "name", "streamed")

    def __init__(self, memo: Memo, name: str, old: dict[Any, Any], streamed: bool) -> None:
        self._memo, self.name, self._old, self.streamed = memo, name, old, streamed
        self._new: dict[Any, Any] = {}
        self.hits = self.misses = 0

    def get(self, key: Any, make: Callable[[], V]) -> V:
        value = self._new.get(key, _MISSING)
        if value is _MISSING:
            old = self._old.pop(key, _MISSING) if self.streamed else self._old.get(key, _MISSING)
            if old is _MISSING:
                value = make()
                self.misses += 1
            else:
                value = old
                self.hits += 1
            self._new[key] = value
            if self.streamed and len(self._new) >= PART and self._memo.spill(self):
                self._new = {}
        return value  # type: ignore[no-any-return]

    def entries(self) -> dict[Any, Any]:
        return self._new  # what this build used and holds still


class Memo:
    """The remembered pieces of one output folder; `Memo()` remembers nothing from before.
    `file` given, streamed tables are written into a new memo file as the build goes (see the
    module docstring); `save` completes it."""

    def __init__(
        self,
        stamp: str = "",
        tables: Mapping[str, dict[Any, Any]] | None = None,
        *,
        old: _OldFile | None = None,
        file: Path | None = None,
    ) -> None:
        self.stamp, self.file = stamp, file
        self._old = dict(tables or {})  # what the last build used, of the tables read
        self._old_file = old
        self._tables: dict[str, Table] = {}
        self._writer: _Writer | None = None
        self._failed = False  # the next file could not be written: nothing is saved

    def table(self, name: str, streamed: bool = False) -> Table:
        table = self._tables.get(name)
        if table is None:
            old = self._old.pop(name, None)
            if old is None:
                old = self._old_file.table(name) if self._old_file is not None else {}
            table = self._tables[name] = Table(self, name, old, streamed and self.file is not None)
        return table

    def spill(self, table: Table) -> bool:
        """Write what `table` holds into the next file; False if it cannot be."""
        if self._failed or self.file is None:
            return self._failed
        try:
            if self._writer is None:
                self._writer = _Writer(self.file, self.stamp)
            self._writer.part(table.name, table.entries())
        except OSError:
            self.close()
            self._failed = True  # harmless: the next build renders more
        return True

    def dumps(self) -> bytes:
        """What this build used and holds, as one marshal value: `{"format", "stamp",
        "tables"}`, the arguments of `Memo` for the next build (tests carry a memo over)."""
        tables = {name: table.entries() for name, table in self._tables.items()}
        return marshal.dumps({"format": FORMAT, "stamp": self.stamp, "tables": tables})

    def save(self, file: Path) -> None:
        """Complete the next memo file with what the build holds still, and put it in place of
        `file`. Raises OSError."""
        if self._failed:
            return
        writer = self._writer or _Writer(file, self.stamp)
        self._writer = None
        try:
            for table in self._tables.values():
                entries = iter(table.entries().items())
                while part := dict(itertools.islice(entries, PART)):
                    writer.part(table.name, part)
            writer.finish(file)
        finally:
            writer.discard()
            self.close()

    def close(self) -> None:
        """Let go of the files: the old one, and the next one unless saved."""
        if self._writer is not None:
            self._writer.discard()
            self._writer = None
        if self._old_file is not None:
            self._old_file.close()
            self._old_file = None


class _OldFile:
    """The memo file of the last build, open, with where each table's parts are in it."""

    def __init__(self, stream: BinaryIO, parts: dict[str, list[tuple[int, int]]]) -> None:
        self.stream, self.parts = stream, parts

    def table(self, name: str) -> dict[Any, Any]:
        """The entries of table `name`; none if a part cannot be read."""
        found: dict[Any, Any] = {}
        try:
            for at, length in self.parts.get(name, ()):
                self.stream.seek(at)
                part = marshal.loads(self.stream.read(length))
                if not isinstance(part, dict):
                    return {}
                found.update(part)
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        return found

    def close(self) -> None:
        self.stream.close()


class _Writer:
    """The next memo file, written part by part into a temp file beside it."""

    def __init__(self, file: Path, stamp: str) -> None:
        import tempfile  # here: slow to import, and a no-op build never needs it

        from builder.output.cache import cache_folder, temp_prefix

        cache_folder(file.parent)
        handle, temp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp", dir=file.parent)
        self.temp = Path(temp)
        self.stream = os.fdopen(handle, "wb")
        self._dump({"format": FORMAT, "stamp": stamp})

    def part(self, name: str, entries: dict[Any, Any]) -> None:
        self._dump(name)
        self._dump(entries)

    def _dump(self, value: Any) -> None:
        data = marshal.dumps(value)
        self.stream.writelines((_LENGTH.pack(len(data)), data))

    def finish(self, file: Path) -> None:
        self.stream.close()
        os.chmod(self.temp, 0o644)
        os.replace(self.temp, file)

    def discard(self) -> None:
        self.stream.close()
        self.temp.unlink(missing_ok=True)


def memo_file(out: Path) -> Path:
    """`.palace-cache/<name of out>.memo` of the project folder."""
    from builder.output.cache import folder_name, project_cache

    return project_cache() / f"{folder_name(out)}.memo"


def load(out: Path, stamp: str, remembered: bool = True) -> Memo:
    """The memo of the builds into `out`: what the last one used, if it was made with the same
    `stamp` and format (and `remembered`), read table by table as the build asks."""
    file = memo_file(out)
    old = _open(file, stamp) if remembered else None
    return Memo(stamp, old=old, file=file)


def _open(file: Path, stamp: str) -> _OldFile | None:
    """The memo file, open, with where its tables' parts are; None if it has another format or
    stamp, or is cut short or damaged."""
    try:
        stream = file.open("rb")
    except OSError:
        return None
    try:
        size = os.fstat(stream.fileno()).st_size
        dumps = _dumps(stream, size)
        _, length = next(dumps)
        if marshal.loads(stream.read(length)) != {"format": FORMAT, "stamp": stamp}:
            raise ValueError("another format or stamp")
        parts: dict[str, list[tuple[int, int]]] = {}
        for _, length in dumps:
            table = marshal.loads(stream.read(length))
            if not isinstance(table, str):
                raise ValueError("not a memo")
            parts.setdefault(table, []).append(next(dumps))  # its part: StopIteration if none
    except (OSError, EOFError, ValueError, TypeError, StopIteration):
        stream.close()
        return None
    return _OldFile(stream, parts)


def _dumps(stream: BinaryIO, size: int) -> Iterator[tuple[int, int]]:
    """Where each dump of the file starts and how long it is; ValueError where it is cut
    short. The stream is left at the start of the dump."""
    at = 0
    while at < size:
        stream.seek(at)
        head = stream.read(_LENGTH.size)
        (length,) = _LENGTH.unpack(head) if len(head) == _LENGTH.size else (size,)
        at += _LENGTH.size
        if at + length > size:
            raise ValueError("cut short")
        yield at, length
        at += length


def save(out: Path, memo: Memo) -> None:
    """Keep what this build used for the next one, replacing the file atomically. Failing to is
    harmless: the next build renders more."""
    with contextlib.suppress(OSError):
        memo.save(memo_file(out))


class Reuse:
    """Which output files of the previous build this one may keep unrendered.

    `intact` maps each file the previous build wrote, and that nobody changed since, to the key
    it was rendered with. A renderer calls `keep(path, key)` before rendering a file: True: the
    file is kept as it is; False: render it. Either way the key is recorded for the next build."""

    def __init__(self, intact: Mapping[str, str] | None = None) -> None:
        self._intact = dict(intact or {})
        self.keys: dict[str, str] = {}
        self.kept: set[str] = set()

    def keep(self, path: str, key: str) -> bool:
        self.keys[path] = key
        if self._intact.get(path) == key:
            self.kept.add(path)
            return True
        return False
