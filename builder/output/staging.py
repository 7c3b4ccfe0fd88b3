"""The next output folder: what it holds, and assembling it in a folder that may already
hold anything.

`staying` reads what of the output folder stays as it is (the owner's files), `Plan` adds what
the build rendered (`Plan.place` writes it into the staging folder at once) and kept, and
`Plan.make` makes the staging folder hold exactly that: a new one, or the spare (`swap.py`),
the folder the last build swapped out. The spare shares most of its files (inodes) with the
output folder, so a file there is used only if it is the very file the output folder has;
anything else is deleted, and new bytes always go into a new file. Whatever a killed build or
a person left in the spare, the result is as in a new folder, and no file of the output
folder is ever written into.
Each folder of the staging folder that the output folder has too gets that folder's mode
(special bits included) and owner; one that holds nothing of the build's, also its times.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from builder.output import guards, swap


@dataclass(frozen=True, slots=True)
class Link:
    """A file of the output folder that stays: the next one holds the same file (inode)."""

    source: str
    status: os.stat_result | None = None  # its lstat, if known


class Placed:
    """A file the build has written into the staging folder already (`Plan.place`)."""


PLACED = Placed()
# name: a folder, a file that stays, new bytes, or new bytes already in place
Folder = dict[str, "Folder | Link | bytes | Placed"]
_OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def staying(out: Path, skip: set[str], drop: set[str]) -> Folder:
    """What of `out` stays as it is: files the build never wrote and files it keeps, each
    folder holding one, and empty folders; not the files in `skip` (rendered anew) nor in
    `drop` (removed). Raises OSError for anything locked: the swap or the next build would
    have to delete it."""
    if not out.is_dir():
        return {}
    fd = os.open(out, _OPEN_FOLDER & ~os.O_NOFOLLOW)
    try:
        return _stay(fd, str(out), "", skip, drop)[0]
    finally:
        os.close(fd)


def _stay(fd: int, path: str, rel: str, skip: set[str], drop: set[str]) -> tuple[Folder, bool]:
    """`staying` of the folder open as `fd`, at `path`; and whether it is empty."""
    why = guards.lock_of_open(fd)
    if why is not None:
        raise OSError(errno.EPERM, f"the folder is {why}", path)
    found: Folder = {}
    empty = True
    with os.scandir(fd) as entries:
        for entry in entries:
            empty = False
            name, where = rel + entry.name, f"{path}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                try:
                    inner = os.open(entry.name, _OPEN_FOLDER, dir_fd=fd)
                except OSError as error:
                    raise OSError(error.errno, error.strerror, where) from error
                try:
                    folder, was_empty = _stay(inner, where, f"{name}/", skip, drop)
                finally:
                    os.close(inner)
                if folder or was_empty:
                    found[entry.name] = folder
                continue
            if entry.is_file(follow_symlinks=False):
                why = guards.lock_of(entry.name, dir_fd=fd)
                if why is not None:
                    raise OSError(errno.EPERM, f"the file is {why}", where)
            if name not in skip and name not in drop:
                found[entry.name] = Link(where, entry.stat(follow_symlinks=False))
    return found, empty


class Plan:
    """The next output folder of `out`, as a tree of `Folder`s."""

    def __init__(self, out: Path, tree: Folder) -> None:
        self.out, self.tree = out, tree
        self._folders: dict[str, int] = {}  # open folders of the staging folder, by path
        self._ours = {""}  # folders holding a file of the build's, at any depth

    def add(self, name: str, entry: Link | bytes | Placed) -> None:
        """Add a file; OSError if a file is where it needs a folder or the other way round."""
        *parents, base = name.split("/")
        folder = self.tree
        self._ours.update("/".join(parents[:depth]) for depth in range(len(parents) + 1))
        for depth, part in enumerate(parents, 1):
            inner = folder.setdefault(part, {})
            if not isinstance(inner, dict):
                where = self.out.joinpath(*parents[:depth])
                raise OSError(errno.EEXIST, os.strerror(errno.EEXIST), str(where))
            folder = inner
        if isinstance(folder.get(base), dict):
            raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), str(self.out / name))
        folder[base] = entry

    def place(self, staging: Path, name: str, data: bytes) -> None:
        """Add a file and write it into `staging` now, so that the build need not hold it."""
        stream = self.open(staging, name)
        try:
            with stream:
                stream.write(data)
        except OSError as error:  # a failed write() names no file: name it
            raise OSError(error.errno, error.strerror, f"{staging}/{name}") from error

    def open(self, staging: Path, name: str) -> BinaryIO:
        """Add a file, opened new in `staging` to write and read (whatever is in the way there,
        as the spare may hold anything, is removed first)."""
        self.add(name, PLACED)
        *parents, base = name.split("/")
        fd = self._folder(staging, parents)
        try:
            try:
                handle = os.open(base, _NEW_FILE, 0o666, dir_fd=fd)
            except FileExistsError:
                if stat.S_ISDIR(os.stat(base, dir_fd=fd, follow_symlinks=False).st_mode):
                    shutil.rmtree(base, dir_fd=fd)
                else:
                    os.unlink(base, dir_fd=fd)
                handle = os.open(base, _NEW_FILE, 0o666, dir_fd=fd)
        except OSError as error:
            raise OSError(error.errno, error.strerror, f"{staging}/{name}") from error
        return open(handle, "w+b")

    def _folder(self, staging: Path, parents: list[str]) -> int:
        """The folder `parents` of `staging`, open; made if missing, in place of any file."""
        path = "/".join(parents)
        fd = self._folders.get(path)
        if fd is not None:
            return fd
        if not parents:
            fd = os.open(staging, _OPEN_FOLDER)
        else:
            outer, name = self._folder(staging, parents[:-1]), parents[-1]
            try:
                try:
                    fd = os.open(name, _OPEN_FOLDER, dir_fd=outer)
                except FileNotFoundError:
                    os.mkdir(name, dir_fd=outer)
                    fd = os.open(name, _OPEN_FOLDER, dir_fd=outer)
                except OSError as error:
                    if error.errno not in (errno.ENOTDIR, errno.ELOOP):
                        raise
                    os.unlink(name, dir_fd=outer)  # a file or a link is in the way
                    os.mkdir(name, dir_fd=outer)
                    fd = os.open(name, _OPEN_FOLDER, dir_fd=outer)
            except OSError as error:
                raise OSError(error.errno, error.strerror, f"{staging}/{path}") from error
        self._folders[path] = fd
        return fd

    def close(self) -> None:
        """Close the folders `place` opened."""
        for fd in self._folders.values():
            os.close(fd)
        self._folders.clear()

    def make(self, folder: Path, reused: bool) -> None:
        """Make `folder` hold exactly this tree. If `reused`, it holds anything already (the
        spare): what it holds is used only where it is the very file of the output folder
        (same inode), or a folder; everything else is deleted, never written into."""
        fd = os.open(folder, _OPEN_FOLDER)
        try:
            _make(fd, self.tree, str(folder), not reused, _Models(str(self.out), self._ours))
        finally:
            os.close(fd)


class _Models:
    """Whose mode, owner and times each folder of the staging folder takes: the folder of the
    output folder `out` at the same place; `ours` hold a file of the build's (no times kept)."""

    def __init__(self, out: str, ours: set[str]) -> None:
        self.out, self.ours = out, ours
        self.mode = 0o777 & ~_umask()  # for folders the output folder lacks

    def settle(self, fd: int, rel: str, path: str) -> None:
        """Give the folder open as `fd` (`rel` in the output folder) its model's mode, owner
        and, if the build has nothing in it, times; the new-folder mode if it has no model."""
        try:
            model: os.stat_result | None = os.lstat(f"{self.out}/{rel}" if rel else self.out)
        except OSError:
            model = None
        current = os.fstat(fd)
        if model is None or not stat.S_ISDIR(model.st_mode):
            if stat.S_IMODE(current.st_mode) != self.mode:
                os.chmod(fd, self.mode)
            return
        if (current.st_uid, current.st_gid) != (model.st_uid, model.st_gid):
            try:
                os.chown(fd, model.st_uid, model.st_gid)
            except PermissionError as error:
                why = f"cannot keep its owner ({model.st_uid}:{model.st_gid}) in the new build"
                raise OSError(error.errno, why, path) from error
        if stat.S_IMODE(os.fstat(fd).st_mode) != stat.S_IMODE(model.st_mode):
            os.chmod(fd, stat.S_IMODE(model.st_mode))
        if rel not in self.ours:
            os.utime(fd, ns=(model.st_atime_ns, model.st_mtime_ns))


