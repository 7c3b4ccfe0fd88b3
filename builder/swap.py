"""Putting a whole build in place at once, and one build at a time.

A build never edits the output folder file by file. It assembles the complete new folder
beside it (in `.palace-cache/`, on the same file system): files whose bytes are unchanged and
files the build never wrote (a `CNAME`) are hard links to the current ones, so they keep their
bytes and modification times; only new bytes are written. Then the two folders trade places
in one step (`renameat2(RENAME_EXCHANGE)`), and the old one is deleted. Killed at any moment,
the output folder is either the last good build or the new one, never a mix; what a killed
build leaves in `.palace-cache/` is removed by the next one.

`output_lock` serialises builds into one folder (a second `palace build`, or `build` beside
`serve`): an `flock` on a file in `.palace-cache/`, which the kernel releases when its process
dies, so a killed build can never leave it stuck.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

CACHE = ".palace-cache"  # beside the output folder; ignores itself in git
IGNORE_ALL = "# Created by palace: what the last build read and wrote.\n*\n"
STAGING = "staging-"
LOCK_WAIT = 120.0  # seconds a build waits for another one into the same folder
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def cache_folder(out: Path) -> Path:
    """`.palace-cache/` beside `out`, created (with its own `.gitignore`) when missing."""
    folder = out.resolve().parent / CACHE
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text(IGNORE_ALL, encoding="utf-8")
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


def clean_leftovers(out: Path) -> list[str]:
    """Remove what killed builds into `out` left behind; call with the lock held.

    Returns what was removed, for the build to say. Only folders this module names are touched.
    """
    folder = out.resolve().parent / CACHE
    prefix = f"{STAGING}{_name(out)}-"
    removed = []
    if folder.is_dir():
        for leftover in sorted(folder.iterdir()):
            if leftover.name.startswith(prefix) and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
                removed.append(leftover.as_posix())
    if not out.exists():  # killed between the two renames of the fallback swap: roll back
        backup = folder / f"{prefix}old"
        if backup.is_dir():
            os.rename(backup, out)
    return removed


def new_staging(out: Path) -> Path:
    staging = cache_folder(out) / f"{STAGING}{_name(out)}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def link_or_copy(source: Path, target: Path) -> None:
    """`target` becomes the same file as `source` (same bytes and times), cheaply if possible."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def swap_in(staging: Path, out: Path) -> None:
    """Make the complete folder `staging` the output folder in one step; drop the old one."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous build
        return
    # No atomic exchange here (another OS or file system): two renames, rolled back by
    # clean_leftovers() if a kill lands between them.
    backup = staging.parent / f"{STAGING}{_name(out)}-old"
    shutil.rmtree(backup, ignore_errors=True)
    os.rename(out, backup)
    os.rename(staging, out)
    shutil.rmtree(backup, ignore_errors=True)


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
