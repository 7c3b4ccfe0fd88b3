"""Knowing, without reading the notes, that a build would change nothing.

After a successful build, a record in `.palace-cache/` of the project folder (for `site/`:
`.palace-cache/site.json`; `builder.output.cache.folder_name` names it for other folders) lists
everything the build read (the notes files and their folders, the pictures, the builder's own
code, templates and static files, the libraries it renders with, the settings) and everything
it wrote. The next build into the same folder compares
first, and skips parsing and rendering when nothing differs. The record is not kept in the
output folder, which gets published: it holds paths and times of the machine that built. The
cache folder holds a `.gitignore` of its own, so git never sees it.

A file counts as unchanged when its size and modification time are as recorded; when they
differ, its SHA-256 decides, so `touch` or a checkout that restores the same bytes still counts
as unchanged. A file modified at about the moment the build read it ("racily clean", as git
calls it) is recorded without a hash: its stat cannot tell an edit made during the build from
the version read, so it counts as changed next time. A link counts as what it leads to now;
what is not a file (a FIFO, a link to nothing) is never opened. Outputs count by size and time
only: the build just wrote them, so any difference means someone else did.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from importlib.util import find_spec
from pathlib import Path
from stat import S_ISREG
from typing import Any

from builder import __version__

FORMAT = 2
BUILDER = Path(__file__).resolve().parent.parent  # the builder's code, templates and static files
LIBRARIES = ("jinja2", "markupsafe", "markdown", "genanki")  # what renders the output
_CODE_SUFFIXES = frozenset({".py", ".html", ".css", ".js", ".svg", ".json"})
# How far a file system's clock may lag: modification times come from a coarse clock (one
# tick, a few ms) on Linux; from whole seconds (FAT, HFS+: up to 2 s) elsewhere.
_FINE_MARGIN_NS = 50_000_000
_COARSE_MARGIN_NS = 2_000_000_000

Stamp = list[Any]  # [size, mtime_ns, sha256 hex, None (racy) or NOT_A_FILE]
NOT_A_FILE = "not a file"  # in place of the hash: missing, or not a regular file


@dataclasses.dataclass(slots=True)
class Fingerprint:
    """What one build read and wrote, and what it reported (replayed when nothing changed)."""

    settings: dict[str, Any]
    inputs: dict[str, Stamp] = dataclasses.field(default_factory=dict)  # absolute path → stamp
    folders: dict[str, int] = dataclasses.field(default_factory=dict)  # source folder → mtime_ns
    notes: list[str] = dataclasses.field(default_factory=list)  # the notes files found, as found
    # path in out → [size, mtime]
    outputs: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    summary: dict[str, Any] = dataclasses.field(default_factory=dict)
    diagnostics: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    stamp: str = ""  # the memo stamp (code and settings) the outputs were rendered with
    keys: dict[str, str] = dataclasses.field(default_factory=dict)  # output path → render key


def settings_of(config_values: Mapping[str, Any], sources: Iterable[str]) -> dict[str, Any]:
    """Everything besides files that the output depends on."""
    return {
        "format": FORMAT,
        "palace": __version__,
        "python": sys.version,
        "cwd": os.getcwd(),  # the pages show the notes' paths as given, relative to here
        "sources": list(sources),
        "config": dict(config_values),
    }


def record_file(out: Path) -> Path:
    """Where the record of the builds into `out` is kept: `.palace-cache/<name>.json` of the
    project folder."""
    from builder.output.cache import folder_name, project_cache

    return project_cache() / f"{folder_name(out)}.json"


def read(out: Path) -> Fingerprint | None:
    """The fingerprint of the last build into `out`; None when there is none or it is unusable."""
    try:
        data = json.loads(record_file(out).read_bytes())
        fingerprint = Fingerprint(**data)
    except (OSError, ValueError, TypeError):
        return None
    return fingerprint if fingerprint.settings.get("format") == FORMAT else None


def changes(
    previous: Fingerprint | None,
    out: Path,
    settings: Mapping[str, Any],
    find_notes: Callable[[], list[str]],
) -> tuple[list[str], bool]:
    """What differs since `previous` (nothing: the build can be skipped), for --verbose, and
    whether `previous` was refreshed: new stats of files touched but with the same bytes.

    `find_notes` lists the notes files now; it is called only when a source folder changed.
    """
    try:
        return _changes(previous, out, settings, find_notes)
    except (TypeError, ValueError, IndexError):  # a record damaged by hand: build
        return ["the record of the last build is damaged"], False


def _changes(
    previous: Fingerprint | None,
    out: Path,
    settings: Mapping[str, Any],
    find_notes: Callable[[], list[str]],
) -> tuple[list[str], bool]:
    if previous is None:
        return ["no record of a previous build in this folder"], False
    if previous.settings != settings:
        keys = sorted(
            key
            for key in settings.keys() | previous.settings.keys()
            if previous.settings.get(key) != settings.get(key)
        )
        return [f"settings changed: {', '.join(keys)}"], False
    folder = f"{out}/"
    for name, (size, mtime) in previous.outputs.items():
        if _stat(folder + name) != (size, mtime):
            return [f"output changed since the last build: {name}"], False
    now = time.time_ns()
    refreshed = False
    for folder, mtime in previous.folders.items():
        stat = _stat(Path(folder))
        if stat is None:
            return [f"folder gone: {folder}"], False
        if stat[1] != mtime:
            if find_notes() != previous.notes:
                return [f"notes files added or removed in {folder}"], False
            previous.folders[folder] = 0 if _racy(stat[1], now) else stat[1]
            refreshed = True
    changed = []
    for path, stamp in previous.inputs.items():
        if _stat(path) == tuple(stamp[:2]) and stamp[2] is not None:
            continue  # the common case, without hashing
        current = stamp_file(Path(path), stamp, now)
        if current[2] is None or current[2] != stamp[2]:
            changed.append(f"changed: {path}")  # (a racily clean file cannot be told apart)
        elif current != stamp:
            stamp[:] = current
            refreshed = True
    return changed, refreshed


def inputs(
    notes_files: Iterable[Path],
    pictures: Iterable[Path],
    previous: Fingerprint | None,
    since_ns: int,
) -> dict[str, Stamp]:
    """Stamps of every file a build read, taken after the build; `since_ns` is when it started:
    a file modified since then (or just before) gets no hash. Reuses the previous build's hashes
    of files whose stat is unchanged, so big pictures are not hashed again and again."""
    old = previous.inputs if previous else {}
    stamps: dict[str, Stamp] = {}
    for path in (*notes_files, *pictures, *code_files(), *library_files()):
        key = os.path.abspath(path)  # a link as it is: stat follows it wherever it points now
        stamps[key] = stamp_file(Path(key), old.get(key), since_ns)
    return stamps


def stamp_file(path: Path, previous: Stamp | None, now_ns: int) -> Stamp:
    """[size, mtime_ns, sha256] of `path`; the hash is None when racy, and NOT_A_FILE when
    `path` is missing or not a regular file (opening a FIFO would wait for a writer)."""
    try:
        found = os.stat(path)
    except OSError:
        return [0, 0, NOT_A_FILE]
    size, mtime = found.st_size, found.st_mtime_ns
    if not S_ISREG(found.st_mode):
        return [size, mtime, NOT_A_FILE]
    if _racy(mtime, now_ns):
        return [size, mtime, None]
    if previous is not None and previous[:2] == [size, mtime] and previous[2] is not None:
        return [size, mtime, previous[2]]
    import hashlib  # only when a file's stat changed

    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return [0, 0, NOT_A_FILE]
    return [size, mtime, digest]


def folder_stamps(folders: Iterable[Path], since_ns: int) -> dict[str, int]:
    """Modification times of the source folders (adding a notes file changes it); a racy one
    is recorded as 0, so the next build lists the folder again."""
    stamps = {}
    for folder in folders:
        stat = _stat(folder)
        if stat is not None:
            stamps[str(folder.resolve())] = 0 if _racy(stat[1], since_ns) else stat[1]
    return stamps


def output_stamps(out: Path, names: Iterable[str]) -> dict[str, list[int]]:
    stamps, folder = {}, f"{out}/"
    for name in names:
        stat = _stat(folder + name)
        if stat is not None:
            stamps[name] = list(stat)
    return stamps


@functools.cache
def code_files() -> tuple[Path, ...]:
    """The builder's own files: its code, card templates, page templates and static files.
    Listed once in a process: they are the files of the code it runs (`palace serve` starts
    again when they change)."""
    return tuple(
        sorted(
            path
            for path in BUILDER.rglob("*")
            if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file()
        )
    )


def code_stamps() -> list[tuple[str, int, int]]:
    """(path, size, modification time) of the builder's code and the rendering libraries: what
    rendered pieces remembered between builds depend on besides their inputs (`memo.stamp`)."""
    stamps = []
    for path in (*code_files(), *library_files()):
        stat = _stat(path)
        if stat is not None:
            stamps.append((str(path), *stat))
    return stamps


def intact_keys(previous: Fingerprint | None, out: Path, stamp: str) -> dict[str, str]:
    """The render keys of the previous build's outputs that are still exactly as it wrote them,
    if it rendered with the same code and settings (`stamp`); otherwise none."""
    if previous is None or previous.stamp != stamp:
        return {}
    intact, folder = {}, f"{out}/"
    for name, key in previous.keys.items():
        recorded = previous.outputs.get(name)
        if recorded is not None and _stat(folder + name) == tuple(recorded):
            intact[name] = key
    return intact


def library_files() -> list[Path]:
    """A file of each rendering library that an upgrade rewrites (found without importing it)."""
    files = []
    for name in LIBRARIES:
        spec = find_spec(name)
        if spec is not None and spec.origin:
            files.append(Path(spec.origin))
    return files


def save(out: Path, fingerprint: Fingerprint) -> None:
    """Write the record atomically (a reader never sees half of it)."""
    from builder.output.cache import cache_folder, replace_file

    data = json.dumps(
        {field.name: getattr(fingerprint, field.name) for field in dataclasses.fields(fingerprint)},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    record = record_file(out)
    try:
        cache_folder(out)  # as pytest and ruff do with theirs, it ignores itself in git
        replace_file(record, data.encode("utf-8"))
    except OSError:
        pass  # no record, no harm: the next build renders everything


def forget(out: Path) -> None:
    """Drop the record (the output folder is about to change in a way it does not describe)."""
    with contextlib.suppress(OSError):
        record_file(out).unlink(missing_ok=True)


def _stat(path: str | Path) -> tuple[int, int] | None:
    """(size, mtime_ns), or None; a `str` path spares making a Path (thousands per build)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _racy(mtime_ns: int, since_ns: int) -> bool:
    coarse = mtime_ns % 1_000_000_000 == 0
    return mtime_ns >= since_ns - (_COARSE_MARGIN_NS if coarse else _FINE_MARGIN_NS)
