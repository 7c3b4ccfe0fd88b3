"""A picture of the notes (`![what it shows](file)`): where its file is, and whether Palace may
publish it. Pictures are files inside the source folder, of a picture type; an SVG must be
inert when opened on its own (`svg.py`).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from builder.notes.entries import what_is
from builder.notes.records import Picture

PICTURE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|//")


def resolve_picture(
    alt: str, written: str, notes_file: Path, root: Path, line: int
) -> tuple[Picture | None, str | None]:
    """The picture `written` in `notes_file` (at `line`), or what is wrong with it."""
    if _SCHEME.match(written):
        return None, (
            f"picture '{written}' is not a file: pictures must be files inside the source folder"
        )
    relative = unquote(written)
    # `realpath`, not `resolve`: a link loop is a file not found, not a RuntimeError
    target = Path(os.path.realpath(notes_file.parent / relative))
    if not target.exists():  # (resolved again: the name found may be a link)
        target = Path(os.path.realpath(_spelled_otherwise(target) or target))
    inside = Path(os.path.realpath(root))
    if relative.startswith(("/", "\\")) or not target.is_relative_to(inside):
        return None, (
            f"picture '{written}' is outside the source folder "
            f"'{root.as_posix()}': keep pictures inside it"
        )
    if target.suffix.lower() not in PICTURE_TYPES:
        kinds = ", ".join(sorted(PICTURE_TYPES))
        return None, f"picture '{written}' is not a picture file: expected one of {kinds}"
    if not target.is_file():
        looked = (notes_file.parent / relative).as_posix()
        near = _spelled_otherwise(target, str.casefold)
        if near is not None and near.name == target.name:
            return None, f"picture '{written}' is not a file: '{looked}' is {what_is(near)}"
        there = "" if near is None else _shown(near, root, inside)
        hint = f"; there is '{there}': the case differs" if there else ""
        return None, f"picture '{written}' not found (looked for '{looked}'{hint})"
    problem = _svg_problem(target) if target.suffix.lower() == ".svg" else None
    if problem:
        return None, f"picture '{written}' could run script or load files: {problem}"
    name = target.relative_to(inside).as_posix()
    return Picture(alt, written, name, target, line), None


def _spelled_otherwise(path: Path, fold: Callable[[str], str] = str) -> Path | None:
    """`path` as the file system spells it when only the Unicode form of its names differs:
    `Küche.png` typed as one `ü` (NFC) and saved by macOS as `u` + a combining mark (NFD).
    `fold` (`str.casefold`) makes other differences not count either."""
    parent = path.parent
    if not parent.is_dir():
        found = _spelled_otherwise(parent, fold) if parent != path else None
        if found is None:
            return None
        parent = found
    wanted = fold(unicodedata.normalize("NFC", path.name))
    try:
        names = sorted(parent.iterdir())
    except OSError:
        return None
    return next((n for n in names if fold(unicodedata.normalize("NFC", n.name)) == wanted), None)


def _shown(path: Path, root: Path, inside: Path) -> str:
    """`path` (in `inside`, the real `root`) as messages show files: from `root` as named."""
    return (root / path.relative_to(inside)).as_posix()


def _svg_problem(file: Path) -> str | None:
    from builder.notes.svg import svg_problem  # the XML parser: only for notes with an SVG

    try:
        return svg_problem(file.read_bytes())
    except OSError as error:
        return f"it cannot be read ({error.strerror or error})"
