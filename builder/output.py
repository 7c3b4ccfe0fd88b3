"""Writing a build into the output folder, safely.

Everything is rendered in memory before this module touches the disk, so a build that fails
while rendering changes nothing. Then each file is written to a temp file beside it and moved
into place with `os.replace` (readers never see half a file); files whose bytes are unchanged
are not touched at all (their modification times stay). Files the previous build wrote and this
one does not are removed; files the build never wrote (a `CNAME`, say) are kept. What the build
owns is listed in `MANIFEST` inside the output folder.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

MANIFEST = ".palace-manifest"


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def files(self) -> tuple[str, ...]:
        """Every file the build owns now, written or unchanged."""
        return tuple(sorted((*self.written, *self.unchanged)))

    def __str__(self) -> str:
        return (
            f"{len(self.written)} written, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed"
        )


def check_output_folder(out: Path, source_roots: Iterable[Path]) -> None:
    """Refuse an output folder that is a file, holds the notes, or lies inside them."""
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
    still owns them. A name in both counts as rendered."""
    try:
        return _write(out, files, keep)
    except OSError as error:
        where = error.filename or out
        raise OutputError(
            f"{Path(where).as_posix()}: cannot write: {error.strerror or error}"
        ) from error


def _write(out: Path, files: Mapping[str, bytes], keep: Collection[str]) -> WriteReport:
    old = previous_files(out)
    kept = sorted(name for name in set(keep) - set(files) if name in old)
    out.mkdir(parents=True, exist_ok=True)
    written, unchanged = [], []
    for name in sorted(files):
        target = out / name
        data = files[name]
        if _same_bytes(target, data):
            unchanged.append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, data)
        written.append(name)
    unchanged = sorted((*unchanged, *kept))
    owned = {*files, *kept}
    removed = sorted(old - owned)
    for name in removed:
        (out / name).unlink(missing_ok=True)
        _remove_empty_parents(out, (out / name).parent)
    manifest = "".join(f"{name}\n" for name in sorted(owned)).encode("utf-8")
    if not _same_bytes(out / MANIFEST, manifest):
        replace_file(out / MANIFEST, manifest)
    return WriteReport(tuple(written), tuple(unchanged), tuple(removed))


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def replace_file(target: Path, data: bytes) -> None:
    """Write `data` to a temp file beside `target`, then move it into place atomically; the temp
    file is gone whatever happens (an error, Ctrl-C)."""
    import tempfile  # ~10 ms to import: not for a build that writes nothing

    handle, temp = tempfile.mkstemp(prefix=".palace-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _remove_empty_parents(out: Path, folder: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
