"""Notes text as the site shows it, each field rendered once per build: a big palace shows the
same fields on the room page, the palace's cheat sheet, the map, the glossary and the study
data.

The caches hold one entry per field of the palace and no copy of a field that renders as
itself (most of them: the cached value is then the records' own string). `html`, `plain_text`
and `link_html` give `str` for pages written as strings; the templates' filters (`markdown`,
`link_text`) wrap them in `Markup` as they use them.
"""

from __future__ import annotations

from functools import cache

from markupsafe import Markup, escape

from builder.markup import inline, plain


@cache
def html(text: str) -> str:
    """A notes field as HTML. `inline` escapes raw HTML and drops unsafe links, so its output
    is the one thing the site marks safe."""
    rendered = inline(text)
    return text if rendered == text else rendered


@cache
def plain_text(text: str) -> str:
    """A notes field without markup: for titles, attributes, link text, sorting and search.
    The templates escape it like any other string."""
    rendered = html(text)
    if "<" not in rendered and "&" not in rendered:
        return rendered  # no tags, no entities: `plain` would return it unchanged, only slower
    return plain(text)


@cache
def link_html(text: str) -> str:
    """A notes field inside a link of the site: its HTML, or its plain text (escaped) when the
    notes put a link of their own in it (links must not nest)."""
    rendered = html(text)
    return rendered if "<a" not in rendered else str(escape(plain_text(text)))


def markdown(text: str) -> Markup:
    """`html` for the templates."""
    return Markup(html(text))


def link_text(text: str) -> Markup:
    """`link_html` for the templates."""
    return Markup(link_html(text))


def clear_caches() -> None:
    """Forget rendered text: after each build's site (the caches hold every field), and in
    benchmarks of a cold build."""
    html.cache_clear()
    plain_text.cache_clear()
    link_html.cache_clear()
