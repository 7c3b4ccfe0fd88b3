"""What earlier builds rendered, remembered by what it was rendered from (`Memo`); and which of
their output files a build may keep as they are (`Reuse`).

`Memo` holds tables of rendered pieces, `{key: value}`, where the key is the input itself (a
description's Markdown) or a `digest()` of everything the piece is made from: a changed input is
a different key, so an entry is never stale, only unused. A build keeps only what it used, so
the memo does not grow with old entries. Values are what `marshal` stores (str, bytes, numbers,
tuples, lists, dicts).

The file, `.palace-cache/<out>.memo` of the project folder (never published), is a series of
marshal dumps, each after its length (8 bytes, little-endian): first `{"format": FORMAT, "stamp":
...}`, then the tables in parts, `(name, {key: value})`, so that saving never holds a copy of
the whole memo. It is written to a temporary file and renamed over the old one. `stamp` digests
the builder's code, libraries and settings. A file that cannot be read, or is of another format
or stamp, is ignored whole: the build then renders everything, which is always correct.

`Reuse`: for each file it writes, a build records a key of what the file shows (in the build
record of `fingerprint.py`). The next build computes the key again; when it is the same and the
file is still exactly as the previous build wrote it, the file is kept, not rendered again.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import marshal
import struct
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

FORMAT = 4  # 4: dumps of a header and of parts of tables (3 was one dump of the whole memo)
PART = 1000  # entries of a table per dump in the file
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
    or makes, remembers and returns it."""

    __slots__ = ("_new", "_old", "hits", "misses")

    def __init__(self, old: dict[Any, Any], new: dict[Any, Any]) -> None:
        self._old, self._new = old, new
        self.hits = self.misses = 0

    def get(self, key: Any, make: Callable[[], V]) -> V:
        value = self._new.get(key, _MISSING)
        if value is _MISSING:
            value = self._old.get(key, _MISSING)
            if value is _MISSING:
                value = make()
                self.misses += 1
            else:
                self.hits += 1
            self._new[key] = value
        return value  # type: ignore[no-any-return]


class Memo:
    """The remembered pieces of one output folder; `Memo()` remembers nothing from before."""

    __slots__ = ("_new", "_old", "_tables", "stamp")

    def __init__(self, stamp: str = "", tables: Mapping[str, dict[Any, Any]] | None = None) -> None:
        self.stamp = stamp
        self._old = dict(tables or {})  # what the last build used
        self._new: Tables = {}  # what this build used: all the next one gets
        self._tables: dict[str, Table] = {}

    def table(self, name: str) -> Table:
        table = self._tables.get(name)
        if table is None:
            new = self._new.setdefault(name, {})
            table = self._tables[name] = Table(self._old.get(name, {}), new)
        return table

    def dumps(self) -> bytes:
        """What this build used, as one marshal value: `{"format", "stamp", "tables"}`, the
        arguments of `Memo` for the next build (tests carry a memo over with it)."""
        return marshal.dumps({"format": FORMAT, "stamp": self.stamp, "tables": self._new})

    def parts(self) -> Iterator[bytes]:
        """What this build used, for the next one, as the memo file holds it, part by part."""
        for value in self._values():
            data = marshal.dumps(value)
            yield _LENGTH.pack(len(data))
            yield data

    def _values(self) -> Iterator[Any]:
        yield {"format": FORMAT, "stamp": self.stamp}
        for name, table in self._new.items():
            entries = iter(table.items())
            while part := dict(itertools.islice(entries, PART)):
                yield name, part


def memo_file(out: Path) -> Path:
    """`.palace-cache/<name of out>.memo` of the project folder."""
    from builder.output.cache import folder_name, project_cache

    return project_cache() / f"{folder_name(out)}.memo"


def load(out: Path, stamp: str) -> Memo:
    """The memo of the last build into `out`, if it was made with the same `stamp` and format;
    otherwise an empty one."""
    try:
        values = _read(memo_file(out).read_bytes())
        header = next(values)
        if header != {"format": FORMAT, "stamp": stamp}:
            return Memo(stamp)
        tables: Tables = {}
        for value in values:
            name, part = value
            if not isinstance(name, str) or not isinstance(part, dict):
                return Memo(stamp)
            tables.setdefault(name, {}).update(part)
    except (OSError, EOFError, ValueError, TypeError, StopIteration):
        return Memo(stamp)  # none, cut short or damaged
    return Memo(stamp, tables)


def _read(data: bytes) -> Iterator[Any]:
    """The values of a memo file, in order; ValueError where it is cut short."""
    view, at = memoryview(data), 0
    while at < len(data):
        if at + _LENGTH.size > len(data):
            raise ValueError("cut short")
        (length,) = _LENGTH.unpack_from(data, at)
        at += _LENGTH.size
        if at + length > len(data):
            raise ValueError("cut short")
        yield marshal.loads(view[at : at + length])
        at += length


def save(out: Path, memo: Memo) -> None:
    """Keep what this build used for the next one, replacing the file atomically. Failing to is
    harmless: the next build renders more."""
    from builder.output import write_atomically
    from builder.output.cache import cache_folder

    with contextlib.suppress(OSError):
        cache_folder(out)
        write_atomically(memo_file(out), memo.parts())


class Reuse:
    """Which output files of the previous build this one may keep unrendered.

    `intact` maps each file the previous build wrote, and that nobody changed since, to the key
    it was rendered with. A renderer calls `keep(path, key)` before rendering a file: True means
    the file is kept as it is (do not render it); False means render it. Either way the key is
    recorded for the next build."""

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
