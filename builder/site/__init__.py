"""The study site, rendered in memory: records in, `{relative path: bytes}` out.

    render_site(palaces, decks) → {"index.html": b"...", "assets/style.<hash>.css": b"...", ...}

Writing the files (and the decks, which the site only links to) is the build's job. The output
depends on nothing but the input: no dates, files in sorted order, so an unchanged palace
rebuilds to the same bytes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from ..records import Palace
from .assets import ASSETS, PICTURES, collect_pictures, csp_hash, static_files
from .glossary import glossary
from .pages import (
    HOME,
    NOT_FOUND,
    glossary_path,
    human_size,
    palace_path,
    room_views,
    stop_links,
    walk_rows,
)
from .render import render_page
from .text import plain_text

__all__ = ["deck_name", "render_site"]

# Pages load only the site's own files. `file:` keeps a site opened from disk working in
# browsers that give each local file an origin of its own.
PAGE_CSP = (
    "default-src 'none'; style-src 'self' file:; script-src 'self' file:; "
    "img-src 'self' file:; base-uri 'none'; form-action 'none'"
)
MANY_PALACES_TITLE = "Memory palaces"


@dataclass(frozen=True, slots=True)
class Deck:
    """The Anki deck of a palace, as its download button shows it."""

    name: str  # the file, at the site root
    size: str


def deck_name(palace: Palace) -> str:
    """The file name of a palace's deck, next to the site's pages."""
    return f"{palace.id}.apkg"


def render_site(
    palaces: tuple[Palace, ...], decks: Mapping[str, bytes], lang: str = "en"
) -> dict[str, bytes]:
    """Every file of the study site (pages, assets, pictures, `404.html`, `.nojekyll`).

    `decks` maps deck file names (`deck_name(palace)`) to their bytes: the pages link to them
    and show their size, but they are not part of the returned files.
    """
    with _collector_paused():
        return _render_site(palaces, decks, lang)


def _render_site(
    palaces: tuple[Palace, ...], decks: Mapping[str, bytes], lang: str
) -> dict[str, bytes]:
    static = static_files()
    pictures, picture_files = collect_pictures(palaces)
    files: dict[str, bytes] = dict(static.files)
    files.update(picture_files)
    files[".nojekyll"] = b""

    def add(path: str, data: bytes) -> None:
        if path in files or path in decks:
            raise AssertionError(f"two files of the site at {path}")  # ids never collide
        files[path] = data

    common = {
        "lang": lang,
        "static": static,
        "csp": PAGE_CSP,
        "home": HOME,
        "pictures": pictures,
        "sources": tuple(palace.source for palace in palaces),
        "standalone": False,
        "palace_path": palace_path,
        "glossary_path": glossary_path,
        "single": len(palaces) == 1,
        "site_title": plain_text(palaces[0].title) if len(palaces) == 1 else MANY_PALACES_TITLE,
    }
    views = {palace.id: room_views(palace) for palace in palaces}
    deck_of = {palace.id: _deck(palace, decks) for palace in palaces}
    # Home: every palace, or the overview of the only one.
    add(HOME, render_page("home.html", HOME, palaces=palaces, views=views, decks=deck_of, **common))
    for palace in palaces:
        rooms = views[palace.id]
        links = stop_links(palace, rooms)
        add(
            palace_path(palace),
            render_page(
                "palace.html",
                palace_path(palace),
                palace=palace,
                rooms=rooms,
                walk=walk_rows(rooms, links),
                deck=deck_of[palace.id],
                **common,
            ),
        )
        add(
            glossary_path(palace),
            render_page(
                "glossary.html",
                glossary_path(palace),
                palace=palace,
                letters=glossary(rooms, links),
                **common,
            ),
        )
        for index, view in enumerate(rooms):
            add(
                view.path,
                render_page(
                    "room.html",
                    view.path,
                    palace=palace,
                    rooms=rooms,
                    view=view,
                    previous=rooms[index - 1] if index > 0 else None,
                    next=rooms[index + 1] if index + 1 < len(rooms) else None,
                    **common,
                ),
            )
    add(NOT_FOUND, _not_found_page(palaces, common))
    return dict(sorted(files.items()))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Rendering makes a million short-lived strings and no garbage cycles worth chasing; the
    cyclic garbage collector would walk every record and cache many times over (15–20% of the
    time for 10,000 loci). Paused while rendering, restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _deck(palace: Palace, decks: Mapping[str, bytes]) -> Deck | None:
    name = deck_name(palace)
    data = decks.get(name)
    return None if data is None else Deck(name, human_size(len(data)))


def _not_found_page(palaces: tuple[Palace, ...], common: dict[str, object]) -> bytes:
    """`404.html`: GitHub Pages serves it at any depth, where relative links to the site's
    files would break; so it carries its stylesheet and script inline, and its script finds
    the site root (see `static/notfound.js`) to fix its links."""
    static = static_files()
    script = static.js + "\n" + static.not_found_js
    csp = (
        f"default-src 'none'; style-src {csp_hash(static.css)}; "
        f"script-src {csp_hash(script)}; connect-src 'self'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    folders = sorted({ASSETS, PICTURES, *(palace.id for palace in palaces)})
    # Markup: the site's own files, not notes; neither contains `</style` or `</script`.
    context = {
        **common,
        "top_folders": " ".join(folders),
        "icon_url": "data:image/svg+xml," + quote(static.icon),
        "csp": csp,
        "standalone": True,
        "inline_css": Markup(static.css),
        "inline_js": Markup(script),
    }
    return render_page("404.html", NOT_FOUND, **context)
