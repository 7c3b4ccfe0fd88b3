"""Parse rendered pages strictly and list what they link to."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import html5lib

LINKING = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"))


def parse(data: bytes) -> etree.Element:
    """The page as an element tree; any HTML parse error raises html5lib's ParseError."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(data)


def text(element: etree.Element | None) -> str:
    """The text of an element, whitespace collapsed."""
    assert element is not None
    return " ".join("".join(element.itertext()).split())


def by_class(root: etree.Element, tag: str, name: str) -> list[etree.Element]:
    return [e for e in root.iter(tag) if name in (e.get("class") or "").split()]


@dataclass(frozen=True)
class Link:
    page: str
    tag: str
    url: str

    @property
    def external(self) -> bool:
        return bool(urlsplit(self.url).scheme)

    def target(self) -> tuple[str, str]:
        """(site path, fragment) the link points at, resolved against its page."""
        parts = urlsplit(self.url)
        path = unquote(parts.path)
        if not path:
            return self.page, parts.fragment
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(self.page), path))
        return resolved, parts.fragment


def links(page: str, root: etree.Element) -> list[Link]:
    found = []
    for tag, attribute in LINKING:
        for element in root.iter(tag):
            url = element.get(attribute)
            if url is not None:
                found.append(Link(page, tag, url))
    return found


def ids(root: etree.Element) -> set[str]:
    return {e.get("id", "") for e in root.iter() if e.get("id")}
