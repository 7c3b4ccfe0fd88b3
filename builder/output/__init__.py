"""Writing a build into the output folder, safely.

A build never edits the output folder file by file: each file, as soon as it is rendered, goes
into the new folder assembled beside the old one (`staging.py`, in the folder the last build
swapped out), and once the build is complete the two are swapped at once (`swap.py`). A build
that fails before the swap leaves the output folder as it was. After the swap,
files whose bytes are unchanged keep their bytes and modification times, files the previous
build wrote and this one does not are gone, files the build never wrote (a `CNAME`, say) are
kept. One build at a time writes into a folder. What the build owns is listed in `MANIFEST`
inside the output folder.

The output folder belongs to Palace only as far as `MANIFEST` says: a build into a folder that
holds files but no manifest is refused unless forced (`check_claimable`); the owner's files and
folders keep their bytes, modes, owners and times (`staging.py`), and a file of the owner's
where the build would write one is an error, never overwritten. A symbolic link to the output
folder is resolved once, when the build starts: the build goes into its target, the link stays.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from builder.errors import OutputError
from builder.output import cache, guards, swap
from builder.output.staging import Link, Plan, staying

__all__ = ["MANIFEST", "Output", "check_claimable", "check_output_folder", "previous_files"]

from builder.output.cache import MANIFEST
from builder.output.guards import check_claimable, check_output_folder, previous_files


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    cleaned: tuple[str, ...] = ()  # what killed builds had left behind, removed by this one
    stuck: tuple[str, ...] = ()  # what they left that could not be removed (locked, mounted)

    @property
    def files(self) -> tuple[str, ...]:
        """Every file the build owns now, written or unchanged."""
        return tuple(sorted((*self.written, *self.unchanged)))

    def __str__(self) -> str:
        text = (
            f"{len(self.written)} written, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed"
        )
        if self.cleaned:
            text += f"; cleaned up after an interrupted build: {', '.join(self.cleaned)}"
        if self.stuck:
            text += f"; could not remove what an interrupted build left: {', '.join(self.stuck)}"
        return text


def write_output(
    out: Path, files: Mapping[str, bytes], keep: Collection[str] = (), force: bool = False
) -> WriteReport:
    """Make `out` hold exactly `files` (plus whatever the build never owned); see `Output`."""
    with Output(out, force) as output:
        for name in sorted(files):
            output.put(name, files[name])
        return output.finish(keep)


class Output:
    """A build being written into `out`, as a context manager: `put` each file as it is
    rendered, then `finish`. The files go into the staging folder at once, so the build holds
    none; `out` changes only in `finish`, in one swap. Leaving the block any other way (an
    error, a build that saw its notes saved meanwhile) removes the staging folder and leaves
    `out` as it was. One build at a time writes into a folder: the block holds its lock.

    Raises OutputError, with the path and the cause in one line, when the folder cannot be
    written, holds someone's files and no Palace build (unless `force`), or holds a file of
    someone's where the build writes one; but an owner's `.nojekyll` stands in for the build's
    (Pages reads only that it is there), and stays as it is."""

    def __init__(self, out: Path, force: bool = False) -> None:
        self.out = out  # as the user spelt it, for messages
        self.target = out.resolve()  # once: a symbolic link stays, its target is built into
        self.force = force
        self.staging = cache.staging_folder(self.target)
        self._stack = ExitStack()
        self._reused = False
        self._written: list[str] = []
        self._unchanged: list[str] = []
        self._old: set[str] = set()
        self._cleaned: list[str] = []
        self._stuck: list[str] = []
        self._plan = Plan(self.target, {})

    def __enter__(self) -> Output:
        out = self.target
        try:
            guards.check_replaceable(self.out)
            self._stack.enter_context(swap.output_lock(self.out))
            check_claimable(self.out, self.force)
            self._cleaned, self._stuck = swap.clean_leftovers(self.out)
            self._old = previous_files(out)
            # what stays as it is (the owner's files); what the previous build wrote is kept
            # only if this one keeps it (`finish`)
            self._plan = Plan(out, staying(out, skip={*self._old, MANIFEST}, drop=set()))
            self._stack.callback(shutil.rmtree, self.staging, ignore_errors=True)
            self._stack.callback(self._plan.close)
            self._reused = swap.new_staging(self.out)  # after the callback: see its docstring
        except OSError as error:
            self._stack.close()
            raise _failure(self.out, error, self.staging) from error
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def previous(self) -> frozenset[str]:
        """The files the previous build wrote into the output folder (its manifest)."""
        return frozenset(self._old)

    def put(self, name: str, data: bytes | Iterable[bytes]) -> None:
        """Add the file `name` of the new output folder: a new file unless `out` holds the
        same bytes there already, which then stays as it is (bytes, modification time).
        `data` may come in pieces (a big page), written as they come (`writing`).
        Raises OutputError if `out` holds a file there that the build did not write (an
        owner's `.nojekyll` does what the build's would: it stays, and `name` is not written)."""
        if name == guards.NOJEKYLL and self._holds_theirs(name):
            return
        if not isinstance(data, bytes):
            with self.writing(name) as stream:
                stream.writelines(data)
            return
        self._check_way(name)
        try:
            if _same_bytes(self.target / name, data):
                self._plan.add(name, Link(str(self.target / name)))
                self._unchanged.append(name)
            else:
                self._plan.place(self.staging, name, data)
                self._written.append(name)
        except OSError as error:
            raise self._failure(error) from error

    @contextmanager
    def writing(self, name: str) -> Iterator[BinaryIO]:
        """`put` for a file written as a stream (a deck, too big to hold): the block writes
        the file `name`, new in the staging folder; it is kept only if its bytes differ from
        the output folder's file, which otherwise stays as it is."""
        self._check_way(name)
        target = self.target / name
        try:
            stream = self._plan.open(self.staging, name)
        except OSError as error:
            raise self._failure(error) from error
        try:
            with stream:
                yield stream
                stream.flush()
                same = _same_stream(target, stream)
            if same:  # the output folder's file stays
                (self.staging / name).unlink()
                self._plan.add(name, Link(str(target)))
                self._unchanged.append(name)
            else:
                self._written.append(name)
        except OSError as error:
            if error.filename is None or cache.TEMP.fullmatch(Path(error.filename).name):
                # a failed write() names no file, a temp file means nothing to the user: it is
                # this file that cannot be written
                error = OSError(error.errno, error.strerror, str(self.staging / name))
            raise self._failure(error) from error

    def finish(self, keep: Collection[str] = ()) -> WriteReport:
        """Complete the new folder and swap it in.

        `keep` names files of the previous build that this one did not render again because
        nothing they show changed (an incremental build): they stay as they are, and the build
        still owns them. A name also `put` counts as rendered."""
        out, plan = self.target, self._plan
        rendered = {*self._written, *self._unchanged}
        kept = sorted(name for name in set(keep) - rendered if name in self._old)
        owned = rendered | set(kept)
        try:
            for name in kept:
                plan.add(name, Link(str(out / name)))
            manifest = "".join(f"{name}\n" for name in sorted(owned)).encode("utf-8")
            same = _same_bytes(out / MANIFEST, manifest)
            plan.add(MANIFEST, Link(str(out / MANIFEST)) if same else manifest)
            plan.close()
            plan.make(self.staging, True)  # it holds what was placed already
            swap.swap_in(self.staging, out)
        except OSError as error:
            raise self._failure(error) from error
        return WriteReport(
            tuple(sorted(self._written)),
            tuple(sorted((*self._unchanged, *kept))),
            tuple(sorted(self._old - owned)),
            tuple(self._cleaned),
            tuple(self._stuck),
        )

    def _holds_theirs(self, name: str) -> bool:
        """Whether the output folder holds a file `name` that palace did not write."""
        return name not in self._old and _is_file(self.target / name)

    def _check_way(self, name: str) -> None:
        """OutputError if a file palace did not write is where it writes `name`."""
        if self._holds_theirs(name):
            raise OutputError(
                f"{cache.shown(self.target / name, self.out)}: cannot write: a file palace did "
                "not write is in the way (palace never overwrites it: move it away)"
            )

    def _failure(self, error: OSError) -> OutputError:
        failure = error
        if self._reused and _not_allowed(error, self.staging):
            # Something in the spare this user may not change (another user's, locked): put
            # the spare back and name what is in it, not the output folder.
            swap.put_back(self.staging, self.target)
            failure = _in_spare(error, self.staging, cache.spare_folder(self.target))
        return _failure(self.out, failure, self.staging)


