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

Trading places needs a folder that can be renamed and, afterwards, changed: `guards.py` stops
the build before it changes anything when it cannot be.

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
from builder.output.cache import (
    STAGING,
    TEMP,
    cache_folder,
    folder_name,
    make_work_folder,
    project_cache,
    shown,
    spare_folder,
    staging_folder,
    work_folder,
)
from builder.output.guards import check_unlocked, mount_points

LOCK_WAIT = 120.0  # seconds a build waits for another one into the same folder

_RENAME_EXCHANGE = 2

_AT_FDCWD = -100


@contextmanager
def output_lock(out: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the lock of `out` for the block; wait up to `wait` s for another build to finish."""
    lock = cache_folder(out) / f"{folder_name(out)}.lock"
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
    folder = work_folder(out)
    prefix = f"{STAGING}{folder_name(out)}-"
    backup = folder / f"{prefix}old"
    ours = re.compile(rf"{re.escape(prefix)}(\d+|old)")  # not those of `site-2` for `site`
    target = out.resolve()
    if not target.exists() and backup.is_dir():
        # Killed between the two renames of the fallback swap: roll back first (the loop
        # below would delete the backup, which is the last good build).
        os.rename(backup, target)
    removed: list[str] = []
    stuck: list[str] = []
    spare = spare_folder(out)
    temps = [] if folder == project_cache() else _listing(project_cache())
    for leftover in sorted([*_listing(folder), *temps]):
        if ours.fullmatch(leftover.name) and leftover.is_dir():
            if not (_is_folder(leftover) and _rename_if_free(leftover, spare)):
                shutil.rmtree(leftover, ignore_errors=True)
            (stuck if leftover.exists() else removed).append(shown(leftover, out))
        elif (temp := TEMP.fullmatch(leftover.name)) and not _alive(int(temp[1])):
            leftover.unlink(missing_ok=True)
            removed.append(shown(leftover, out))
    return removed, stuck


def _listing(folder: Path) -> list[Path]:
    return list(folder.iterdir()) if folder.is_dir() else []


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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's
    return True


def new_staging(out: Path) -> bool:
    """Make `staging_folder(out)`: the spare, moved there, if there is one (True), else a new
    empty folder (False). Call it inside the `try` that removes it whatever happens (a Ctrl-C
    between the two would leave it behind). The spare may hold anything: correct it."""
    make_work_folder(out)
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
        was, now = os.lstat(source), os.lstat(target)
        if (was.st_uid, was.st_gid) != (now.st_uid, now.st_gid):  # keep the owner's owner
            os.chown(target, was.st_uid, was.st_gid, follow_symlinks=False)


def swap_in(staging: Path, out: Path) -> None:
    """Make the complete folder `staging` the output folder in one step; keep the old one as
    the spare."""
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        _keep_as_spare(staging, out)  # it now holds the previous build
        return
    # No atomic exchange here (another OS or file system): two renames, rolled back by
    # clean_leftovers() if a kill lands between them.
    backup = staging.parent / f"{STAGING}{folder_name(out)}-old"
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
