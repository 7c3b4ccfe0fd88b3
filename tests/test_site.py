"""The study site rendered in memory: which files, valid pages, links that land, what each page
says (counts checked by hand against source/ml-palace.md), the glossary, determinism.

Every page is parsed with html5lib in strict mode, so a stray tag from the notes or a template
slip fails here before a browser ever sees it. Hostile notes and the 404 page are in
test_site_safety.py, the browser tests in test_site_browser.py.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest
from browser import dom
from browser.fixtures import (
    FAKE_DECK,
    HOSTILE,
    SCRIPTS,
    SEED,
    both,
    decks_for,
    html_pages,
    page,
    palaces,
    render,
    seed,
)

from builder.notes.load import load_notes
from builder.site import deck_name, render_site
from builder.site.pages import human_size, relative

__all__ = ["both", "seed"]  # fixtures: pytest finds them here

HASHED = re.compile(
    r"assets/(style\.[0-9a-f]{12}\.css|icon\.[0-9a-f]{12}\.svg"
    r"|(theme|search|srs|cards|due|walk|quiz|ts-fsrs|data-ml-palace)\.[0-9a-f]{12}\.js)"
)
ASSETS = 11  # stylesheet, icon, 8 scripts and the palace's study data
STUDY_PAGES = ("walk.html", "quiz.html", "map.html")  # a fragment there is state, not an anchor
SEED_ROOMS = (
    ("entrance-and-stairs", "Entrance and stairs", "6 loci · stops 1–6"),
    ("bathroom", "Bathroom", "2 loci · stops 7–8"),
    ("hallway", "Hallway", "2 loci · stops 9–10"),
    ("kitchen", "Kitchen", "10 loci · stops 11–20"),
    ("living-room", "Living room", "7 loci · stops 21–27"),
    ("view-from-the-window", "View from the window", "1 locus, 5 steps · stops 28–33"),
    ("bedroom", "Bedroom", "2 loci · stops 34–35"),
)
KITCHEN = (
    (11, "stove", "Stove", "Loss Functions"),
    (12, "oven-adjusters", "Oven Adjusters", "Regularization"),
    (13, "under-oven-adjusters", "Under Oven Adjusters", "Underfitting"),
    (14, "nicer-dicer", "Nicer Dicer", "Tokenization"),
    (15, "scale", "Scale", "Numericalization"),
    (16, "cook-book-text", "Cook book text", "WikiText-103"),
    (17, "cook-book-ingredients", "Cook book ingredients", "Tabular data use cases"),
    (18, "kitchenaid", "Kitchenaid", "Super Convergence"),
    (19, "filter", "Filter", "Softmax"),
    (20, "mash", "Mash", "Weight decay"),
)


# -- which files exist -------------------------------------------------------------------------


def test_seed_site_has_exactly_these_files(seed: dict[str, bytes]) -> None:
    assets = sorted(path for path in seed if path.startswith("assets/"))
    assert [path for path in assets if not HASHED.fullmatch(path)] == []
    assert len(assets) == ASSETS
    assert sorted(set(seed) - set(assets)) == sorted(
        [
            ".nojekyll",
            "404.html",
            "index.html",
            "ml-palace/index.html",
            "ml-palace/glossary.html",
            *(f"ml-palace/{page}" for page in STUDY_PAGES),
            *(f"ml-palace/{room}/index.html" for room, _, _ in SEED_ROOMS),
        ]
    )
    assert list(seed) == sorted(seed), "files come in sorted order"
    assert "ml-palace.apkg" not in seed, "decks are linked, not returned"


def test_asset_names_carry_a_hash_of_their_content(seed: dict[str, bytes]) -> None:
    import hashlib

    for path in (p for p in seed if p.startswith("assets/") and "/data-" not in p):
        assert hashlib.sha256(seed[path]).hexdigest()[:12] in path


def test_study_data_is_named_by_the_scripts_that_read_it_not_by_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page names every palace's study data (the search box): a name that changed with
    the notes would change every page at every edit (see `study.data_path`)."""
    notes = (SEED / "ml-palace.md").read_text(encoding="utf-8")
    edited = notes.replace("retrain end layers", "retrain the last layers")
    assert edited != notes
    monkeypatch.chdir(tmp_path)
    sites = []
    for text in (notes, edited):
        (tmp_path / "source").mkdir(exist_ok=True)
        (tmp_path / "source" / "ml-palace.md").write_text(text, encoding="utf-8")
        found = load_notes(["source"]).palaces
        sites.append(render_site(found, decks_for(found)))
    before, after = sites
    (data,) = [path for path in before if path.startswith("assets/data-")]
    assert data in after and after[data] != before[data], "the same name, other content"
    changed = sorted(path for path in before if before[path] != after[path])
    assert changed == [data, "ml-palace/entrance-and-stairs/index.html", "ml-palace/glossary.html"]


