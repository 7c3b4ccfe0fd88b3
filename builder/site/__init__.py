"""The study site, rendered in memory: records in, `{relative path: bytes}` out.

    render_site(palaces, decks) → {"index.html": b"...", "assets/style.<hash>.css": b"...", ...}

Pages first gather what they share (each palace's rooms and links, and its study data, which
walk mode, the quiz and the search read: under a content-hashed name), then every page is
rendered; see `pages.py` for the paths.

Writing the files (and the decks, which the site only links to) is the build's job. The output
depends on nothing but the input: no dates, files in sorted order, so an unchanged palace
rebuilds to the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from ..collector import collector_paused
from ..records import Palace
from .assets import ASSETS, PICTURES, collect_pictures, csp_hash, hashed_path, static_files
from .glossary import glossary
from .map import palace_map, route_list
from .pages import (
    HOME,
    NOT_FOUND,
    RoomView,
    absolute_url,
    glossary_path,
    human_size,
    map_path,
    palace_path,
    quiz_path,
    room_views,
    stop_links,
    walk_path,
    walk_rows,
)
from .render import render_page
from .sitemap import SITEMAP, normalise_base_url, sitemap
from .study import data_stem, study_script
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
    palaces: tuple[Palace, ...],
    decks: Mapping[str, bytes],
    lang: str = "en",
    *,
    site_title: str | None = None,
    base_url: str | None = None,
) -> dict[str, bytes]:
    """Every file of the study site (pages, assets, pictures, `404.html`, `.nojekyll`).

    `decks` maps deck file names (`deck_name(palace)`) to their bytes: the pages link to them
    and show their size, but they are not part of the returned files. `lang` is the language
    of the pages. `site_title` names the site in every page's header and on the home page of
    several palaces (default: the palace's title, or "Memory palaces" for several).
    `base_url` is where the site is published (`https://owner.github.io/repo/`): given, every
    page names its absolute URL in `<link rel="canonical">` and `sitemap.xml` lists them all.
    """
    base = normalise_base_url(base_url) if base_url is not None else None
    with collector_paused():
        return _render_site(palaces, decks, lang, site_title, base)


def _render_site(
    palaces: tuple[Palace, ...],
    decks: Mapping[str, bytes],
    lang: str,
    site_title: str | None,
    base_url: str | None,
) -> dict[str, bytes]:
    # Gather what pages share: assets, pictures, rooms, study data.
    static = static_files()
    pictures, picture_files = collect_pictures(palaces)
    files: dict[str, bytes] = dict(static.files)
    files.update(picture_files)
    files[".nojekyll"] = b""

    def add(path: str, data: bytes) -> None:
        if path in files or path in decks:
            raise AssertionError(f"two files of the site at {path}")  # ids never collide
        files[path] = data

    views = {palace.id: room_views(palace) for palace in palaces}
    deck_of = {palace.id: _deck(palace, decks) for palace in palaces}
    data_of: dict[str, str] = {}
    for palace in palaces:
        data = study_script(palace, views[palace.id], pictures)
        data_of[palace.id] = hashed_path(data_stem(palace), data)
        add(data_of[palace.id], data)
    if site_title is None:
        site_title = plain_text(palaces[0].title) if len(palaces) == 1 else MANY_PALACES_TITLE
    common: dict[str, Any] = {
        "lang": lang,
        "static": static,
        "csp": PAGE_CSP,
        "home": HOME,
        "pictures": pictures,
        "sources": tuple(palace.source for palace in palaces),
        "standalone": False,
        "palace_path": palace_path,
        "glossary_path": glossary_path,
        "walk_path": walk_path,
        "quiz_path": quiz_path,
        "map_path": map_path,
        "data_of": data_of,
        "canonical": partial(absolute_url, base_url) if base_url else None,
        "single": len(palaces) == 1,
        "site_title": site_title,
    }

    # Render every page.
    add(HOME, render_page("home.html", HOME, palaces=palaces, views=views, decks=deck_of, **common))
    for palace in palaces:
        for path, data in _palace_pages(palace, views[palace.id], deck_of[palace.id], common):
            add(path, data)
    add(NOT_FOUND, _not_found_page(palaces, common))
    if base_url:
        pages = sorted(path for path in files if path.endswith(".html") and path != NOT_FOUND)
        add(SITEMAP, sitemap(base_url, pages))
    return dict(sorted(files.items()))


def _palace_pages(
    palace: Palace, rooms: tuple[RoomView, ...], deck: Deck | None, common: dict[str, Any]
) -> Iterator[tuple[str, bytes]]:
    """A palace's pages: its overview with the whole walk, walk mode, the quiz, the map, the
    glossary and its rooms."""
    links = stop_links(palace, rooms)
    walk = walk_rows(rooms, links)
    overview = palace_path(palace)
    yield (
        overview,
        render_page(
            "palace.html", overview, palace=palace, rooms=rooms, walk=walk, deck=deck, **common
        ),
    )
    for template, path in (("walk.html", walk_path(palace)), ("quiz.html", quiz_path(palace))):
        yield path, render_page(template, path, palace=palace, rooms=rooms, **common)
    yield (
        map_path(palace),
        render_page(
            "map.html",
            map_path(palace),
            palace=palace,
            rooms=rooms,
            svg=palace_map(rooms, links, "_map-title"),
            route=route_list(rooms, links),
            **common,
        ),
    )
    letters = glossary(rooms, links)
    yield (
        glossary_path(palace),
        render_page(
            "glossary.html", glossary_path(palace), palace=palace, letters=letters, **common
        ),
    )
    for index, view in enumerate(rooms):
        yield (
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
        "canonical": None,
        "inline_css": Markup(static.css),
        "inline_js": Markup(script),
    }
    return render_page("404.html", NOT_FOUND, **context)
