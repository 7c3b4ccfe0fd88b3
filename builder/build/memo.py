"""What earlier builds rendered, remembered by what it was rendered from; and which of their
output files a build may keep as they are.

Two kinds of memory, both in `.palace-cache/` beside the output folder (never published):

`Memo` (`.palace-cache/<out>.memo`): tables of rendered pieces, `{key: value}`, where the key is
the input itself (a description's Markdown) or a `digest()` of everything the piece is made
from. A changed input is a different key, so an entry can never be stale, only unused. A build
keeps only what it used, so the memo does not grow with old entries. The whole memo belongs to
one `stamp` (the builder's code, libraries and settings): any other stamp and it starts empty.
Values are what `marshal` stores (str, bytes, numbers, tuples, lists, dicts), never changed
once made.

The file is a journal of frames, each `length (8 bytes LE) | CRC-32 (4 bytes LE) | payload`, the
payload a marshal dump: first the base, `{"format", "stamp", "tables"}`; then one delta per
build, what it changed: `{"added": {table: {key: value}}, "removed": {table: [key]}, "dropped":
[table]}` (a table dropped whole is one the build did not use). `load` applies the deltas in
order and stops at the first frame that is cut short or damaged (a build killed while appending):
as no entry is ever stale, any prefix of the journal is a correct memo, one that remembers less.
`save` appends one delta in a single `write` (~27 kB when one room of 10,000 loci changed,
where rewriting all 9 MB took ~17 ms), or nothing when nothing changed. It writes the whole file
anew, as one base frame (atomically), when the memo was not loaded from that very file with this
stamp (`Memo()`, another stamp, a file changed since), when the file's tail is damaged, or when
the journal outgrew its bounds (`JOURNAL_SHARE`, `MAX_DELTAS`).

CRC-32, not a cryptographic hash: it guards against torn and damaged writes, not against
someone who can write `.palace-cache/` (and could as well write the site); on the 9 MB base it
costs 2 ms a load, blake2b 10 ms. The file is mapped (`mmap`), not read: copying 9 MB into a
fresh buffer cost a load 5 ms.

`Reuse`: for each file it writes, a build records a key of what the file shows (in the build
record of `fingerprint.py`). The next build computes the key again; when it is the same and the
file is still exactly as the previous build wrote it, the file is kept, not rendered again.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import mmap
import os
import struct
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

FORMAT = 2
HEADER = struct.Struct("<QI")  # a frame's payload length and CRC-32; the payload follows
# A build appends its delta while the deltas stay within a quarter of the base's bytes and
# MAX_DELTAS frames; otherwise it writes the file anew. A quarter: a load reads and applies at
# most 25 % more than the base, and the rewrite put off until then writes ~4 bytes of base per
# byte of delta, so spread over the builds it costs about four times what appending did. 32: at
# 10,000 loci a one-room delta (~27 kB) adds ~0.05 ms to every load until the rewrite (~20 ms),
# and 32 builds between rewrites make the sum least (~1.5 ms a build; 64 deltas add 3 ms a load).
JOURNAL_SHARE = 4
MAX_DELTAS = 32
V = TypeVar("V")
Tables = dict[str, dict[Any, Any]]
_MISSING = object()


def digest(*parts: Any) -> str:
    """A short hex digest of `parts`: marshal values (str, bytes, numbers, tuples, lists).

    Marshal format 2: later formats write an object seen twice as a reference to the first,
    depending on how many references Python holds to it, so equal values could digest apart."""
    return hashlib.blake2b(marshal.dumps(parts, 2), digest_size=16).hexdigest()


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

    def peek(self, key: Any, default: Any = None) -> Any:
        """The value remembered for `key` by this build or the last, without keeping it for
        the next build."""
        value = self._new.get(key, _MISSING)
        return self._old.get(key, default) if value is _MISSING else value


@dataclass(frozen=True, slots=True)
class _Journal:
    """The memo file as `load` found it, every frame intact: a delta may be appended to it."""

    file: tuple[int, int, int]  # device, inode and size: still the same file when saving?
    base: int  # bytes of the base frame
    deltas: int  # frames after it

    def takes(self, frame: int) -> bool:
        """Whether a delta of `frame` bytes keeps the journal within its bounds."""
        journal = self.file[2] - self.base + frame
        return self.deltas < MAX_DELTAS and journal * JOURNAL_SHARE <= self.base


class Memo:
    """The remembered pieces of one output folder; `Memo()` remembers nothing from before."""

    __slots__ = ("_journal", "_new", "_old", "_tables", "stamp")

    def __init__(self, stamp: str = "", tables: Mapping[str, dict[Any, Any]] | None = None) -> None:
        self.stamp = stamp
        self._old = dict(tables or {})
        self._new: Tables = {}
        self._tables: dict[str, Table] = {}
        self._journal: _Journal | None = None  # set by `load`: `save` may append to the file

    def table(self, name: str) -> Table:
        table = self._tables.get(name)
        if table is None:
            new = self._new.setdefault(name, {})
            table = self._tables[name] = Table(self._old.get(name, {}), new)
        return table

    def used(self) -> Tables:
        """What this build has used so far, table by table: for a forked child to send back."""
        return self._new

    def adopt(self, used: Mapping[str, dict[Any, Any]]) -> None:
        """Take in what another process, rendering for this build, used (its `used()`)."""
        for name, entries in used.items():
            self._new.setdefault(name, {}).update(entries)

    def dumps(self) -> bytes:
        """What this build used, for the next one: the payload of a base frame."""
        return marshal.dumps({"format": FORMAT, "stamp": self.stamp, "tables": self._new})


def memo_file(out: Path) -> Path:
    folder = out.resolve()
    from builder.output.swap import CACHE

    return folder.parent / CACHE / f"{folder.name or 'root'}.memo"


def load(out: Path, stamp: str) -> Memo:
    """The memo of the last build into `out`, if it was made with the same `stamp`."""
    try:
        with (
            open(memo_file(out), "rb") as file,
            mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data,
            memoryview(data) as view,
        ):
            return _read(view, stamp, os.fstat(file.fileno()))
    except (OSError, ValueError, TypeError, BufferError):
        return Memo(stamp)  # none, empty or damaged: start empty


def _read(view: memoryview, stamp: str, info: os.stat_result) -> Memo:
    """The memo in `view`: the base frame, then each delta up to the end or a damaged frame.
    Errors stay in here: a traceback holding a slice of `view` would keep the file mapped."""
    try:
        base = marshal.loads(_payload(view, 0))
        if base["format"] != FORMAT or base["stamp"] != stamp:
            return Memo(stamp)
        tables: Tables = base["tables"]
        if not isinstance(tables, dict):
            raise TypeError("tables")
    except (ValueError, EOFError, TypeError, KeyError):
        return Memo(stamp)  # damaged, or not a memo of this format
    start = size = HEADER.size + HEADER.unpack_from(view)[0]
    deltas = 0
    while start < len(view):
        try:
            delta = marshal.loads(_payload(view, start))
            _apply(tables, delta)
        except (ValueError, EOFError, TypeError, KeyError, AttributeError):
            break  # cut short or damaged: what came before stands
        start += HEADER.size + HEADER.unpack_from(view, start)[0]
        deltas += 1
    memo = Memo(stamp, tables)
    if start == len(view):
        memo._journal = _Journal((info.st_dev, info.st_ino, start), size, deltas)
    return memo


def _payload(view: memoryview, start: int) -> memoryview:
    """The payload of the frame at `start`, if it is whole and its checksum right."""
    if len(view) - start < HEADER.size:
        raise ValueError("frame header cut short")
    length, check = HEADER.unpack_from(view, start)
    payload = view[start + HEADER.size : start + HEADER.size + length]
    if len(payload) != length or zlib.crc32(payload) != check:
        raise ValueError("frame cut short or damaged")
    return payload


def _apply(tables: Tables, delta: dict[str, Any]) -> None:
    for name in delta["dropped"]:
        tables.pop(name, None)
    for name, keys in delta["removed"].items():
        table = tables.get(name, {})
        for key in keys:
            table.pop(key, None)
    for name, entries in delta["added"].items():
        tables.setdefault(name, {}).update(entries)


def _delta(old: Tables, new: Tables) -> dict[str, Any] | None:
    """What turns `old`, the memo `load` read, into `new`, what this build used; None if
    nothing. A key in both has the same value in both: a build takes it from `old` or makes it
    anew from the same inputs. Every table is looked through (~1.5 ms at 10,000 loci), not only
    those whose `hits` and `misses` say so: a forked child's entries join `new` without them."""
    added: Tables = {}
    removed: dict[str, list[Any]] = {}
    for name, entries in new.items():
        before = old.get(name)
        if before is None:
            added[name] = entries
            continue
        fresh = {key: value for key, value in entries.items() if key not in before}
        if fresh:
            added[name] = fresh
        if len(before) + len(fresh) != len(entries):  # some of `before` went unused
            removed[name] = [key for key in before if key not in entries]
    dropped = [name for name in old if name not in new]
    if not (added or removed or dropped):
        return None
    return {"added": added, "removed": removed, "dropped": dropped}


