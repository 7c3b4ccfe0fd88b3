"""The study site: records in, `(relative path, bytes)` out, one file at a time.

    site_files(palaces, decks) → ("assets/style.<hash>.css", b"..."), ("index.html", b"..."), ...

First what pages share is gathered (assets, pictures, and per room the digests of what it shows:
`facts.py`), then every file of the site is rendered (`files.py`); see `pages.py` for the paths.

Rendering is incremental when the build hands over what the previous one left (`memo.py`):
each file has a key of everything it shows, and a file whose key is the one the previous build
wrote it with is kept, not rendered (`Reuse`). The big files, which show every locus (the
palace's page, its map, its glossary and its study data), are joined from one piece per room,
and a piece is made again only when what it shows changed (`Memo`). So editing one description
renders its room page, the glossary and the study data, of which only that room's pieces. A
piece or a file comes out the same whether it was made now or kept: the bytes never depend on
what was remembered.

Writing the files (and the decks, which the site only links to) is the build's job. The output
depends on nothing but the input: no dates, files in sorted order, so an unchanged palace
rebuilds to the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from builder.cache.memo import Memo, Reuse
from builder.collector import collector_paused
from builder.config import CARD_KINDS, DEFAULT_NEW_CARDS_PER_DAY
from builder.deck import deck_name
from builder.notes.records import Palace
from builder.site.files import Files, SiteFiles
from builder.site.render import remembered_templates
from builder.site.sitemap import normalise_base_url
from builder.site.text import clear_caches

__all__ = ["deck_name", "render_site", "site_files"]


def render_site(
    palaces: tuple[Palace, ...],
    decks: Mapping[str, int],
    lang: str = "en",
    *,
    site_title: str | None = None,
    base_url: str | None = None,
    new_cards_per_day: int = DEFAULT_NEW_CARDS_PER_DAY,
    card_kinds: Sequence[str] = CARD_KINDS,
    memo: Memo | None = None,
    reuse: Reuse | None = None,
) -> dict[str, bytes]:
    """`site_files`, all at once: `{path: bytes}` in sorted order."""
    files = site_files(
        palaces,
        decks,
        lang,
        site_title=site_title,
        base_url=base_url,
        new_cards_per_day=new_cards_per_day,
        card_kinds=card_kinds,
        memo=memo,
        reuse=reuse,
    )
    return {
        path: data if isinstance(data, bytes) else b"".join(data) for path, data in sorted(files)
    }


def site_files(
    palaces: tuple[Palace, ...],
    decks: Mapping[str, int],
    lang: str = "en",
    *,
    site_title: str | None = None,
    base_url: str | None = None,
    new_cards_per_day: int = DEFAULT_NEW_CARDS_PER_DAY,
    card_kinds: Sequence[str] = CARD_KINDS,
    memo: Memo | None = None,
    reuse: Reuse | None = None,
) -> Files:
    """The files of the study site (pages, assets, pictures, `404.html`, `.nojekyll`) that
    this build renders, each as soon as it is rendered: the build writes it and lets it go.

    `decks` maps deck file names (`deck_name(palace)`) to their sizes in bytes: the pages link
    to them and show their size, but they are not part of the returned files. `lang` is the
    language of the pages. `site_title` names the site in every page's header and on the home
    page of several palaces (default: the palace's title, or "Memory palaces" for several).
    `base_url` is where the site is published (`https://owner.github.io/repo/`): given, every
    page names its absolute URL in `<link rel="canonical">` and `sitemap.xml` lists them all.
    `new_cards_per_day` is the quiz's daily limit of new cards, `card_kinds` the kinds of cards
    it asks unless the learner chooses (the deck's; both in the study data).

    `memo` and `reuse` carry over what the previous build into the same folder rendered, with
    the same code and settings (see the module docstring): the files `reuse` keeps are left
    out. Without them, every file is rendered.
    """
    base = normalise_base_url(base_url) if base_url is not None else None
    templates = None if memo is None else memo.table("site.templates")
    try:
        with collector_paused(), remembered_templates(templates):
            site = SiteFiles(
                palaces, decks, lang, site_title, base, memo or Memo(), reuse or Reuse()
            )
            site.new_cards_per_day = new_cards_per_day
            site.card_kinds = tuple(card_kinds)
            yield from site.render()
    finally:
        clear_caches()  # rendered text is kept for one build: it holds every field
