"""Putting a whole build in place at once, and one build at a time.

A build never edits the output folder file by file. It assembles the complete new folder
beside it (in `.palace-cache/`, on the same file system): files whose bytes are unchanged and
files the build never wrote (a `CNAME`) are hard links to the current ones, so they keep their
bytes and modification times; only new bytes are written. Then the two folders trade places
in one step (`renameat2(RENAME_EXCHANGE)`). Killed at any moment, the output folder is either
the last good build or the new one, never a mix.

The folder swapped out is kept as the *spare* (`spare-<name>`): the next build assembles its
folder in it rather than in a new one, which saves making every folder and deleting the old
tree (most of a small rebuild's writing). Nothing in the spare is trusted: `staging.py` makes
it hold exactly the next build, whatever state a killed build or a person left it in. What a
killed build leaves in `.palace-cache/` is removed by the next one, or becomes its spare.

Trading places needs a folder that can be renamed and, afterwards, changed: a read-only file
system, an output folder that is (or holds) a mount point, and a file locked with `chattr +i`
stop the build before it changes anything (`check_replaceable`, `lock_of`).

`output_lock` serialises builds into one folder (a second `palace build`, or `build` beside
`serve`): an `flock` on a file in `.palace-cache/`, which the kernel releases when its process
dies, so a killed build can never leave it stuck.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from builder.errors import OutputError

CACHE = ".palace-cache"  # beside the output folder; ignores itself in git
IGNORE_ALL = "# Created by palace: what the last build read and wrote.\n*\n"
STAGING = "staging-"
SPARE = "spare-"
LOCK_WAIT = 120.0  # seconds a build waits for another one into the same folder
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_FS_IOC_GETFLAGS = 0x80086601  # Linux: the flags `lsattr` shows
_LINUX_LOCKS = ((0x10, "immutable (chattr +i)"), (0x20, "append-only (chattr +a)"))
_BSD_LOCKS = sum(
    getattr(stat, name, 0) for name in ("UF_IMMUTABLE", "UF_APPEND", "SF_IMMUTABLE", "SF_APPEND")
)


def cache_folder(out: Path) -> Path:
    """`.palace-cache/` beside `out`, created (with its own `.gitignore`) when missing."""
    folder = out.resolve().parent / CACHE
    ignore = folder / ".gitignore"
    if not ignore.is_file():  # also when a build was killed between making the two
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f"{temp_prefix()}gitignore.tmp"
        try:
            temp.write_text(IGNORE_ALL, encoding="utf-8")
            os.replace(temp, ignore)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    return folder


def _name(out: Path) -> str:
    return out.resolve().name or "root"


@contextmanager
def output_lock(out: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the lock of `out` for the block; wait up to `wait` s for another build to finish."""
    lock = cache_folder(out) / f"{_name(out)}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError(
                        f"{out.as_posix()}: another palace build is still writing here after "
                        f"{wait:.0f} s; try again when it has finished"
                    ) from None
                if not told:
                    sys.stderr.write(f"waiting for another palace build into {out.as_posix()} …\n")
                    told = True
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def clean_leftovers(out: Path) -> tuple[list[str], list[str]]:
    """Remove what killed builds into `out` left behind; call with the lock held.

    Returns what was removed and what could not be (something in it is locked or mounted),
    for the build to say. Only names this module makes are touched: staging folders of `out`,
    and temp files (`temp_prefix`) of processes that are gone. A staging folder becomes the
    spare if there is none (it holds a whole build or part of one: as good as any spare)."""
    folder = out.resolve().parent / CACHE
    prefix = f"{STAGING}{_name(out)}-"
    backup = folder / f"{prefix}old"
    ours = re.compile(rf"{re.escape(prefix)}(\d+|old)")  # not those of `site-2` for `site`
    if not out.exists() and backup.is_dir():
        # Killed between the two renames of the fallback swap: roll back first (the loop
        # below would delete the backup, which is the last good build).
        os.rename(backup, out)
    removed: list[str] = []
    stuck: list[str] = []
    if not folder.is_dir():
        return removed, stuck
    spare = spare_folder(out)
    for leftover in sorted(folder.iterdir()):
        if ours.fullmatch(leftover.name) and leftover.is_dir():
            if not (_is_folder(leftover) and _rename_if_free(leftover, spare)):
                shutil.rmtree(leftover, ignore_errors=True)
            (stuck if leftover.exists() else removed).append(shown(leftover, out))
        elif (temp := _TEMP.fullmatch(leftover.name)) and not _alive(int(temp[1])):
            leftover.unlink(missing_ok=True)
            removed.append(shown(leftover, out))
    return removed, stuck


