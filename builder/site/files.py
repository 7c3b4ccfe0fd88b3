"""Every file of the study site: what it shows, as a key, and rendering it when that changed.

`SiteFiles(...).render()` goes through the site's files. For each it computes a key of all the
file shows (from the digests of `facts.py`) and asks the build's `Reuse` whether the previous
build's file, rendered from the same key, can stay; only if not is the file rendered, and
handed on at once (`Files`): the site is never held whole. The big
files of a palace (its page, map, glossary and study data) are joined from one piece per room,
each kept in the build's `Memo` under a key of what it shows; only the pieces of the rooms that
changed are made again. See `render_site` in `__init__.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from functools import partial
from typing import Any, NamedTuple, TypeVar
from urllib.parse import quote

from markupsafe import Markup

from builder.cache.memo import Memo, Reuse, digest
from builder.config import CARD_KINDS, DEFAULT_NEW_CARDS_PER_DAY
from builder.deck import deck_name
from builder.notes.records import Palace
from builder.output.guards import NOJEKYLL
from builder.site.assets import ASSETS, PICTURES, collect_pictures, csp_hash, static_files
from builder.site.facts import PalaceFacts, palace_facts
from builder.site.overview import room_item, walk_table
from builder.site.pages import (
    HOME,
    NOT_FOUND,
    RoomView,
    absolute_url,
    glossary_path,
    human_size,
    map_path,
    palace_path,
    quiz_path,
    walk_path,
)
from builder.site.palace_pages import glossary_page, map_page, room_pages
from builder.site.render import render_page, render_with_parts
from builder.site.sitemap import SITEMAP, sitemap
from builder.site.study import (
    data_path,
    data_script,
    picture_indices,
    room_data,
)
from builder.site.text import plain_text

# Pages load only the site's own files. `file:` keeps a site opened from disk working in
# browsers that give each local file an origin of its own.
PAGE_CSP = (
    "default-src 'none'; style-src 'self' file:; script-src 'self' file:; "
    "img-src 'self' file:; base-uri 'none'; form-action 'none'"
)
MANY_PALACES_TITLE = "Memory palaces"
V = TypeVar("V")
Files = Iterator[tuple[str, bytes | Iterator[bytes]]]  # (path from the site root, its bytes)


class Deck(NamedTuple):
    """The Anki deck of a palace, as its download button shows it."""

    name: str  # the file, at the site root
    size: str


def outlines_of(facts: PalaceFacts) -> list[Hashable]:
    """The keys of each room's outline (its stops' places and concepts) in a palace."""
    return [(facts.palace.id, r.outline, r.first) for r in facts.rooms]


class SiteFiles:
    """One rendering of the site: what its pages share, and the files rendered so far."""

    def __init__(
        self,
        palaces: tuple[Palace, ...],
        decks: Mapping[str, int],
        lang: str,
        site_title: str | None,
        base_url: str | None,
        memo: Memo,
        reuse: Reuse,
    ) -> None:
        self.palaces, self.decks, self.base_url = palaces, decks, base_url
        self.memo, self.reuse = memo, reuse
        self.static = static = static_files()
        self.pictures, self.picture_files = collect_pictures(palaces)
        self.facts = [palace_facts(palace, self.pictures) for palace in palaces]
        self.data_of = {palace.id: data_path(palace, static.scripts) for palace in palaces}
        if site_title is None:
            site_title = plain_text(palaces[0].title) if len(palaces) == 1 else MANY_PALACES_TITLE
        sources = tuple(palace.source for palace in palaces)
        self.common: dict[str, Any] = {
            "lang": lang,
            "static": static,
            "csp": PAGE_CSP,
            "home": HOME,
            "pictures": self.pictures,
            "sources": sources,
            "standalone": False,
            "palace_path": palace_path,
            "glossary_path": glossary_path,
            "walk_path": walk_path,
            "quiz_path": quiz_path,
            "map_path": map_path,
            "data_of": self.data_of,
            "canonical": partial(absolute_url, base_url) if base_url else None,
            "single": len(palaces) == 1,
            "site_title": site_title,
        }
        # What every page shows: the header (title, search over every palace's data), the
        # assets it loads, the settings (part of the memo's stamp too).
        self.key = digest(
            lang,
            base_url or "",
            site_title,
            len(palaces) == 1,  # one palace: its overview is the home page, no "Home" crumb
            sources,
            list(self.data_of.items()),
            static.css_path,
            static.js_path,
            static.icon_path,
            sorted(static.scripts.items()),
        )
        self.new_cards_per_day = DEFAULT_NEW_CARDS_PER_DAY  # the quiz's, in the study data
        self.card_kinds: tuple[str, ...] = CARD_KINDS  # likewise
        self.paths: set[str] = set()

    def wanted(self, path: str, key: str) -> bool:
        """Whether the file at `path`, which shows what `key` says, must be rendered; False
        when the previous build's file is kept."""
        if path in self.paths or path in self.decks:
            raise AssertionError(f"two files of the site at {path}")  # ids never collide
        self.paths.add(path)
        return not self.reuse.keep(path, key)

    def pieces(self, table: str, keys: list[Hashable], make: Callable[[int], V]) -> list[V]:
        """One piece per room (`make(index)`), kept between builds under its key. Pieces are
        fetched even for a file that is kept, so that the memo keeps them for a later build."""
        remembered = self.memo.table(table, streamed=True)  # each piece is used once
        return [remembered.get(key, partial(make, index)) for index, key in enumerate(keys)]

    def view(self, facts: PalaceFacts, index: int) -> RoomView:
        """The room at `index`, as its pieces show it; made when one is made, not kept."""
        room = facts.rooms[index]
        return RoomView(facts.palace, room.room, room.path)

    def render(self) -> Files:
        """Every file this build renders, one at a time."""
        # Files named by their content: kept whenever the previous build wrote them.
        for path, data in (*self.static.files, *self.picture_files.items()):
            if self.wanted(path, path):
                yield path, data
        if self.wanted(NOJEKYLL, ""):
            yield NOJEKYLL, b""
        for facts in self.facts:
            yield from self.study_data(facts)
            yield from self.palace(facts)
            yield from self.overview(facts)
        yield from self.home()
        if self.wanted(NOT_FOUND, digest(NOT_FOUND, self.key)):
            yield NOT_FOUND, self.not_found_page()
        if self.base_url:
            pages = sorted(path for path in self.paths if path.endswith(".html"))
            pages.remove(NOT_FOUND)
            if self.wanted(SITEMAP, digest(SITEMAP, self.base_url, pages)):
                yield SITEMAP, sitemap(self.base_url, pages)

    def deck(self, palace: Palace) -> Deck | None:
        size = self.decks.get(deck_name(palace))
        return None if size is None else Deck(deck_name(palace), human_size(size))

    def deck_size(self, facts: PalaceFacts) -> str:
        """What the pages show of the palace's deck."""
        deck = self.deck(facts.palace)
        return "" if deck is None else deck.size

    def home(self) -> Files:
        context: dict[str, Any] = {**self.common, "palaces": self.palaces}
        if len(self.palaces) != 1:
            context["listing"] = [
                (facts.palace, facts.counts, self.deck(facts.palace)) for facts in self.facts
            ]
            shown = [
                (facts.key, tuple(facts.counts), self.deck_size(facts)) for facts in self.facts
            ]
            if self.wanted(HOME, digest(HOME, self.key, shown)):
                yield HOME, render_page("home.html", HOME, **context)
            return
        # One palace: a short page that points into it (how to study it, its rooms, its
        # deck); the palace's own page holds its rooms and the whole walk.
        (facts,) = self.facts
        shown_home = (facts.key, tuple(facts.counts), self.deck_size(facts))
        if self.wanted(HOME, digest(HOME, self.key, shown_home)):
            context.update(palace=facts.palace, deck=self.deck(facts.palace), counts=facts.counts)
            yield HOME, render_page("home.html", HOME, **context)

    def room_list(self, facts: PalaceFacts, page: str) -> tuple[list[bytes], list[Hashable]]:
        """The items of the palace's list of rooms on `page`, and their keys."""
        palace = facts.palace
        keys: list[Hashable] = [
            (page, palace.id, r.room.id, r.room.name, r.number, r.loci, r.steps, r.first)
            for r in facts.rooms
        ]
        return self.pieces("site.room-item", keys, lambda i: room_item(facts.rooms[i], page)), keys

    def study_data(self, facts: PalaceFacts) -> Files:
        """The palace's study data, which walk mode, the quiz and the search read."""
        palace = facts.palace
        indices, pictures = picture_indices(facts, self.pictures)
        keys: list[Hashable] = [
            (palace.id, r.outline, r.texts, r.extras, r.number, r.first, indices[index])
            for index, r in enumerate(facts.rooms)
        ]
        rooms = self.pieces(
            "site.data", keys, lambda i: room_data(self.view(facts, i), i, indices[i])
        )
        path = self.data_of[palace.id]
        limit, kinds = self.new_cards_per_day, self.card_kinds
        if self.wanted(path, digest(path, facts.key, keys, pictures, limit, kinds)):
            data = data_script(palace, rooms, pictures, limit, kinds)
            yield path, data

    def palace(self, facts: PalaceFacts) -> Files:
        """A palace's pages but its overview: walk mode, the quiz, the map, the glossary and
        its rooms."""
        key, context = self.palace_common(facts)
        yield from self.study_pages(facts, key, context)
        yield from map_page(self, facts, key, context, outlines_of(facts))
        yield from glossary_page(self, facts, key, context)
        yield from room_pages(self, facts, key, context)

    def palace_common(self, facts: PalaceFacts) -> tuple[str, dict[str, Any]]:
        """What every page of a palace shows, as a key, and the context of its templates."""
        context = {**self.common, "palace": facts.palace, "counts": facts.counts}
        return digest(self.key, facts.key), context

    def overview(self, facts: PalaceFacts) -> Files:
        """The palace's page: the list of rooms and the walk at a glance."""
        key, context = self.palace_common(facts)
        outlines = outlines_of(facts)
        path = palace_path(facts.palace)
        items, item_keys = self.room_list(facts, path)
        tables = self.pieces("site.walk-table", outlines, lambda i: walk_table(self.view(facts, i)))
        if self.wanted(path, digest(path, key, self.deck_size(facts), item_keys, outlines)):
            parts = {"room_list": items, "walk": tables}
            deck = self.deck(facts.palace)
            yield path, render_with_parts("palace.html", path, parts, deck=deck, **context)

    def study_pages(self, facts: PalaceFacts, key: str, context: dict[str, Any]) -> Files:
        """Walk mode and the quiz: they show the rooms to choose from; the rest is scripts."""
        palace = facts.palace
        scope = [(r.room.id, r.number, r.room.name, r.first, r.last) for r in facts.rooms if r.loci]
        for template, path in (("walk.html", walk_path(palace)), ("quiz.html", quiz_path(palace))):
            if self.wanted(path, digest(path, key, facts.summary)):
                yield path, render_page(template, path, scope=scope, **context)

    def not_found_page(self) -> bytes:
        """`404.html`: GitHub Pages serves it at any depth, where relative links to the site's
        files would break; so it carries its stylesheet and script inline, and its script
        finds the site root (see `static/notfound.js`) to fix its links."""
        static = self.static
        script = static.js + "\n" + static.not_found_js
        csp = (
            f"default-src 'none'; style-src {csp_hash(static.css)}; "
            f"script-src {csp_hash(script)}; connect-src 'self'; img-src data:; "
            "base-uri 'none'; form-action 'none'"
        )
        folders = sorted({ASSETS, PICTURES, *(palace.id for palace in self.palaces)})
        # Markup: the site's own files, not notes; neither contains `</style` or `</script`.
        context = {
            **self.common,
            "top_folders": " ".join(folders),
            "icon_url": "data:image/svg+xml," + quote(static.icon),
            "csp": csp,
            "standalone": True,
            "canonical": None,
            "inline_css": Markup(static.css),
            "inline_js": Markup(script),
        }
        return render_page("404.html", NOT_FOUND, **context)
