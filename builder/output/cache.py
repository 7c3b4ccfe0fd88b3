"""Where a build keeps what is not published, and how those paths are shown to the user.

The record of the last build, its memo and its lock are in `.palace-cache/` of the project
folder (the current folder, where palace runs), named after the output folder (`key`). The
staging and spare folders must be on the output folder's file system, for the swap: they are
in the project's `.palace-cache/` when it is on the same file system as the folder that holds
the output folder (the common case), otherwise in a `.palace-cache/` beside the output folder
(`work_folder`). Each such folder holds a `.gitignore` of its own, so git never sees it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

CACHE = ".palace-cache"  # in the project folder; ignores itself in git

MANIFEST = ".palace-manifest"  # in the output folder: the files the last build wrote there

IGNORE_ALL = "# Created by palace: what the last build read and wrote.\n*\n"

STAGING = "staging-"

SPARE = "spare-"

TEMP = re.compile(r"\.palace-(\d+)-.*\.tmp")  # a temp file, by the pid of its writer


def project_cache() -> Path:
    """`.palace-cache/` of the project folder (the current folder), not created."""
    return Path.cwd().resolve() / CACHE


def cache_folder(out: Path) -> Path:
    """The project's `.palace-cache/`, created (with its own `.gitignore`) when missing: where
    the record, memo and lock of the builds into `out` are kept."""
    return _made(project_cache())


def work_folder(out: Path) -> Path:
    """Where the staging and spare folders of `out` are (not created): the project's
    `.palace-cache/` if it is on the file system of the folder that holds `out`, else a
    `.palace-cache/` beside `out`."""
    parent = out.resolve().parent
    project = project_cache()
    if parent == project.parent or _device(parent) == _device(project):
        return project
    return parent / CACHE


def make_work_folder(out: Path) -> Path:
    """`work_folder(out)`, created when missing."""
    return _made(work_folder(out))


def _device(path: Path) -> int:
    """The file system of `path`, or of the nearest folder above it that exists."""
    for folder in (path, *path.parents):
        try:
            return os.stat(folder).st_dev
        except OSError:
            continue
    return -1


def _made(folder: Path) -> Path:
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


def folder_name(out: Path) -> str:
    """What the names of the files of `out` in `.palace-cache/` start with: its name, and, for
    a folder not directly in the project folder, a digest of its resolved path, so that two
    output folders of the same name never share files."""
    resolved = out.resolve()
    name = resolved.name or "root"
    if resolved.parent == Path.cwd().resolve():
        return name
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:10]
    return f"{name}-{digest}"


def temp_prefix() -> str:
    """How temp files in `.palace-cache/` begin: with the pid, so that what a killed process
    left can be told from what a running one is writing."""
    return f".palace-{os.getpid()}-"


def staging_folder(out: Path) -> Path:
    """Where this process assembles the next build of `out`."""
    return work_folder(out) / f"{STAGING}{folder_name(out)}-{os.getpid()}"


def spare_folder(out: Path) -> Path:
    """Where the folder the last build swapped out of `out` is kept for the next one."""
    return work_folder(out) / f"{SPARE}{folder_name(out)}"


def shown(path: str | Path, out: Path, staging: Path | None = None) -> str:
    """`path` as the user knows it: a file of the staging folder as the output file it
    becomes, the output folder and the folder holding it spelt as the user spelt `out`, the
    project's `.palace-cache/` relative to the current folder."""
    path = Path(os.path.abspath(path))
    resolved = out.resolve()
    for base, spelt in (
        (staging, out),
        (resolved, out),
        (out.parent.resolve(), out.parent),
        (project_cache(), Path(CACHE)),
    ):
        if base is not None and path.is_relative_to(base):
            text = (spelt / path.relative_to(base)).as_posix()
            return path.as_posix() if text == "." else text
    return path.as_posix()


def replace_file(target: Path, *data: bytes) -> None:
    """`write_atomically(target, data)`."""
    write_atomically(target, data)


def write_atomically(target: Path, data: Iterable[bytes]) -> None:
    """Write `data` (its parts one after the other, made as they are written) to a temp file
    beside `target`, then move it into place atomically; the temp file is gone whatever happens
    (an error, Ctrl-C), except after `kill -9`: then, in `.palace-cache/`, the next build
    removes it."""
    import tempfile  # here: slow to import, and a build that writes nothing never needs it

    handle, temp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.writelines(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