def _is_folder(path: Path) -> bool:
    """A folder, not a symbolic link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _rename_if_free(path: Path, target: Path) -> bool:
    if os.path.lexists(target):
        return False
    try:
        os.rename(path, target)
    except OSError:
        return False
    return True


def temp_prefix() -> str:
    """How temp files in `.palace-cache/` begin: with the pid, so that what a killed process
    left can be told from what a running one is writing."""
    return f".palace-{os.getpid()}-"


_TEMP = re.compile(r"\.palace-(\d+)-.*\.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's
    return True


def staging_folder(out: Path) -> Path:
    """Where this process assembles the next build of `out`."""
    return out.resolve().parent / CACHE / f"{STAGING}{_name(out)}-{os.getpid()}"


def spare_folder(out: Path) -> Path:
    """Where the folder the last build swapped out of `out` is kept for the next one."""
    return out.resolve().parent / CACHE / f"{SPARE}{_name(out)}"


def new_staging(out: Path) -> bool:
    """Make `staging_folder(out)`: the spare, moved there, if there is one (True), else a new
    empty folder (False). Call it inside the `try` that removes it whatever happens (a Ctrl-C
    between the two would leave it behind). The spare may hold anything: correct it."""
    cache_folder(out)
    staging = staging_folder(out)
    shutil.rmtree(staging, ignore_errors=True)
    spare = spare_folder(out)
    if _is_folder(spare):
        points = mount_points(spare)  # what is mounted there would be changed
        if points:
            raise OutputError(
                f"{shown(points[0], out)}: cannot write: a file system is mounted there "
                "(palace assembles the next build of the output folder in this one)"
            )
        os.rename(spare, staging)
        return True
    if os.path.lexists(spare):  # not a folder: nothing a build made
        os.unlink(spare)
    staging.mkdir()
    return False


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """`target`, which must not exist, becomes the same file as `source` (same bytes and
    times), cheaply if possible.

    Raises OSError if `source` is locked: the swap could not delete it afterwards."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as error:
        if error.errno == errno.EEXIST:  # never copy into a file that is there (it may be
            raise  # the same as one in the output folder)
        if error.errno == errno.EPERM:  # also what no hard links on this file system says
            check_unlocked(Path(source))
        shutil.copy2(source, target, follow_symlinks=False)


# -- what stops a swap: checked before the build changes anything ------------------------------


def check_replaceable(out: Path) -> None:
    """Refuse, with the reason, an output folder the swap could not replace: on a read-only
    file system, unwritable, locked, a mount point or holding one."""
    resolved = out.resolve()
    cache = resolved.parent / CACHE
    if out.exists():
        folders: tuple[Path, ...] = (resolved, resolved.parent)
        folders += (cache,) if cache.is_dir() else ()
    else:  # the build makes it in the nearest folder that exists
        folders = (next(p for p in out.absolute().parents if p.exists()),)
    for folder in folders:
        if not folder.is_dir():
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
        check_unlocked(folder)
        if not os.access(folder, os.W_OK):
            read_only = os.statvfs(folder).f_flag & os.ST_RDONLY
            code = errno.EROFS if read_only else errno.EACCES
            raise OSError(code, os.strerror(code), str(folder))
    for point in mount_points(out):
        cause = (
            "the output folder is a mount point (a build replaces the whole folder); "
            "build into a folder inside it"
            if point == out.resolve()
            else "a file system is mounted there (a build replaces the whole output folder)"
        )
        raise OutputError(f"{shown(point, out)}: cannot write: {cause}")


