"""Static files and pictures of the study site, under names that carry a hash of their content.

GitHub Pages caches for about ten minutes and its headers can't be set: a file whose name changes
with its content is never served stale. Static files are package data, read through
`importlib.resources` so they are found inside an installed wheel too.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath

from ..records import Palace

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


@dataclass(frozen=True, slots=True)
class StaticFiles:
    """The site's stylesheet, script and icon: their text, and their hashed paths in the site."""

    css: str
    js: str
    not_found_js: str
    icon: str
    css_path: str
    js_path: str
    icon_path: str
    files: tuple[tuple[str, bytes], ...]  # (path in the site, content)


def _read(name: str) -> bytes:
    return resources.files(_PACKAGE).joinpath("static", name).read_bytes()


def _hashed(name: str, data: bytes) -> str:
    stem, _, suffix = name.rpartition(".")
    return f"{ASSETS}/{stem}.{content_hash(data)}.{suffix}"


@lru_cache(maxsize=1)
def static_files() -> StaticFiles:
    """Read once per process: the files ship with the package and do not change under it."""
    raw = {name: _read(name) for name in ("style.css", "theme.js", "notfound.js", "icon.svg")}
    paths = {name: _hashed(name, data) for name, data in raw.items() if name != "notfound.js"}
    return StaticFiles(
        css=raw["style.css"].decode("utf-8"),
        js=raw["theme.js"].decode("utf-8"),
        not_found_js=raw["notfound.js"].decode("utf-8"),
        icon=raw["icon.svg"].decode("utf-8"),
        css_path=paths["style.css"],
        js_path=paths["theme.js"],
        icon_path=paths["icon.svg"],
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
