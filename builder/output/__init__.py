"""Writing a build into the output folder, safely.

Everything is rendered in memory before this module touches the disk, so a build that fails
while rendering changes nothing. Then the complete new folder is assembled beside the old one
(`staging.py`, in the folder the last build swapped out) and swapped in at once (`swap.py`):
files whose bytes are unchanged keep their bytes and modification times, files the previous
build wrote and this one does not are gone, files the build never wrote (a `CNAME`, say) are
kept. One build at a time writes into a folder. What the build owns is listed in `MANIFEST`
inside the output folder.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.errors import OutputError
from builder.output import cache, guards, swap
from builder.output.staging import Link, Plan, staying

MANIFEST = ".palace-manifest"


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


def check_output_folder(out: Path, source_roots: Iterable[Path]) -> None:
    """Refuse an output folder that is a file, holds the notes, or lies inside them; and one
    the build could not write (`guards.check_replaceable`), before spending time rendering."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out.as_posix()}: the output path is not a folder")
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
    try:
        guards.check_replaceable(out)
    except OSError as error:
        raise _failure(out, error) from error


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


def write_output(out: Path, files: Mapping[str, bytes], keep: Collection[str] = ()) -> WriteReport:
    """Make `out` hold exactly `files` (plus whatever the build never owned).

    `keep` names files of the previous build that this one did not render again because
    nothing they show changed (an incremental build): they stay as they are, and the build
    still owns them. A name in both counts as rendered.

    Raises OutputError, with the path and the cause in one line, when the folder cannot be
    written; `out` is then as it was."""
    try:
        guards.check_replaceable(out)
        with swap.output_lock(out):
            return _write(out, files, keep)
    except OSError as error:
        raise _failure(out, error) from error


def _failure(out: Path, error: OSError, staging: Path | None = None) -> OutputError:
    where = cache.shown(error.filename or out, out, staging)
    cause = _CAUSES.get(error.errno or 0) or error.strerror or str(error)
    return OutputError(f"{where}: cannot write: {cause}")


_CAUSES = {
    errno.EISDIR: "a folder is in the way (the build writes a file there)",
    errno.EEXIST: "a file is in the way (the build writes a folder there)",
    errno.ENOTDIR: "a file is in the way (the build writes a folder there)",
}


def _write(out: Path, files: Mapping[str, bytes], keep: Collection[str]) -> WriteReport:
    cleaned, stuck = swap.clean_leftovers(out)
    old = previous_files(out)
    kept = sorted(name for name in set(keep) - set(files) if name in old)
    owned = {*files, *kept}
    # what stays as it is (the owner's files, kept ones), then what this build rendered
    plan = Plan(out, staying(out, skip={*files, MANIFEST}, drop=old - owned))
    written, unchanged = [], []
    for name in sorted(files):
        if _same_bytes(out / name, files[name]):
            plan.add(name, Link(str(out / name)))
            unchanged.append(name)
        else:
            plan.add(name, files[name])
            written.append(name)
    manifest = "".join(f"{name}\n" for name in sorted(owned)).encode("utf-8")
    same = _same_bytes(out / MANIFEST, manifest)
    plan.add(MANIFEST, Link(str(out / MANIFEST)) if same else manifest)
    # assembled in the spare (or a new folder), then swapped in
    staging, reused = cache.staging_folder(out), False
    try:
        reused = swap.new_staging(out)
        plan.make(staging, reused)
        swap.swap_in(staging, out)
    except BaseException as error:
        failure = error
        if reused and isinstance(error, OSError) and _not_allowed(error, staging):
            # Something in the spare this user may not change (another user's, locked): put
            # the spare back and name what is in it, not the output folder.
            swap.put_back(staging, out)
            failure = _in_spare(error, staging, cache.spare_folder(out))
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(failure, OSError):
            raise _failure(out, failure, staging) from error
        raise
    removed = sorted(old - owned)
    return WriteReport(
        tuple(written),
        tuple(sorted((*unchanged, *kept))),
        tuple(removed),
        tuple(cleaned),
        tuple(stuck),
    )


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


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def replace_file(target: Path, *data: bytes) -> None:
    """Write `data` (its parts one after the other) to a temp file beside `target`, then move
    it into place atomically; the temp file is gone whatever happens (an error, Ctrl-C), except
    after `kill -9`: then, in `.palace-cache/`, the next build removes it."""
    import tempfile  # here: slow to import, and a build that writes nothing never needs it

    handle, temp = tempfile.mkstemp(prefix=cache.temp_prefix(), suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.writelines(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
