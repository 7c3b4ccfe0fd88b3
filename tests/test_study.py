"""The study pages as rendered in Python: each palace's study data (what walk, quiz and search
read), the search fold's pieces, the map's layout and links, `site_title` and `base_url`
(canonical links, sitemap.xml), and the vendored scheduler. The scripts themselves are tested
by Node (test_study_js.py) and in Chromium (test_study_browser.py).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import unicodedata
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest
from browser import dom
from browser.fixtures import GERMAN, HOSTILE, SEED, decks_for, html_pages, page, palaces, render
from hypothesis import given
from hypothesis import strategies as st

from builder.config import CARD_KINDS
from builder.markup import plain
from builder.notes.identity import fold
from builder.site import render_site
from builder.site.assets import collect_pictures, static_files, vendored_fsrs
from builder.site.map import CELL, GUTTER, HEADER, MARGIN, PAD, ROOM_WIDTH, WIDTH, _name_lines
from builder.site.pages import absolute_url, relative, room_views
from builder.site.render import page_url
from builder.site.scripts import script_json
from builder.site.search import SEPARATOR, combining_marks, folded
from builder.site.sitemap import normalise_base_url
from builder.site.study import QUIZ_KINDS, study_data, study_script
from builder.site.text import plain_text

SVG = "{http://www.w3.org/2000/svg}"
STATIC = Path(__file__).resolve().parents[1] / "builder" / "site" / "static"


@pytest.fixture(scope="module")
def seed() -> dict[str, bytes]:
    return render(SEED)


@pytest.fixture(scope="module")
def everything() -> dict[str, bytes]:
    return render(SEED, GERMAN, HOSTILE)


def data_of(files: dict[str, bytes], palace: str) -> dict[str, object]:
    """A palace's study data, read back from the script the site ships."""
    (path,) = [p for p in files if re.fullmatch(rf"assets/data-{palace}\.[0-9a-f]{{12}}\.js", p)]
    text = files[path].decode("utf-8")
    prefix = f'window.PALACES = window.PALACES || {{}};\nwindow.PALACES["{palace}"] = '
    assert text.startswith(prefix) and text.endswith(";\n")
    value: dict[str, object] = json.loads(text[len(prefix) : -2])
    return value


# -- study data --------------------------------------------------------------------------------


def test_seed_study_data_is_the_walk(seed: dict[str, bytes]) -> None:
    data = data_of(seed, "ml-palace")
    assert (data["palace"], data["title"]) == ("ml-palace", "Machine learning palace")
    rooms = data["rooms"]
    stops = data["stops"]
    assert isinstance(rooms, list) and isinstance(stops, list)
    assert [room[0] for room in rooms][:4] == [
        "entrance-and-stairs",
        "bathroom",
        "hallway",
        "kitchen",
    ]
    assert rooms[3] == ["kitchen", "Kitchen", "ml-palace/kitchen/index.html", "", -1, 0]
    assert len(stops) == 35
    assert stops[18] == ["filter", 3, 0, "Filter", "Softmax", "function where all activations "
                         "add to 1 &amp; &gt;0", "", -1, 0, "function where all activations "
                         "add to 1 & >0", 0]  # fmt: skip
    steps = [(stop[0], stop[2]) for stop in stops if stop[2]]
    assert steps == [
        ("window--balcony", 28),
        ("window--stefan-silo", 28),
        ("window--street", 28),
        ("window--silo", 28),
        ("window--halle", 28),
    ], "a step names its locus by number"
    assert stops[30][5] == "clear prev grads"


def test_study_data_names_the_decks_kinds_for_the_quiz() -> None:
    assert set(QUIZ_KINDS) == set(CARD_KINDS), "every kind the settings know has a quiz name"
    assert data_of(render(SEED), "ml-palace")["kinds"] == ["pc", "cp", "route", "seq"]
    chosen = render_site(palaces(SEED), {}, card_kinds=("sequence", "place-concept"))
    assert data_of(chosen, "ml-palace")["kinds"] == ["pc", "seq"]
    views = room_views(palaces(SEED)[0])
    data = study_data(palaces(SEED)[0], views, {}, card_kinds=["route"])
    assert data["kinds"] == ["route"]


def test_study_data_folds_what_is_not_ascii(everything: dict[str, bytes]) -> None:
    data = data_of(everything, "haus")
    rooms, stops = data["rooms"], data["stops"]
    assert isinstance(rooms, list) and isinstance(stops, list)
    assert rooms[0][1:2] + rooms[0][5:] == ["Küche", "kuche"]
    assert rooms[1][5] == 0, "Torbogen is ASCII: the browser lower-cases it"
    assert stops[1][3] == "Kühlschrank"
    assert stops[1][10] == SEPARATOR.join(["kuhlschrank", "uberanpassung", ""]), (
        "the ASCII description is lower-cased in the browser"
    )


