"""Where a build keeps what is not published: `.palace-cache/` beside the output folder, with
its staging and spare folders and temporary files, and how those paths are shown to the user.
The folder holds a `.gitignore` of its own, so git never sees it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

CACHE = ".palace-cache"  # beside the output folder; ignores itself in git

IGNORE_ALL = "# Created by palace: what the last build read and wrote.\n*\n"

STAGING = "staging-"

SPARE = "spare-"

TEMP = re.compile(r"\.palace-(\d+)-.*\.tmp")  # a temp file, by the pid of its writer


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


def folder_name(out: Path) -> str:
    """The output folder's name, which the names of its files in `.palace-cache/` start with."""
    return out.resolve().name or "root"


def temp_prefix() -> str:
    """How temp files in `.palace-cache/` begin: with the pid, so that what a killed process
    left can be told from what a running one is writing."""
    return f".palace-{os.getpid()}-"


def staging_folder(out: Path) -> Path:
    """Where this process assembles the next build of `out`."""
    return out.resolve().parent / CACHE / f"{STAGING}{folder_name(out)}-{os.getpid()}"


def spare_folder(out: Path) -> Path:
    """Where the folder the last build swapped out of `out` is kept for the next one."""
    return out.resolve().parent / CACHE / f"{SPARE}{folder_name(out)}"


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
