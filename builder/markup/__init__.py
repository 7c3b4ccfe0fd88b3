"""Inline Markdown of the notes → safe HTML, shared by the deck and the site.

Notes are untrusted text. Instead of rendering raw HTML and cleaning it afterwards, raw HTML is
never parsed as HTML at all: `SafeInlineExtension` removes Python-Markdown's raw-HTML handling,
so `<script>` or `<img onerror=…>` come out as visible, escaped text. What Markdown itself
creates (links, pictures) is checked: only http(s), mailto and relative links survive.
Descriptions are *inline* Markdown: block syntax (headings, lists, quotes, code blocks) is off,
so `1. step` or `# 3` in a description stays text.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from builder.notes.records import MAX_FIELD, MAX_LINKS

if TYPE_CHECKING:
    from builder.cache.memo import Table

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")
# Text without these renders the same with or without Markdown (`_is_plain`, tested against the
# parser): no inline syntax, no entity, no placeholder of Python-Markdown's, no carriage return;
# and no line break (two spaces, or a tab, which may expand to two, before a newline) or new
# paragraph (a line of nothing but spaces and tabs).
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]!<&\x02\x03\r]")
_LINE_BREAKS = re.compile(r"[ \t]{2}\n|\t\n|\n[ \t]*\n")
_BLOCK_PROCESSORS = (
    "indent",
    "code",
    "hashheader",
    "setextheader",
    "hr",
    "olist",
    "ulist",
    "quote",
    "reference",
)


def link_target(url: str) -> str:
    """A link's target as a browser reads it: character references decoded (`&#58;`,
    `&colon;`, with or without `;`), as often as they nest."""
    decoded = html.unescape(url)
    while decoded != url:
        url, decoded = decoded, html.unescape(decoded)
    return url


def is_safe_url(url: str) -> bool:
    """Relative links and http(s)/mailto only: `javascript:`, `data:` and the like are refused,
    however they are spelled (references, control characters, whitespace inside)."""
    cleaned = "".join(ch for ch in link_target(url) if ch.isprintable() and not ch.isspace())
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


class LinkGuard(Treeprocessor):
    """Drops unsafe link targets; inline pictures become their description (pictures belong on
    their own `![alt](file)` line, where the notes loader checks and copies them)."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "a":
                    href = child.get("href", "")
                    if is_safe_url(href):  # written out decoded: the serializer escapes it
                        child.set("href", link_target(href))
                    else:
                        child.attrib.pop("href", None)
                if child.tag == "img":
                    _replace_with_text(parent, child, child.get("alt", ""))


def _replace_with_text(parent: etree.Element, child: etree.Element, text: str) -> None:
    index = list(parent).index(child)
    tail = text + (child.tail or "")
    if index == 0:
        parent.text = (parent.text or "") + tail
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + tail
    parent.remove(child)


class SafeInlineExtension(Extension):
    """Inline Markdown only, raw HTML shown as text, unsafe link targets removed."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # A field holds no reference definitions (`[id]: url`), so a reference never resolves.
        for name in ("reference", "short_reference", "image_reference", "short_image_ref"):
            md.inlinePatterns.deregister(name)
        for name in _BLOCK_PROCESSORS:
            md.parser.blockprocessors.deregister(name)
        md.treeprocessors.register(LinkGuard(md), "link_guard", 0)


@lru_cache(maxsize=1)
def _parser() -> markdown.Markdown:
    """The one parser, made on first use (a build whose fields are all plain or remembered
    never needs it) and `reset()` before each field."""
    return markdown.Markdown(extensions=[SafeInlineExtension()], output_format="html")


_remembered: Table | None = None


@contextmanager
def remembering(table: Table) -> Iterator[None]:
    """Within the block, `inline` looks its results up in (and adds them to) `table`, a memo
    kept between builds: a rebuild renders only fields that are new."""
    global _remembered
    before, _remembered = _remembered, table
    try:
        yield
    finally:
        _remembered = before


def inline(text: str) -> str:
    """One field of the notes (concept, description, note) as safe HTML, without a wrapper.
    A field over `MAX_FIELD` or `MAX_LINKS` is shown as text (the notes reader reports it)."""
    text = text.strip()
    if _is_plain(text) or len(text) > MAX_FIELD or text.count("](") > MAX_LINKS:
        return html.escape(text.expandtabs(4), quote=False)  # as Markdown would
    table = _remembered
    if table is None:
        return _inline(text)
    return table.get(text, lambda: _inline(text))


def _is_plain(text: str) -> bool:
    """Whether `text` has no Markdown syntax, so that escaping it gives what Markdown gives."""
    return not _MARKDOWN_SYNTAX.search(text) and ("\n" not in text or not _LINE_BREAKS.search(text))


@lru_cache(maxsize=1 << 16)  # the deck and the site render the same fields
def _inline(text: str) -> str:
    """`text` (stripped) through Python-Markdown; a single paragraph loses its `<p>`."""
    parser = _parser()
    parser.reset()
    rendered = parser.convert(text)
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def plain(text: str) -> str:
    """The text of a field without Markdown syntax, for search indexes, titles and sorting."""
    return html.unescape(re.sub(r"<[^>]*>", "", inline(text)))
