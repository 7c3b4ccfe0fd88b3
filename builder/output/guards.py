"""What stops a build, checked before it changes anything: an output folder that holds the notes
or lies inside them, or holds someone's files; and what stops a swap: a read-only file system,
an unwritable folder, a file or folder locked with `chattr +i` (or `chflags` on BSD and macOS),
and an output folder that is, or holds, a mount point.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shlex
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from builder.errors import OutputError
from builder.output.cache import MANIFEST, project_cache, shown, work_folder

_FS_IOC_GETFLAGS = 0x80086601  # Linux: the flags `lsattr` shows

_LINUX_LOCKS = ((0x10, "immutable (chattr +i)"), (0x20, "append-only (chattr +a)"))

_BSD_LOCKS = sum(
    getattr(stat, name, 0) for name in ("UF_IMMUTABLE", "UF_APPEND", "SF_IMMUTABLE", "SF_APPEND")
)

_CHFLAGS = hasattr(os.stat_result, "st_flags")  # BSD and macOS

_LINUX = sys.platform.startswith("linux")

_PEEK = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


FILE_IN_THE_WAY = "a file is in the way (the build writes a folder there)"


def check_output_path(out: Path) -> None:
    """Refuse an output path that is not a folder, or cannot lead to one: a link loop, or a
    path through a file. A missing one is made by the build."""
    try:
        mode = os.stat(out).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OutputError(f"{out.as_posix()}: a symbolic link loop, not a folder") from None
        if error.errno == errno.ENOTDIR:  # name the file the path goes through
            parts = (part for part in reversed(out.parents) if part.exists() and not part.is_dir())
            file = next(parts, out)
            raise OutputError(f"{file.as_posix()}: cannot write: {FILE_IN_THE_WAY}") from None
        return
    if not stat.S_ISDIR(mode):
        raise OutputError(f"{out.as_posix()}: the output path is not a folder")


def check_output_folder(out: Path, source_roots: Iterable[Path]) -> None:
    """Refuse an output folder that `check_output_path` refuses, holds the notes, or lies inside
    them. What else stops a build (a folder of someone's, one the swap could not replace)
    `Output` checks when it takes the folder's lock, before anything is rendered."""
    check_output_path(out)
    resolved = out.resolve()
    for root in source_roots:
        root_resolved = root.resolve()
        if resolved == root_resolved or root_resolved.is_relative_to(resolved):
            raise OutputError(
                f"{out.as_posix()}: the output folder contains the notes in "
                f"{root.as_posix()}; choose another folder (the build would "
                "overwrite them)"
            )
        if resolved.is_relative_to(root_resolved):
            raise OutputError(
                f"{out.as_posix()}: the output folder is inside the notes folder "
                f"{root.as_posix()}; choose a folder outside it"
            )


def previous_files(out: Path) -> set[str]:
    """The files the previous build wrote into `out`, from its manifest."""
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return set()
    except (OSError, UnicodeDecodeError) as error:
        raise OutputError(f"{(out / MANIFEST).as_posix()}: cannot read: {error}") from error
    return {line for line in text.splitlines() if line and _is_safe_relative(line)}


def _is_safe_relative(name: str) -> bool:
    parts = name.split("/")
    return not name.startswith("/") and ".." not in parts and "" not in parts


def check_replaceable(out: Path) -> None:
    """Refuse, with the reason, an output folder the swap could not replace: on a read-only
    file system, unwritable, locked, a mount point or holding one."""
    resolved = out.resolve()
    caches = tuple(dict.fromkeys(c for c in (work_folder(out), project_cache()) if c.is_dir()))
    if out.exists():
        folders: tuple[Path, ...] = (resolved, resolved.parent, *caches)
    else:  # the build makes it in the nearest folder that exists
        folders = (next(p for p in resolved.parents if p.exists()), *caches)
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


NOJEKYLL = ".nojekyll"  # tells Pages not to run Jekyll, which would drop `_`-prefixed files
# What a folder may hold before its first build, kept: what GitHub Pages reads that is not
# content (the custom domain; the owner's `.nojekyll` stands in for the build's).
PAGES_FILES = frozenset({"CNAME", NOJEKYLL})


def check_claimable(out: Path, force: bool) -> None:
    """Refuse, unless `force`, a folder that holds anything (but `PAGES_FILES`) and no Palace
    build (no manifest): it is someone's, and a build must not take it over silently."""
    target = out.resolve()
    if force or (target / MANIFEST).is_file() or not target.is_dir():
        return
    try:
        with os.scandir(target) as entries:
            empty = all(entry.name in PAGES_FILES for entry in entries)
    except OSError as error:
        raise OutputError(f"{out.as_posix()}: cannot read: {error.strerror}") from error
    if not empty:
        quoted = shlex.quote(out.as_posix())
        raise OutputError(
            f"{out.as_posix()}: the folder holds files and no Palace build; build into a new "
            f"or empty folder, or build beside its files once with `palace build --out {quoted} "
            "--force` (they are kept as they are; serve and publish then build there too)"
        )


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