def _make(fd: int, tree: Folder, path: str, new: bool, models: _Models, rel: str = "") -> None:
    """Make the folder open as `fd`, at `path` (`rel` in the output folder), hold exactly
    `tree`; `new`: it is empty. Then give it its model's mode and owner (`_Models.settle`)."""
    status = os.fstat(fd)
    if status.st_uid == os.geteuid() and status.st_mode & 0o700 != 0o700:
        os.chmod(fd, stat.S_IMODE(status.st_mode) | 0o700)  # until settled: to fill it
    there = set()
    for entry in () if new else _listing(fd):
        wanted, name = tree.get(entry.name), entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if isinstance(wanted, dict):
                    there.add(name)
                    continue
                shutil.rmtree(name, dir_fd=fd)
            else:
                if isinstance(wanted, Placed) or (
                    isinstance(wanted, Link) and _same_file(entry, wanted)
                ):
                    there.add(name)
                    continue
                os.unlink(name, dir_fd=fd)  # new bytes go into a new file, never into this
        except OSError as error:
            raise OSError(error.errno, error.strerror, f"{path}/{name}") from error
    for name, wanted in tree.items():
        where = f"{path}/{name}"
        if isinstance(wanted, dict):
            made = name not in there
            try:
                if made:
                    os.mkdir(name, dir_fd=fd)
                inner = os.open(name, _OPEN_FOLDER, dir_fd=fd)
            except OSError as error:
                raise OSError(error.errno, error.strerror, where) from error
            try:
                _make(inner, wanted, where, made, models, f"{rel}/{name}" if rel else name)
            finally:
                os.close(inner)
        elif name in there:
            continue
        elif isinstance(wanted, Link):
            swap.link_or_copy(wanted.source, where)
        elif isinstance(wanted, Placed):  # removed since: by someone else
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), where)
        else:
            _new_file(fd, name, wanted, where)
    models.settle(fd, rel, path)


def _listing(fd: int) -> list[os.DirEntry[str]]:
    with os.scandir(fd) as entries:  # read whole: entries are deleted while going through
        return list(entries)


def _same_file(entry: os.DirEntry[str], link: Link) -> bool:
    status = entry.stat(follow_symlinks=False)
    try:
        source = link.status or os.lstat(link.source)
    except OSError:
        return False
    return (status.st_ino, status.st_dev) == (source.st_ino, source.st_dev)


def _new_file(fd: int, name: str, data: bytes, where: str) -> None:
    try:
        with open(os.open(name, _NEW_FILE, 0o666, dir_fd=fd), "wb") as stream:
            stream.write(data)
    except OSError as error:  # a failed write() names no file: name it
        raise OSError(error.errno, error.strerror, where) from error


def _umask() -> int:
    try:  # without changing it: other threads may be creating files
        status = Path("/proc/self/status").read_text(encoding="ascii")
        return int(status.split("\nUmask:")[1].split()[0], 8)
    except (OSError, IndexError, ValueError):
        mask = os.umask(0o022)
        os.umask(mask)
        return mask