def test_study_data_of_hostile_notes_is_escaped_html(everything: dict[str, bytes]) -> None:
    path = next(p for p in everything if p.startswith("assets/data-hostile."))
    raw = everything[path].decode("utf-8")
    assert "<" not in raw and ">" not in raw, "nothing can close a <script> around it"
    stops = data_of(everything, "hostile")["stops"]
    assert isinstance(stops, list)
    gate = stops[0]
    assert gate[3] == "Gate <b>", "places are plain text, set as text by the scripts"
    assert gate[4] == 'Concept &lt;script&gt;window.__pwned = "concept"&lt;/script&gt;'
    assert "javascript" not in gate[5] and "click</a> &amp; AT&amp;T &lt;i&gt;" in gate[5]
    assert gate[8] == 'Concept <script>window.__pwned = "concept"</script>', "its text, for search"
    assert "<iframe" not in gate[6] and "&lt;iframe" in gate[6]


def test_study_data_is_shared_by_the_pages_that_need_it(seed: dict[str, bytes]) -> None:
    data = next(p for p in seed if p.startswith("assets/data-ml-palace."))
    scripts = static_files().scripts
    expected = {
        "index.html": [scripts["search"], data, scripts["srs"], scripts["due"]],
        "ml-palace/index.html": [scripts["search"], data, scripts["srs"], scripts["due"]],
        "ml-palace/walk.html": [scripts["search"], data, scripts["walk"]],
        "ml-palace/quiz.html": [
            scripts["search"],
            data,
            scripts["fsrs"],
            scripts["srs"],
            scripts["cards"],
            scripts["quiz"],
        ],
        "ml-palace/map.html": [scripts["search"]],
        "ml-palace/kitchen/index.html": [scripts["search"], data, scripts["srs"], scripts["due"]],
    }
    for path, sources in expected.items():
        root = page(seed, path)
        found = [
            dom.Link(path, "script", s.get("src", "")).target()[0] for s in root.iter("script")
        ]
        assert found == [static_files().js_path, *sources], path
        deferred = [s.get("defer") for s in root.iter("script")][1:]
        assert deferred == [""] * len(sources), f"{path}: study scripts wait for the page"


def test_search_box_knows_every_palaces_data(everything: dict[str, bytes]) -> None:
    box = next(
        e
        for e in page(everything, "haus/kuche/index.html").iter("div")
        if "data-search" in e.attrib
    )
    assert box.get("hidden") == "", "hidden until its script shows it"
    assert (box.get("data-palaces") or "").split() == ["ml-palace", "haus", "hostile"]
    urls = (box.get("data-index") or "").split()
    assert [dom.Link("haus/kuche/index.html", "script", u).target()[0] for u in urls] == [
        next(p for p in everything if p.startswith(f"assets/data-{palace}."))
        for palace in ("ml-palace", "haus", "hostile")
    ]


def test_script_json_is_safe_in_a_script_element() -> None:
    text = script_json({"a": "</script><!-- & \u2028\u2029 ü"})
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 ü"}'
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 ü"}
    with pytest.raises(ValueError):
        script_json(math.nan)


# -- the search fold ---------------------------------------------------------------------------


def test_combining_marks_are_unicodedatas() -> None:
    marks = combining_marks()
    expected = [c for c in range(0x20000) if unicodedata.combining(chr(c))]
    assert marks_in(marks) == expected
    assert marks.startswith("\\u0300-\\u034e"), "the combining diacritics come first"
    assert "\\u{1d165}-\\u{1d169}" in marks, "astral ones in ES2015 spelling"


def test_search_js_strips_the_marks_python_does() -> None:
    """search.js holds Python 3.11's marks (Unicode 14.0) as a constant, so the site's bytes do
    not depend on the Python that builds it. Combining classes never change once assigned:
    a later Python only knows more marks, of characters Unicode 14.0 did not have."""
    source = (STATIC / "search.js").read_text(encoding="utf-8")
    literal = re.search(r"var MARKS =\n((?:    \".*\"(?: \+|;)\n)+)", source)
    assert literal is not None
    in_js = "".join(re.findall(r'"(.*)"', literal.group(1))).replace("\\\\", "\\")
    if unicodedata.unidata_version == "14.0.0":
        assert in_js == combining_marks()
    else:
        assert set(marks_in(in_js)) <= set(marks_in(combining_marks()))