def lock_of(path: str | Path, dir_fd: int | None = None) -> str | None:
    """Why `path` (relative to the folder open as `dir_fd`, if given) cannot be renamed or
    deleted even by root (`chattr +i`), or None."""
    try:
        if _CHFLAGS:
            return _why(os.lstat(path, dir_fd=dir_fd))
        if not _LINUX:
            return None
        fd = os.open(path, _PEEK, dir_fd=dir_fd)
    except OSError:
        return None  # gone, a symbolic link, or unreadable: nothing a swap would trip on
    try:
        return lock_of_open(fd)
    finally:
        os.close(fd)


def lock_of_open(fd: int) -> str | None:
    """`lock_of` the file or folder open as `fd`."""
    if _CHFLAGS:
        return _why(os.fstat(fd))
    if not _LINUX:
        return None
    try:
        buffer = bytearray(8)
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, buffer)
    except OSError:
        return None  # a file system without such flags
    flags = int.from_bytes(buffer[:4], sys.byteorder)
    return next((why for bit, why in _LINUX_LOCKS if flags & bit), None)


def _why(status: os.stat_result) -> str | None:
    return "locked (chflags)" if getattr(status, "st_flags", 0) & _BSD_LOCKS else None


_CHFLAGS = hasattr(os.stat_result, "st_flags")  # BSD and macOS
_LINUX = sys.platform.startswith("linux")
_PEEK = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def check_unlocked(path: Path) -> None:
    why = lock_of(path)
    if why is not None:
        kind = "folder" if path.is_dir() else "file"
        raise OSError(errno.EPERM, f"the {kind} is {why}", str(path))


def mount_points(folder: Path, mountinfo: Path = Path("/proc/self/mountinfo")) -> list[Path]:
    """The mount points at or below `folder` (Linux; elsewhere none are found)."""
    try:
        table = mountinfo.read_bytes()
    except OSError:
        return []
    root = folder.resolve()
    found = []
    for line in table.splitlines():
        fields = line.split(b" ")
        if len(fields) > 4:  # field 5 is the mount point, with space, tab, \n and \ escaped
            point = Path(os.fsdecode(re.sub(rb"\\([0-7]{3})", _unescape, fields[4])))
            if point.is_relative_to(root):
                found.append(point)
    return sorted(set(found))


def _unescape(match: re.Match[bytes]) -> bytes:
    return bytes([int(match[1], 8)])


def shown(path: str | Path, out: Path, staging: Path | None = None) -> str:
    """`path` as the user knows it: a file of the staging folder as the output file it
    becomes, `.palace-cache/` and the output folder spelt as the user spelt `out`."""
    path = Path(os.path.abspath(path))
    resolved = out.resolve()
    for base, spelt in (
        (staging, out),
        (resolved, out),
        (resolved.parent / CACHE, out.parent / CACHE),
        (resolved.parent, out.parent),
    ):
        if base is not None and path.is_relative_to(base):
            text = (spelt / path.relative_to(base)).as_posix()
            return path.as_posix() if text == "." else text
    return path.as_posix()


# -- the swap ----------------------------------------------------------------------------------


def swap_in(staging: Path, out: Path) -> None:
    """Make the complete folder `staging` the output folder in one step; keep the old one as
    the spare."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        _keep_as_spare(staging, out)  # it now holds the previous build
        return
    # No atomic exchange here (another OS or file system): two renames, rolled back by
    # clean_leftovers() if a kill lands between them.
    backup = staging.parent / f"{STAGING}{_name(out)}-old"
    shutil.rmtree(backup, ignore_errors=True)
    os.rename(out, backup)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(backup, out)
        raise
    _keep_as_spare(backup, out)


def _keep_as_spare(previous: Path, out: Path) -> None:
    if not _rename_if_free(previous, spare_folder(out)):  # something is in the way
        shutil.rmtree(previous, ignore_errors=True)


def put_back(staging: Path, out: Path) -> None:
    """Make `staging` the spare again (after a build failed; it is corrected before use)."""
    _rename_if_free(staging, spare_folder(out))


def _exchange(first: Path, second: Path) -> bool:
    """Atomically trade two paths (Linux renameat2); False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))
