"""Settings in palace.toml or [tool.palace] of pyproject.toml: exact errors, and their effect."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from conftest import ProjectMaker

from builder.cli import main
from builder.config import CARD_KINDS, KEYS, Config, ConfigError, load_config
from builder.deck import ALL_KINDS

NOTES = "# Test palace\n\n## Kitchen\n- Stove: Loss: how far off\n- Sink: Softmax: adds to 1\n"
KNOWN = "known: base_url, card_kinds, deck_prefix, lang, new_cards_per_day, out, title"


def test_no_file_means_defaults(make_project: ProjectMaker) -> None:
    make_project({"pyproject.toml": "[project]\nname = 'x'\n"})  # no [tool.palace]: not ours
    assert load_config() == Config()
    assert Config() == Config(None, None, "en", CARD_KINDS, "", "site", 20, None)


def test_palace_toml_at_its_top_level(make_project: ProjectMaker) -> None:
    make_project(
        {
            "palace.toml": 'title = "My palace"\nbase_url = "https://me.github.io/palace"\n'
            'lang = "de-CH"\ncard_kinds = ["route", "place-concept"]\n'
            'deck_prefix = " Study :: ML "\nout = "public"\nnew_cards_per_day = 0\n'
        }
    )
    assert load_config() == Config(
        title="My palace",
        base_url="https://me.github.io/palace/",  # a base URL ends in "/"
        lang="de-CH",
        card_kinds=("place-concept", "route"),  # in template order
        deck_prefix="Study::ML",
        out="public",
        new_cards_per_day=0,
        file="palace.toml",
    )


def test_pyproject_table(make_project: ProjectMaker) -> None:
    make_project({"pyproject.toml": '[tool.palace]\ntitle = "Mine"\n'})
    assert load_config() == Config(title="Mine", file="pyproject.toml")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"palace.toml": "titel = 'x'\n"},
            f"palace.toml: unknown key 'titel' ({KNOWN})",
        ),
        (
            {"pyproject.toml": "[tool.palace]\ntitel = 'x'\n"},
            f"pyproject.toml: unknown key 'titel' in [tool.palace] ({KNOWN})",
        ),
        (
            {"pyproject.toml": "[tool.palace]\nbase_url = 42\n"},
            "pyproject.toml: [tool.palace] base_url must be a string, not 42",
        ),
        (
            {"palace.toml": "base_url = 'example.org'\n"},
            "palace.toml: base_url must be an http:// or https:// URL like "
            '"https://example.org/palace/", not "example.org"',
        ),
        (
            {"palace.toml": "title = ''\n"},
            'palace.toml: title must be a non-empty string, not ""',
        ),
        (
            {"palace.toml": "lang = 'English'\n"},
            'palace.toml: lang must be a language tag like "en" or "de-CH", not "English"',
        ),
        (
            {"palace.toml": "card_kinds = 'route'\n"},
            "palace.toml: card_kinds must be a list of different card kinds from "
            '"place-concept", "concept-place", "route", "sequence", not "route"',
        ),
        (
            {"palace.toml": "card_kinds = ['route', 'routes']\n"},
            "palace.toml: card_kinds must be a list of different card kinds from "
            '"place-concept", "concept-place", "route", "sequence", not ["route", "routes"]',
        ),
        (
            {"palace.toml": "card_kinds = []\n"},
            "palace.toml: card_kinds must be a list of different card kinds from "
            '"place-concept", "concept-place", "route", "sequence", not []',
        ),
        (
            {"palace.toml": "deck_prefix = 'Study::'\n"},
            'palace.toml: deck_prefix must be deck names separated by "::", like "Study::ML", '
            'not "Study::"',
        ),
        (
            {"palace.toml": "out = true\n"},
            "palace.toml: out must be a string, not true",
        ),
        (
            {"palace.toml": "new_cards_per_day = -1\n"},
            "palace.toml: new_cards_per_day must be a whole number from 0 to 100,000, not -1",
        ),
        (
            {"pyproject.toml": "[tool.palace]\nnew_cards_per_day = 2.5\n"},
            "pyproject.toml: [tool.palace] new_cards_per_day must be a whole number from 0 to "
            "100,000, not 2.5",
        ),
        (
            {"palace.toml": "new_cards_per_day = true\n"},
            "palace.toml: new_cards_per_day must be a whole number from 0 to 100,000, not true",
        ),
        (
            {"palace.toml": "new_cards_per_day = '20'\n"},
            'palace.toml: new_cards_per_day must be a whole number from 0 to 100,000, not "20"',
        ),
        (
            {"pyproject.toml": "[tool]\npalace = 3\n"},
            "pyproject.toml: [tool.palace] must be a table, not 3",
        ),
        (
            {"palace.toml": "[tool.palace]\ntitle = 'x'\n"},
            "palace.toml: the settings go at the top level of palace.toml, without [tool.palace]",
        ),
        (
            {"palace.toml": "title = \n"},
            "palace.toml:1:9: invalid TOML: Invalid value",
        ),
        (
            {"palace.toml": b"title = '\xff'\n"},
            "palace.toml: cannot read: not UTF-8 text",
        ),
        (
            {"palace.toml": "title = 'a'\n", "pyproject.toml": "[tool.palace]\nlang = 'de'\n"},
            "palace.toml and [tool.palace] in pyproject.toml both configure palace: "
            "keep one of them",
        ),
    ],
)
def test_errors_name_the_file_and_the_key_and_exit_2(
    make_project: ProjectMaker,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str | bytes],
    message: str,
) -> None:
    make_project({**files, "source/p.md": NOTES})
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value) == message
    for command in ("build", "check", "serve"):
        assert main([command]) == 2
        assert capsys.readouterr() == ("", f"palace: error: {message}\n")
    assert not Path("site").exists()


def test_every_wrong_setting_is_said_at_once_in_the_files_order(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    make_project(
        {
            "source/p.md": NOTES,
            "pyproject.toml": "[tool.palace]\nnew_cards_per_day = -1\ntitel = 'x'\n"
            "title = 'fine'\ncard_kinds = ['route', ['route']]\nlang = 3\n",
        }
    )
    expected = [
        "pyproject.toml: [tool.palace] new_cards_per_day must be a whole number from 0 to "
        "100,000, not -1",
        f"pyproject.toml: unknown key 'titel' in [tool.palace] ({KNOWN})",
        "pyproject.toml: [tool.palace] card_kinds must be a list of different card kinds from "
        '"place-concept", "concept-place", "route", "sequence", not ["route", ["route"]]',
        "pyproject.toml: [tool.palace] lang must be a string, not 3",
    ]
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value).split("\n") == expected
    for command in ("build", "check"):
        assert main([command]) == 2
        assert capsys.readouterr() == ("", "".join(f"palace: error: {m}\n" for m in expected))
    assert not Path("site").exists()


@pytest.mark.parametrize("epoch", ["abc", "-5", "1.5", " 17", "１２", "253402300800"])
def test_a_wrong_source_date_epoch_stops_every_command_as_a_wrong_setting(
    make_project: ProjectMaker,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    epoch: str,
) -> None:
    make_project({"source/p.md": NOTES})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    message = f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}"
    for command in ("build", "check", "serve"):
        assert main([command]) == 2
        assert capsys.readouterr() == ("", f"palace: error: {message}\n")
    assert not Path("site").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")  # the last second of 9999
    assert main(["build"]) == 0


def test_card_kinds_are_the_decks() -> None:
    assert frozenset(CARD_KINDS) == ALL_KINDS
    assert KEYS == (
        "base_url",
        "card_kinds",
        "deck_prefix",
        "lang",
        "new_cards_per_day",
        "out",
        "title",
    )


def deck_names(apkg: Path) -> list[str]:
    with zipfile.ZipFile(apkg) as package:
        data = package.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    (decks,) = db.execute("SELECT decks FROM col").fetchone()
    rows = db.execute("SELECT count(*) FROM cards").fetchone()
    db.close()
    return [*sorted(deck["name"] for deck in json.loads(decks).values()), f"cards: {rows[0]}"]


def test_settings_reach_the_decks_and_the_output_folder(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    make_project(
        {
            "source/p.md": NOTES,
            "palace.toml": 'deck_prefix = "Study::ML"\ncard_kinds = ["place-concept"]\n'
            'out = "public"\n',
        }
    )
    assert main(["build", "-q"]) == 0
    assert capsys.readouterr() == ("", "")
    assert not Path("site").exists()
    assert deck_names(Path("public/p.apkg")) == [
        "Default",
        "Study::ML::Test palace",
        "Study::ML::Test palace::01 Kitchen",
        "cards: 2",
    ]
    assert main(["build", "--out", "elsewhere", "-q"]) == 0  # --out wins over `out`
    assert Path("elsewhere/p.apkg").is_file()


def test_title_base_url_and_lang_reach_the_site(make_project: ProjectMaker) -> None:
    make_project(
        {
            "source/p.md": NOTES,
            "pyproject.toml": '[tool.palace]\ntitle = "Study"\nbase_url = "https://a.example/p/"\n'
            'lang = "de"\n',
        }
    )
    assert main(["build", "-q"]) == 0
    home = Path("site/index.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in home
    assert '<a class="brand" href="index.html">Study</a>' in home
    assert '<link rel="canonical" href="https://a.example/p/">' in home


def test_without_settings_the_site_gets_its_defaults(make_project: ProjectMaker) -> None:
    make_project({"source/p.md": NOTES})
    assert main(["build", "-q"]) == 0
    home = Path("site/index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in home
    assert 'rel="canonical"' not in home
    assert not Path("site/sitemap.xml").exists()


def test_new_cards_per_day_reaches_the_quiz(make_project: ProjectMaker) -> None:
    make_project({"source/p.md": NOTES, "palace.toml": "new_cards_per_day = 7\n"})
    assert main(["build", "-q"]) == 0
    (data,) = Path("site/assets").glob("data-p.*.js")
    assert '"new_per_day":7,' in data.read_text(encoding="utf-8")
    Path("palace.toml").write_text("new_cards_per_day = 0\n", encoding="utf-8")
    assert main(["build", "-q"]) == 0  # a changed setting: the data is written again
    assert '"new_per_day":0,' in data.read_text(encoding="utf-8")


def test_card_kinds_are_what_the_quiz_asks_unless_the_learner_chooses(
    make_project: ProjectMaker,
) -> None:
    make_project({"source/p.md": NOTES, "palace.toml": 'card_kinds = ["route", "concept-place"]\n'})
    assert main(["build", "-q"]) == 0
    (data,) = Path("site/assets").glob("data-p.*.js")
    assert '"kinds":["cp","route"],' in data.read_text(encoding="utf-8")  # in the deck's order
    Path("palace.toml").unlink()
    assert main(["build", "-q"]) == 0
    assert '"kinds":["pc","cp","route","seq"],' in data.read_text(encoding="utf-8")


def test_base_url_gives_the_site_a_sitemap(make_project: ProjectMaker) -> None:
    make_project({"source/p.md": NOTES, "palace.toml": 'base_url = "https://a.example/p"\n'})
    assert main(["build", "-q"]) == 0
    assert "https://a.example/p/" in Path("site/sitemap.xml").read_text(encoding="utf-8")


def test_a_real_anki_puts_prefixed_decks_under_their_parents(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    collection = pytest.importorskip("anki.collection")
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    make_project({"source/p.md": NOTES, "palace.toml": 'deck_prefix = "Study::ML"\n'})
    assert main(["build", "-q"]) == 0
    (tmp_path / "anki").mkdir()
    col = collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(Path("site/p.apkg").resolve()),
            options=ImportAnkiPackageOptions(),
        )
        col.import_anki_package(request)
        names = sorted(deck.name for deck in col.decks.all_names_and_ids())
        assert names == [
            "Default",
            "Study",
            "Study::ML",
            "Study::ML::Test palace",
            "Study::ML::Test palace::01 Kitchen",
        ]
        assert col.card_count() == 2 + 2 + 1  # place→concept and concept→place, one route
    finally:
        col.close()