def test_rooms_named_index_or_glossary_do_not_clash(both: dict[str, bytes]) -> None:
    assert {"hostile/index.html", "hostile/index/index.html"} <= set(both)
    assert {"hostile/glossary.html", "hostile/glossary/index.html"} <= set(both)


def test_pictures_are_copied_once_under_their_content_hash(both: dict[str, bytes]) -> None:
    pictures = [path for path in both if path.startswith("pictures/")]
    door = (HOSTILE / "pictures" / "door.png").read_bytes()
    assert len(pictures) == 1, "the same picture used twice is stored once"
    assert re.fullmatch(r"pictures/[0-9a-f]{12}\.png", pictures[0])
    assert both[pictures[0]] == door


def test_rendering_is_deterministic() -> None:
    first = render(HOSTILE, SEED)
    palaces.cache_clear()
    assert render(HOSTILE, SEED) == first


def test_lang_sets_the_language_of_every_page() -> None:
    files = render_site(palaces(SEED), {}, lang="de")
    for path in html_pages(files):
        assert page(files, path).get("lang") == "de", path


# -- every page is valid, and every link lands -------------------------------------------------


@pytest.mark.parametrize(
    "sources",
    [(SEED,), (HOSTILE, SEED), (SCRIPTS,)],
    ids=["seed", "hostile+seed", "every script"],
)
def test_every_page_parses_strictly_and_every_link_resolves(sources: tuple[Path, ...]) -> None:
    files = render(*sources)
    decks = decks_for(palaces(*sources))
    trees = {path: page(files, path) for path in html_pages(files)}
    for path, root in trees.items():
        assert root.tag == "html" and root.get("lang") == "en"
        assert len(list(root.iter("h1"))) == 1, f"{path}: one h1"
        assert root.find(".//main") is not None, f"{path}: a main landmark"
        for link in dom.links(path, root):
            if link.external:
                allowed = (
                    ("data:image/svg+xml,",) if path == "404.html" else ("https://", "mailto:")
                )
                assert link.url.startswith(allowed), link  # 404's icon is inline, like its CSS
                continue
            assert not link.url.startswith("/"), f"absolute link {link}"
            assert not link.url.rstrip("#").endswith("/"), f"folder link breaks on file:// {link}"
            target, fragment = link.target()
            if path == "404.html" and not link.url.startswith("#"):
                target = link.url  # resolved from the site root by its script
            assert target in files or target in decks, f"{path}: {link.url} → {target}"
            if target.endswith(STUDY_PAGES[:2]) and fragment.startswith("room="):
                room = fragment.removeprefix("room=")  # which room to study, not an anchor
                assert f"{posixpath.dirname(target)}/{room}/index.html" in files, link
            elif fragment:
                assert fragment in dom.ids(trees[target]), f"{path}: {link.url}: no #{fragment}"


def test_ids_are_unique_on_every_page(both: dict[str, bytes]) -> None:
    for path in html_pages(both):
        found = [e.get("id") for e in page(both, path).iter() if e.get("id")]
        assert len(found) == len(set(found)), path


