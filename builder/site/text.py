"""Notes text as the site shows it, cached: a big palace repeats the same fields on the room
page, the palace's cheat sheet and the glossary, so each field is rendered once per build."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from builder.markup import inline, plain

CACHE_SIZE = 1 << 16


@lru_cache(maxsize=CACHE_SIZE)
def markdown(text: str) -> Markup:
    """A notes field as HTML. `inline` escapes raw HTML and drops unsafe links, so its output
    is the one thing the site marks safe."""
    return Markup(inline(text))


@lru_cache(maxsize=CACHE_SIZE)
def plain_text(text: str) -> str:
    """A notes field without markup: for titles, attributes, link text, sorting and search.
    The templates escape it like any other string."""
    html = inline(text)
    if "<" not in html and "&" not in html:
        return html  # no tags, no entities: `plain` would return it unchanged, only slower
    return plain(text)


@lru_cache(maxsize=CACHE_SIZE)
def link_text(text: str) -> Markup:
    """A notes field inside a link of the site: its HTML, or its plain text when the notes
    put a link of their own in it (links must not nest)."""
    html = markdown(text)
    return html if "<a" not in html else escape(plain_text(text))


def clear_caches() -> None:
    """Forget rendered text (for benchmarks that measure a cold build)."""
    markdown.cache_clear()
    plain_text.cache_clear()
    link_text.cache_clear()
