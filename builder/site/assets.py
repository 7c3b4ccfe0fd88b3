"""Static files and pictures of the study site, under names that carry a hash of their content.

GitHub Pages caches for about ten minutes and its headers can't be set: a file whose name changes
with its content is never served stale. Static files are package data, read through
`importlib.resources` so they are found inside an installed wheel too.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from builder.notes.records import Palace

ASSETS = "assets"
PICTURES = "pictures"
HASH_LENGTH = 12  # hex digits: ample against collisions among a site's own files
_PACKAGE = __name__.rpartition(".")[0]  # builder.site: templates and static files live here


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source that allows one inline `<script>` or `<style>`."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


class StaticFiles(NamedTuple):
    """The site's stylesheet, scripts and icon: their text, and their hashed paths in the site.

    `scripts` maps each script of the study pages (`search`, `srs`, `cards`, `due`, `walk`,
    `quiz`, `fsrs`) to its hashed path; `theme.js` is `js`/`js_path`, loaded by every page.
    """

    css: str
    js: str
    not_found_js: str
    icon: str
    css_path: str
    js_path: str
    icon_path: str
    scripts: dict[str, str]
    files: tuple[tuple[str, bytes], ...]  # (path in the site, content)


# Scripts of the study pages: name in the site → file in static/.
SCRIPTS = {
    "search": "search.js",
    "srs": "srs.js",
    "cards": "cards.js",
    "due": "due.js",
    "walk": "walk.js",
    "quiz": "quiz.js",
    "fsrs": "ts-fsrs.js",
}
_SOURCE_MAP = b"//# sourceMappingURL="
_FSRS_VERSION = re.compile(rb'const version="([0-9][0-9A-Za-z.+-]*)"')
_FSRS_HOME = "https://github.com/open-spaced-repetition/ts-fsrs"


def _read(name: str) -> bytes:
    return resources.files(_PACKAGE).joinpath("static", name).read_bytes()


def _hashed(name: str, data: bytes) -> str:
    stem, _, suffix = name.rpartition(".")
    return f"{ASSETS}/{stem}.{content_hash(data)}.{suffix}"


def vendored_fsrs() -> bytes:
    """ts-fsrs as the site serves it (static/VENDORED.md): its licence in front, as a comment,
    and without the pointer to a source map that is not shipped."""
    licence = _read("ts-fsrs.LICENSE").decode("utf-8").replace("*/", "* /").strip()
    code = _read("ts-fsrs.js")
    lines = code.rstrip(b"\n").split(b"\n")
    if lines[-1].startswith(_SOURCE_MAP):
        lines.pop()
    found = _FSRS_VERSION.search(code)
    version = found.group(1).decode("ascii") if found else "unknown version"
    header = f"/*! ts-fsrs {version}, {_FSRS_HOME}\n{licence}\n*/\n"
    return header.encode("utf-8") + b"\n".join(lines) + b"\n"


@lru_cache(maxsize=1)
def static_files() -> StaticFiles:
    """Read once per process: the files ship with the package and do not change under it."""
    raw = {name: _read(name) for name in ("style.css", "theme.js", "notfound.js", "icon.svg")}
    paths = {name: _hashed(name, data) for name, data in raw.items() if name != "notfound.js"}
    scripts: dict[str, str] = {}
    for key, name in SCRIPTS.items():
        data = vendored_fsrs() if key == "fsrs" else _read(name)
        raw[name] = data
        paths[name] = scripts[key] = _hashed(name, data)
    return StaticFiles(
        css=raw["style.css"].decode("utf-8"),
        js=raw["theme.js"].decode("utf-8"),
        not_found_js=raw["notfound.js"].decode("utf-8"),
        icon=raw["icon.svg"].decode("utf-8"),
        css_path=paths["style.css"],
        js_path=paths["theme.js"],
        icon_path=paths["icon.svg"],
        scripts=scripts,
        files=tuple(sorted((paths[name], raw[name]) for name in paths)),
    )


def collect_pictures(palaces: tuple[Palace, ...]) -> tuple[dict[Path, str], dict[str, bytes]]:
    """Every picture of the palaces: where each source file goes in the site, and the files.

    A picture is named by its content (`pictures/<hash>.<ext>`), so the same picture used twice
    is stored once and renaming a source file changes nothing in the site.
    """
    where: dict[Path, str] = {}
    files: dict[str, bytes] = {}
    for palace in palaces:
        for room in palace.rooms:
            for picture in (room.picture, *(locus.picture for locus in room.loci)):
                if picture is None or picture.file in where:
                    continue
                data = picture.file.read_bytes()
                suffix = PurePosixPath(picture.name).suffix.lower()
                path = f"{PICTURES}/{content_hash(data)}{suffix}"
                where[picture.file] = path
                files[path] = data
    return where, files