def test_headings_do_not_skip_levels(both: dict[str, bytes]) -> None:
    for path in html_pages(both):
        levels = [int(e.tag[1]) for e in page(both, path).iter() if re.fullmatch(r"h[1-6]", e.tag)]
        assert levels[0] == 1, path
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (path, levels)


# -- the pages say the right things ------------------------------------------------------------


def test_one_palace_home_points_into_its_palace_without_repeating_it(
    seed: dict[str, bytes],
) -> None:
    home = page(seed, "index.html")
    assert dom.text(home.find(".//h1")) == "Machine learning palace"
    assert dom.text(home.find(".//title")) == "Machine learning palace"
    study = [a.get("href") for a in dom.by_class(home, "a", "study-link")]
    assert study == ["ml-palace/walk.html", "ml-palace/quiz.html", "ml-palace/map.html"]
    more = [
        (dom.text(a.find("span")), a.get("href"))
        for a in home.iterfind(".//ul[@class='start-more']/li/a")
    ]
    assert more == [
        ("The palace", "ml-palace/index.html"),
        ("Glossary", "ml-palace/glossary.html"),
        (f"The Anki deck ({human_size(len(FAKE_DECK))})", "ml-palace.apkg"),
    ]
    # what the palace's page holds is there only: its rooms and the whole walk
    assert home.find(".//ol[@class='room-list']") is None
    assert home.find(".//table") is None
    palace = page(seed, "ml-palace/index.html")
    assert palace.find(".//ol[@class='room-list']") is not None
    assert palace.find(".//table") is not None


def palace_nav(root: etree.Element) -> list[tuple[str, str | None, str | None]]:
    """The header's links to the palace's pages: (name, href, aria-current)."""
    (nav,) = [e for e in root.iter("nav") if e.get("class") == "palace-nav"]
    assert nav.get("aria-label") == "Machine learning palace"
    return [(dom.text(a), a.get("href"), a.get("aria-current")) for a in nav.iter("a")]


def test_every_page_of_a_palace_links_its_walk_quiz_map_and_glossary(
    both: dict[str, bytes],
) -> None:
    names = ["Rooms", "Walk", "Quiz", "Map", "Glossary"]
    targets = ["index.html", "walk.html", "quiz.html", "map.html", "glossary.html"]
    for path in html_pages(both):
        if not path.startswith("ml-palace/"):
            continue
        nav = palace_nav(page(both, path))
        assert [name for name, _, _ in nav] == names, path
        resolved = [dom.Link(path, "a", href or "").target()[0] for _, href, _ in nav]
        assert resolved == [f"ml-palace/{target}" for target in targets], path
        current = [name for name, _, mark in nav if mark == "page"]
        expected = [n for n, t in zip(names, targets, strict=True) if path == f"ml-palace/{t}"]
        assert current == expected, path
    home = page(both, "index.html")
    assert not [e for e in home.iter("nav") if e.get("class") == "palace-nav"], "several palaces"


def test_steps_on_a_room_page_name_their_sequence_and_place_in_it(seed: dict[str, bytes]) -> None:
    room = page(seed, "ml-palace/view-from-the-window/index.html")
    (steps,) = [e for e in room.iter("ol") if e.get("class") == "steps"]
    assert steps.get("aria-label") == "Core training step: 5 steps"
    shown = [" ".join((e.text or "").split()) for e in dom.by_class(steps, "span", "step-of")]
    assert shown == [f"Core training step · step {k} of 5" for k in range(1, 6)]