def marks_in(body: str) -> list[int]:
    """The code points of a character class body made by `combining_marks`."""
    codes = []
    for first, last in re.findall(r"\\u\{?([0-9a-f]+)\}?(?:-\\u\{?([0-9a-f]+)\}?)?", body):
        codes.extend(range(int(first, 16), int(last or first, 16) + 1))
    return codes


@given(st.lists(st.text(max_size=20), min_size=1, max_size=3))
def test_folded_is_the_fold_of_each_text(texts: list[str]) -> None:
    result = folded(*texts)
    if all(text.isascii() for text in texts):
        assert result == 0
    else:
        assert result == SEPARATOR.join("" if t.isascii() else fold(t) for t in texts)


@given(st.text(max_size=40))
def test_plain_text_is_markup_plain(text: str) -> None:
    assert plain_text(text) == plain(text)


# -- the map -----------------------------------------------------------------------------------


def svg_of(files: dict[str, bytes], palace: str) -> etree.Element:
    (svg,) = page(files, f"{palace}/map.html").iter(SVG + "svg")
    return svg


def centres(svg: etree.Element) -> list[tuple[int, int, str]]:
    found = []
    for link in svg.iter(SVG + "a"):
        circle = link.find(SVG + "circle")
        if circle is not None:
            found.append(
                (int(circle.get("cx", "")), int(circle.get("cy", "")), link.get("href", ""))
            )
    return found


def test_map_links_every_stop_and_room_in_walk_order(seed: dict[str, bytes]) -> None:
    svg = svg_of(seed, "ml-palace")
    stops = centres(svg)
    nav = next(e for e in page(seed, "ml-palace/map.html").iter("nav") if e.get("class") == "route")
    walk = [f"ml-palace/{s.room.id}/index.html#{s.id}" for s in palaces(SEED)[0].walk]
    assert [dom.Link("ml-palace/map.html", "a", href).target() for _, _, href in stops] == [
        tuple(target.split("#")) for target in walk
    ]
    stop_links = [a for a in svg.iter(SVG + "a") if a.find(SVG + "circle") is not None]
    numbers = [a.findtext(SVG + "text") for a in stop_links]
    assert numbers == [str(n) for n in range(1, 36)]
    # every stop's place as text beside it, not only in a tooltip: phones have no hover
    labels = [
        " ".join(span.text or "" for span in text.iter(SVG + "tspan"))
        for a in stop_links
        for text in a.iter(SVG + "text")
        if text.get("class", "").startswith("map-label")
    ]
    assert labels == [s.place for s in palaces(SEED)[0].walk]
    titles = [a.findtext(SVG + "title") for a in svg.iter(SVG + "a")]
    assert "11: Stove, Loss Functions" in titles and "Room 4: Kitchen" in titles
    route = [a.get("href") for a in nav.iter("a")]
    assert sorted(route) == sorted(href for a in svg.iter(SVG + "a") if (href := a.get("href"))), (
        "the route list beside it has the map's links"
    )


def test_map_route_steps_one_cell_at_a_time_inside_a_room(seed: dict[str, bytes]) -> None:
    stops = centres(svg_of(seed, "ml-palace"))
    for (x1, y1, a), (x2, y2, b) in itertools.pairwise(stops):
        if a.split("/")[0] == b.split("/")[0]:
            assert abs(x1 - x2) + abs(y1 - y2) == CELL, (a, b)  # a neighbour, never a jump


def test_map_connectors_never_cross_a_stop(seed: dict[str, bytes]) -> None:
    svg = svg_of(seed, "ml-palace")
    stops = {(x, y) for x, y, _ in centres(svg)}
    connector = next(p for p in svg.iter(SVG + "path") if p.get("class") == "map-connector")
    parts = re.findall(r"M[^M]+", connector.get("d", ""))
    assert len(parts) == 6, "one connector between each two rooms"
    for part in parts:
        points = path_points(part)
        others = stops - {points[0], points[-1]}  # it leaves one stop and reaches the next
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            for x, y in others:
                if x1 == x2 and min(y1, y2) <= y <= max(y1, y2):
                    assert abs(x - x1) > 16, (part, (x, y))
                if y1 == y2 and min(x1, x2) <= x <= max(x1, x2):
                    assert abs(y - y1) > 16, (part, (x, y))


