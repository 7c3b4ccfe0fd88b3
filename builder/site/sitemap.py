"""Where the site is published: `<link rel="canonical">` on its pages and `sitemap.xml`.

Both need the site's public address (`render_site(..., base_url=...)`); without one the site
names no absolute URL at all, so it works the same from any host, sub-path or `file://`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import urlsplit

from builder.site.pages import absolute_url

SITEMAP = "sitemap.xml"


def normalise_base_url(url: str) -> str:
    """`https://owner.github.io/repo` → `https://owner.github.io/repo/`; anything but an
    absolute http(s) URL without query or fragment is refused."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        example = "https://owner.github.io/repo/"
        raise ValueError(f"base_url must be an absolute http(s) URL like {example}, not {url!r}")
    return url if url.endswith("/") else url + "/"


def sitemap(base_url: str, pages: Iterable[str]) -> bytes:
    """A sitemap (sitemaps.org protocol 0.9) of `pages`, in the order given, without dates:
    the same pages give the same bytes."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        *(
            f"<url><loc>{html.escape(absolute_url(base_url, page), quote=False)}</loc></url>"
            for page in pages
        ),
        "</urlset>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")