def test_palace_page_lists_rooms_in_walk_order_with_counts(seed: dict[str, bytes]) -> None:
    palace = page(seed, "ml-palace/index.html")
    assert (
        dom.text(palace.find(".//p[@class='lead']")) == "7 rooms · 30 loci · 35 stops on the walk"
    )
    items = list(palace.iterfind(".//ol[@class='room-list']/li"))
    assert len(items) == 7
    assert [
        (
            item.find("a").get("href"),  # type: ignore[union-attr]
            dom.text(item.find(".//span[@class='room-name']")),
            dom.text(item.find("span[@class='meta']")),
        )
        for item in items
    ] == [(f"{room}/index.html", name, meta) for room, name, meta in SEED_ROOMS]


def test_palace_page_offers_its_deck_with_size_and_import_hint(seed: dict[str, bytes]) -> None:
    palace = page(seed, "ml-palace/index.html")
    (button,) = dom.by_class(palace, "a", "button")
    assert button.get("href") == "../ml-palace.apkg"
    assert button.get("download") == "ml-palace.apkg"
    assert dom.text(button) == f"Download the Anki deck ({human_size(len(FAKE_DECK))})"
    assert "File → Import" in dom.text(dom.by_class(palace, "p", "hint")[0])


def test_no_deck_no_button() -> None:
    files = render(SEED, with_decks=False)
    assert not dom.by_class(page(files, "ml-palace/index.html"), "a", "button")


def test_palace_page_holds_the_whole_walk_as_a_cheat_sheet(seed: dict[str, bytes]) -> None:
    palace = page(seed, "ml-palace/index.html")
    rows = [[dom.text(td) for td in tr.iter("td")] for tr in palace.iterfind(".//tbody/tr")]
    assert len(rows) == 35
    assert rows[0] == ["1", "Enter property", "Transfer learning"]
    assert rows[28] == ["29", "Balcony", "output_batch = model(train_batch)"]
    assert rows[-1] == ["35", "TV", "model.eval()"]
    links = [a.get("href") for a in palace.iterfind(".//tbody/tr/td/a")]
    assert links[-1] == "bedroom/index.html#bedroom-tv"


def test_kitchen_has_ten_loci_numbered_11_to_20(seed: dict[str, bytes]) -> None:
    kitchen = page(seed, "ml-palace/kitchen/index.html")
    assert dom.text(kitchen.find(".//h1")) == "Kitchen"
    assert dom.text(kitchen.find(".//p[@class='eyebrow']")) == "Room 4 of 7 · stops 11–20"
    loci = dom.by_class(kitchen, "article", "locus")
    found = [
        (
            int(dom.text(dom.by_class(locus, "a", "number")[0])),
            locus.get("id"),
            dom.text(dom.by_class(locus, "span", "place")[0]),
            dom.text(dom.by_class(locus, "p", "concept")[0]),
        )
        for locus in loci
    ]
    assert found == list(KITCHEN)
    permalinks = [dom.by_class(locus, "a", "number")[0].get("href") for locus in loci]
    assert permalinks == [f"#{locus_id}" for _, locus_id, _, _ in KITCHEN], "numbers link here"
    description = dom.text(dom.by_class(loci[0], "p", "description")[0])
    assert description == "how far/cloase predictions are to labels (mse, mae, cel)"


def test_room_pages_link_previous_and_next_room(seed: dict[str, bytes]) -> None:
    def pager(path: str) -> dict[str, str]:
        nav = page(seed, path).find(".//nav[@class='pager']")
        assert nav is not None
        return {a.get("rel", ""): a.get("href", "") for a in nav.iter("a")}

    assert pager("ml-palace/kitchen/index.html") == {
        "prev": "../hallway/index.html",
        "next": "../living-room/index.html",
    }
    assert pager("ml-palace/entrance-and-stairs/index.html") == {"next": "../bathroom/index.html"}
    assert pager("ml-palace/bedroom/index.html") == {"prev": "../view-from-the-window/index.html"}


