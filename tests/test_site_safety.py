"""The study site against notes that attack it: nothing runs, nothing breaks out, `&`, `<`
and `>` show as written (tests/browser/notes/hostile.md); and the 404 page, which has to stand
on its own at any depth.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from urllib.parse import quote

from browser import dom
from browser.fixtures import both, html_pages, page, seed

from builder.site.assets import csp_hash, static_files
from builder.site.pages import relative

__all__ = ["both", "seed"]  # fixtures: pytest finds them here

SVG = "{http://www.w3.org/2000/svg}"
MAP_TAGS = {"svg", "g", "rect", "a", "title", "text", "tspan", "circle", "path"}


# -- untrusted notes -------------------------------------------------------------------------


def test_hostile_notes_run_nothing_and_show_as_written(both: dict[str, bytes]) -> None:
    static = static_files()
    for path in html_pages(both):
        root = page(both, path)
        scripts = list(root.iter("script"))
        if path == "404.html":
            assert [s.text for s in scripts] == [static.js + "\n" + static.not_found_js]
        else:
            # the site's own files only, theme first; never a script written into the page
            sources = [s.get("src") for s in scripts]
            assert [s.text for s in scripts] == [None] * len(scripts), path
            assert sources[0] == relative(path, static.js_path), path
            assert all(
                source and dom.Link(path, "script", source).target()[0] in both
                for source in sources
            ), path
        drawn: set[etree.Element] = set()
        if path.endswith("/map.html"):
            (svg,) = root.iter(SVG + "svg")  # the map: only what builder/site/map.py draws
            assert svg.get("class") in {"map-svg", "map-svg one-page"}, path
            drawn = set(svg.iter())
            assert {e.tag.removeprefix(SVG) for e in drawn} <= MAP_TAGS, path
        for element in root.iter():
            if element not in drawn:
                name = element.tag.removeprefix(SVG)  # html5lib puts SVG in its namespace
                assert name not in {"iframe", "svg", "b", "i", "object", "embed"}, path
            for name, value in element.attrib.items():
                assert not name.startswith("on"), f"{path}: {name}={value}"
                assert "javascript:" not in value.replace(" ", "").lower() or name == "alt", (
                    f"{path}: {name}={value}"
                )
                if not (path == "404.html" and element.get("rel") == "icon"):
                    assert not value.lower().startswith("data:"), f"{path}: {name}={value}"
        for name in ("main", "header", "footer"):
            assert len(list(root.iter(name))) == 1, f"{path}: stray tags closed the {name}"

    room = page(both, "hostile/index/index.html")
    (gate, main) = dom.by_class(room, "article", "locus")
    assert dom.text(dom.by_class(gate, "span", "place")[0]) == "Gate <b>"
    concept = dom.text(dom.by_class(gate, "p", "concept")[0])
    assert concept == 'Concept <script>window.__pwned = "concept"</script>'
    description = dom.text(dom.by_class(gate, "p", "description")[0])
    assert description == "Desc click & AT&T <i> x > y"
    mnemonic = dom.text(dom.by_class(gate, "div", "mnemonic")[0])
    assert "</p></div><iframe" in mnemonic
    # the javascript: link keeps its text and loses its target
    assert [a.get("href") for a in gate.iter("a")] == ["#gate-b", None, "https://example.org/"]
    picture = room.find(".//figure/img")
    assert (
        picture is not None and picture.get("alt") == "a door \" onerror=\"window.__pwned = 'alt'"
    )
    assert main.get("id") == "main", "a locus named Main keeps its id: the page's own ids have '_'"
    title = dom.text(room.find(".//title"))
    assert title.startswith('Index · Evil <script>window.__pwned = "title"</script> & AT&T')


def test_links_in_notes_never_nest_inside_the_sites_links(both: dict[str, bytes]) -> None:
    for path in html_pages(both):
        for link in page(both, path).iter("a"):
            assert not list(link.iter("a"))[1:], f"{path}: a link inside a link"
    lamp = "lamp-in-the-corner-https-example-org-lamp"
    room = page(both, "hostile/glossary/index.html")
    place = next(a for a in room.iter("a") if a.get("href") == "https://example.org/lamp")
    assert dom.text(place) == "in the corner", "the room page keeps the notes' link"
    walk = page(both, "hostile/index.html")
    row = next(a for a in walk.iter("a") if a.get("href") == f"glossary/index.html#{lamp}")
    assert dom.text(row) == "Lamp in the corner", "a link of the site shows the text only"


def test_templates_are_stock_jinja() -> None:
    """A plain Jinja2 environment: everything escaped, every undefined name an error."""
    from jinja2 import Environment, StrictUndefined

    from builder.site import render

    assert type(render.ENVIRONMENT) is Environment
    assert render.ENVIRONMENT.undefined is StrictUndefined
    template = render.ENVIRONMENT.from_string("{{ x }}")
    assert template.render(x="<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"


def test_template_syntax_in_notes_is_text(both: dict[str, bytes]) -> None:
    assert "{{ 7*7 }}" in dom.text(page(both, "hostile/index.html").find(".//h1"))


# -- 404 -------------------------------------------------------------------------------------


def test_404_page_carries_its_own_style_and_script(seed: dict[str, bytes]) -> None:
    static = static_files()
    root = page(seed, "404.html")
    assert root.get("data-root") is None, "the script finds the root at run time"
    assert [link.url for link in dom.links("404.html", root)] == [
        "#_main",
        "index.html",
        "index.html",
        "data:image/svg+xml," + quote(static.icon),
    ]
    assert [a.get("data-site-link") for a in root.iter("a")] == [None, "index.html", "index.html"]
    (style,) = root.iter("style")
    assert style.text == static.css
    policy = next(
        m.get("content", "")
        for m in root.iter("meta")
        if m.get("http-equiv") == "Content-Security-Policy"
    )
    assert f"style-src {csp_hash(static.css)}" in policy
    assert f"script-src {csp_hash(static.js + chr(10) + static.not_found_js)}" in policy
    (script,) = root.iter("script")
    assert script.get("data-marker") == static.css_path