def path_points(d: str) -> list[tuple[int, int]]:
    """The corners of an SVG path made of M, H and V commands."""
    x, y = (int(n) for n in re.match(r"M(\d+) (\d+)", d).groups())  # type: ignore[union-attr]
    points = [(x, y)]
    for command, value in re.findall(r"([HV])(\d+)", d):
        x, y = (int(value), y) if command == "H" else (x, int(value))
        points.append((x, y))
    return points


def test_map_layout_is_serpentine_and_deterministic(everything: dict[str, bytes]) -> None:
    rects = [r for r in svg_of(everything, "ml-palace").iter(SVG + "rect")]
    xs = [int(r.get("x", "")) for r in rects]
    left, right = MARGIN, MARGIN + ROOM_WIDTH + GUTTER
    assert xs == [left, right, right, left, left, right, right], "rows turn back on themselves"
    assert render(SEED, GERMAN, HOSTILE) == everything


def test_map_of_a_big_palace_is_linear_and_readable(tmp_path: Path) -> None:
    notes = tmp_path / "big.md"
    lines = ["# Big"]
    for room in range(60):
        lines.append(f"## Raum {room} mit einem ziemlich langen Namen, der nicht passt")
        lines += [f"- Ort {room}-{n}: Begriff {n}: Text" for n in range(17)]
    notes.write_text("\n".join(lines), encoding="utf-8")
    files = render_site(palaces(tmp_path), {})
    svg = svg_of(files, "big")
    assert len(centres(svg)) == 60 * 17
    height = int(svg.get("viewBox", "").split()[3])
    rows = 17  # one stop a row, its name beside it
    assert height == 2 * MARGIN + 30 * (HEADER + rows * CELL + PAD // 2) + 29 * GUTTER
    assert svg.get("class") == "map-svg", "too tall for one printed page"
    assert int(svg.get("width", "")) == WIDTH
    names = [t for t in svg.iter(SVG + "tspan")]
    assert names[0].text == "Raum 0 mit einem" and (names[1].text or "").endswith("…")
    digits = [t for t in svg.iter(SVG + "text") if t.get("class") == "d4"]
    assert [t.text for t in digits][:1] == ["1000"], "four digits are set smaller"


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("Kitchen", ["Kitchen"]),
        ("View from the window", ["View from the", "window"]),
        ("A" * 40, ["A" * 18 + "…"]),
        (
            "Entrance and stairs and more and more rooms",
            ["Entrance and stairs", "and more and more…"],
        ),
    ],
)
def test_room_names_fit_their_box(name: str, lines: list[str]) -> None:
    assert _name_lines(name) == lines


def test_route_list_is_the_walk_as_ordered_lists(seed: dict[str, bytes]) -> None:
    nav = next(e for e in page(seed, "ml-palace/map.html").iter("nav") if e.get("class") == "route")
    rooms = nav.find("ol")
    assert rooms is not None and len(list(rooms)) == 7
    numbered = [li.get("value") for li in nav.iter("li") if li.get("value")]
    assert numbered == [str(n) for n in range(1, 36)]
    window = list(rooms)[5]
    assert dom.text(window.find("a")) == "View from the window"
    steps = window.find(".//ol[@class='route-steps']")
    assert steps is not None
    assert [dom.text(li) for li in steps][2] == "Street optimizer.zero_grad()"


# -- the pages ---------------------------------------------------------------------------------


def test_study_pages_say_they_need_javascript_and_start_hidden(seed: dict[str, bytes]) -> None:
    for name, attribute in (("walk", "data-walk"), ("quiz", "data-quiz")):
        root = page(seed, f"ml-palace/{name}.html")
        app = next(e for e in root.iter("div") if attribute in e.attrib)
        assert app.get("hidden") == "" and app.get("data-palace") == "ml-palace"
        (notice,) = root.iter("noscript")
        assert "needs JavaScript" in dom.text(notice)


def test_overview_and_room_pages_lead_to_the_study_pages(seed: dict[str, bytes]) -> None:
    home = page(seed, "index.html")
    study = [
        (dom.text(a.find("span")), a.get("href")) for a in dom.by_class(home, "a", "study-link")
    ]
    assert study == [
        ("Walk", "ml-palace/walk.html"),
        ("Quiz", "ml-palace/quiz.html"),
        ("Map", "ml-palace/map.html"),
    ]
    kitchen = page(seed, "ml-palace/kitchen/index.html")
    chips = [(dom.text(a), a.get("href")) for a in dom.by_class(kitchen, "a", "chip")]
    assert chips == [
        ("Walk this room", "../walk.html#room=kitchen"),
        ("Quiz this room", "../quiz.html#room=kitchen"),
        ("Map", "../map.html"),
    ]