def _failure(out: Path, error: OSError, staging: Path | None = None) -> OutputError:
    where = cache.shown(error.filename or out, out, staging)
    cause = _CAUSES.get(error.errno or 0) or error.strerror or str(error)
    return OutputError(f"{where}: cannot write: {cause}")


_CAUSES = {
    errno.EISDIR: "a folder is in the way (the build writes a file there)",
    errno.EEXIST: guards.FILE_IN_THE_WAY,
    errno.ENOTDIR: guards.FILE_IN_THE_WAY,
}


def _not_allowed(error: OSError, staging: Path) -> bool:
    in_staging = error.filename and Path(error.filename).is_relative_to(staging)
    return bool(in_staging) and error.errno in (errno.EACCES, errno.EPERM)


def _in_spare(error: OSError, staging: Path, spare: Path) -> OSError:
    """`error`, which happened in `staging`, as it is in `spare`: and why, if locked."""
    path = spare / Path(error.filename).relative_to(staging)
    try:
        for suspect in (path, path.parent):
            guards.check_unlocked(suspect)
    except OSError as locked:
        return locked
    return OSError(error.errno, error.strerror, str(path))


def _is_file(path: Path) -> bool:
    """Anything but a folder (a file, a link, a FIFO) at `path`."""
    try:
        return not stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _same_stream(path: Path, stream: BinaryIO) -> bool:
    """Whether the file at `path` holds the bytes of `stream` (read from its start)."""
    try:
        other = path.open("rb")
    except OSError:
        return False
    with other:
        if os.fstat(other.fileno()).st_size != stream.seek(0, os.SEEK_END):
            return False
        stream.seek(0)
        while True:
            chunk = stream.read(_CHUNK)
            if chunk != other.read(_CHUNK):
                return False
            if not chunk:
                return True


_CHUNK = 1 << 20