def _header(payload: bytes) -> bytes:
    return HEADER.pack(len(payload), zlib.crc32(payload))


def _frame(payload: bytes) -> bytes:
    return _header(payload) + payload


def save(out: Path, memo: Memo) -> None:
    """Keep what this build used for the next one: append what changed since `load` to the
    file, or write the file anew (atomically). Failing to is harmless: the next build renders
    more, or finds the damaged frame and ignores it."""
    from builder.output import replace_file
    from builder.output.swap import cache_folder

    with contextlib.suppress(OSError):
        journal = memo._journal
        if journal is not None:
            delta = _delta(memo._old, memo._new)
            if delta is None:
                return  # the file holds what this build used already
            memo._journal = None  # the file no longer holds `_old`
            frame = _frame(marshal.dumps(delta))
            if journal.takes(len(frame)) and _append(memo_file(out), journal, frame):
                return
        memo._journal = None
        cache_folder(out)
        payload = memo.dumps()  # written after its header, not copied behind it: at 50,000
        replace_file(memo_file(out), _header(payload), payload)  # loci, a copy is 45 MB more


def _append(file: Path, journal: _Journal, frame: bytes) -> bool:
    """Append `frame` in one write, if the file is still the one `load` read, and as long;
    False if it is not, or the write failed or fell short (then the file is written anew, and
    if that fails too, the next load stops before the torn frame)."""
    try:
        handle = os.open(file, os.O_WRONLY | os.O_APPEND)
    except OSError:
        return False  # gone since
    try:
        info = os.fstat(handle)
        if (info.st_dev, info.st_ino, info.st_size) != journal.file:
            return False  # changed since
        return os.write(handle, frame) == len(frame)
    except OSError:
        return False
    finally:
        os.close(handle)


def stamp(settings: Mapping[str, Any], code: list[tuple[str, int, int]]) -> str:
    """What every remembered piece depends on: the settings and the code that renders."""
    return digest(repr(sorted(settings.items())), code)


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

    @property
    def nothing_kept(self) -> bool:
        """Whether no file of the previous build can stay: everything is rendered anew."""
        return not self._intact

    def previous(self, path: str) -> str | None:
        """The key the previous build rendered `path` with, if the file is still as it wrote it."""
        return self._intact.get(path)

    def keep(self, path: str, key: str) -> bool:
        self.keys[path] = key
        if self._intact.get(path) == key:
            self.kept.add(path)
            return True
        return False