def test_site_title_names_the_site(seed: dict[str, bytes]) -> None:
    found = palaces(SEED)
    files = render_site(found, decks_for(found), site_title="Meine Paläste")
    for path in html_pages(files):
        assert dom.text(dom.by_class(page(files, path), "a", "brand")[0]) == "Meine Paläste", path
    home = page(files, "index.html")
    assert dom.text(home.find(".//h1")) == "Machine learning palace", "one palace: its overview"
    several = render_site(palaces(SEED, GERMAN), {}, site_title="Meine Paläste")
    home = page(several, "index.html")
    assert dom.text(home.find(".//h1")) == dom.text(home.find(".//title")) == "Meine Paläste"
    assert dom.text(dom.by_class(page(seed, "index.html"), "a", "brand")[0]) == (
        "Machine learning palace"
    ), "by default: as before"


def test_base_url_gives_canonical_links_and_a_sitemap() -> None:
    found = palaces(SEED)
    files = render_site(found, {}, base_url="https://owner.github.io/repo")
    pages = sorted(p for p in html_pages(files) if p != "404.html")
    for path in pages:
        (link,) = [e for e in page(files, path).iter("link") if e.get("rel") == "canonical"]
        assert link.get("href") == absolute_url("https://owner.github.io/repo/", path)
    assert not [e for e in page(files, "404.html").iter("link") if e.get("rel") == "canonical"]
    home = page(files, "ml-palace/kitchen/index.html")
    canonical = next(e for e in home.iter("link") if e.get("rel") == "canonical")
    assert canonical.get("href") == "https://owner.github.io/repo/ml-palace/kitchen/"
    sitemap = etree.fromstring(files["sitemap.xml"])
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [e.text for e in sitemap.iter(namespace + "loc")]
    assert locations == [absolute_url("https://owner.github.io/repo/", p) for p in pages]
    assert locations[:2] == [
        "https://owner.github.io/repo/",
        "https://owner.github.io/repo/ml-palace/bathroom/",
    ]
    assert files["sitemap.xml"].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset')
    without = render_site(found, {})
    assert "sitemap.xml" not in without
    assert b'rel="canonical"' not in b"".join(without[p] for p in html_pages(without))


@pytest.mark.parametrize(
    "url", ["owner.github.io/repo", "ftp://x.org/", "https://", "https://x.org/?a=1", "/repo/"]
)
def test_base_url_must_be_an_absolute_web_address(url: str) -> None:
    with pytest.raises(ValueError, match="base_url must be an absolute http"):
        normalise_base_url(url)


def test_url_shortcut_agrees_with_relative(everything: dict[str, bytes]) -> None:
    """`page_url` skips the search for a common folder for files at the root and in assets/."""
    targets = [*everything, "index.html#_main", "ml-palace/kitchen/index.html#stove", "x.apkg"]
    for path in html_pages(everything):
        url = page_url(path)
        for target in targets:
            assert url(target) == relative(path, target), (path, target)


# -- the vendored scheduler ---------------------------------------------------------------------


def test_vendored_ts_fsrs_is_the_published_file_with_its_licence() -> None:
    code = (STATIC / "ts-fsrs.js").read_bytes()
    assert hashlib.sha256(code).hexdigest() == (
        "59b7444121d0aae5bb969097ed95df38eff4a4f878e459703c63720f6b6a176b"
    ), "ts-fsrs 5.4.2 dist/index.umd.js, byte for byte (static/VENDORED.md)"
    licence = (STATIC / "ts-fsrs.LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 Open Spaced Repetition")
    served = vendored_fsrs().decode("utf-8")
    assert served.startswith(
        "/*! ts-fsrs 5.4.2, https://github.com/open-spaced-repetition/ts-fsrs\n"
    )
    assert licence.strip() in served, "the licence travels with the file"
    assert "sourceMappingURL" not in served, "no pointer to a map the site does not ship"
    assert served.endswith(code.decode("utf-8").rsplit("\n//# sourceMappingURL", 1)[0] + "\n")


def test_study_script_matches_its_data(everything: dict[str, bytes]) -> None:
    found = palaces(SEED, GERMAN, HOSTILE)
    pictures, _ = collect_pictures(found)
    for palace in found:
        rooms = room_views(palace)
        assert data_of(everything, palace.id) == json.loads(
            json.dumps(study_data(palace, rooms, pictures))
        )
        assert study_script(palace, rooms, pictures) in everything.values()