def test_steps_are_an_ordered_list_numbered_on_the_walk(seed: dict[str, bytes]) -> None:
    window = page(seed, "ml-palace/view-from-the-window/index.html")
    (steps,) = window.iterfind(".//ol[@class='steps']")
    items = list(steps.iterfind("li"))
    assert [(li.get("value"), li.get("id")) for li in items] == [
        ("29", "window--balcony"),
        ("30", "window--stefan-silo"),
        ("31", "window--street"),
        ("32", "window--silo"),
        ("33", "window--halle"),
    ]
    parts = [
        dom.text(dom.by_class(items[2], "span", name)[0])
        for name in ("place", "concept", "description")
    ]
    assert parts == ["Street", "optimizer.zero_grad()", "clear prev grads"]


def test_glossary_groups_concepts_a_to_z(seed: dict[str, bytes]) -> None:
    glossary = page(seed, "ml-palace/glossary.html")
    letters = [dom.text(a) for a in glossary.iterfind(".//nav[@class='letters']//a")]
    assert letters == list("ABCDEGLMNOPRSTUW")
    groups = {
        dom.text(h2): [dom.text(dt) for dt in dl.iter("dt")]
        for h2, dl in zip(
            glossary.iterfind(".//h2[@class='letter']"),
            glossary.iterfind(".//dl[@class='glossary']"),
            strict=True,
        )
    }
    assert groups["M"] == [
        "Matrix Factorization",
        "Minibatch",
        "model.eval()",
        "Model.train()",
        "Momentum",
    ]
    assert sum(len(concepts) for concepts in groups.values()) == 30
    pca = next(a for a in glossary.iter("a") if dom.text(a).startswith("24 ·"))
    assert (dom.text(pca), pca.get("href")) == ("24 · TV, Living room", "living-room/index.html#tv")


def test_glossary_folds_accents_and_groups_digits(both: dict[str, bytes]) -> None:
    glossary = page(both, "hostile/glossary.html")
    labels = [dom.text(h2) for h2 in glossary.iterfind(".//h2[@class='letter']")]
    assert labels == ["0–9", "A", "C", "I", "Z"]
    assert dom.text(glossary.find(".//dl[@class='glossary']/dt")) == "3D steps"


def test_many_palaces_home_lists_them(both: dict[str, bytes]) -> None:
    home = page(both, "index.html")
    assert dom.text(home.find(".//h1")) == "Memory palaces"
    titles = [
        (dom.text(a), a.get("href")) for a in home.iterfind(".//ul[@class='palace-list']//h2/a")
    ]
    assert titles == [
        (
            'Evil <script>window.__pwned = "title"</script> & AT&T <b>x > y</b> </div></main> '
            "{{ 7*7 }}",
            "hostile/index.html",
        ),
        ("Machine learning palace", "ml-palace/index.html"),
    ]


# -- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page_path", "target", "expected"),
    [
        ("index.html", "ml-palace/index.html", "ml-palace/index.html"),
        ("ml-palace/kitchen/index.html", "ml-palace/index.html", "../index.html"),
        ("ml-palace/kitchen/index.html", "assets/s.css", "../../assets/s.css"),
        ("ml-palace/index.html", "ml-palace/kitchen/index.html#stove", "kitchen/index.html#stove"),
        ("ml-palace/kitchen/index.html", "ml-palace/kitchen/index.html#stove", "#stove"),
        ("ml-palace/index.html", "ml-palace.apkg", "../ml-palace.apkg"),
        ("a/b/index.html", "a/c/index.html", "../c/index.html"),
    ],
)
def test_relative(page_path: str, target: str, expected: str) -> None:
    assert relative(page_path, target) == expected


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 bytes"),
        (999, "999 bytes"),
        (1000, "1.0 kB"),
        (12345, "12.3 kB"),
        (999_949, "999.9 kB"),
        (999_950, "1.0 MB"),
        (2_500_000, "2.5 MB"),
    ],
)
def test_human_size(size: int, shown: str) -> None:
    assert human_size(size) == shown


def test_deck_name() -> None:
    assert deck_name(palaces(SEED)[0]) == "ml-palace.apkg"
