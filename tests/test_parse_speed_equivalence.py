"""Reading notes got faster without reading anything differently.

The digests below were recorded with the reader as it was before it was tuned for speed
(parse.py, assemble.py, identity.py as of commit f4d065c): the records (`repr`, which shows
every field of every record) and the diagnostics (path, line, column, message, severity and
echoed text, in order) of

- three synthetic 2,000-stop palaces (benchmarks/generate.py),
- the case files in tests/cases/ (CASE_NAMES) and the seed palace,
- 400 deterministic jumbles of every kind of line the format has, good and bad (duplicate and
  invalid ids, repeated names, steps, comments, pictures, tabs, CR/CRLF, names with no letter
  or with letters from many scripts).

A change of a digest means some file now reads differently: if that is deliberate, record the
new digest (run this file with PALACE_PRINT_DIGESTS=1) and say why in the commit.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import REPO, SEED
from hypothesis import example, given, settings
from hypothesis import strategies as st

from builder.notes import assemble, identity, parse
from builder.notes.load import load_notes
from builder.notes.records import Locus, Step

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import palace_text
from test_properties import read_fast_and_general

CASES = REPO / "tests" / "cases"

# the case files there were then (a case added later does not change the digest)
CASE_NAMES = [
    "all-at-once",
    "bad-locus-line",
    "bad-steps",
    "deep-heading",
    "duplicate-id",
    "empty-file",
    "empty-locus-name",
    "heading-without-space",
    "invalid-id",
    "missing-concept",
    "no-loci",
    "note-without-owner",
    "picture-missing",
    "picture-not-a-picture",
    "picture-outside-source",
    "picture-syntax",
    "picture-twice",
    "picture-url",
    "picture-without-owner",
    "second-title",
    "step-without-locus",
    "text-after-comment",
    "unclosed-comment",
    "warnings",
]

EXPECTED = {
    "generated": "8dda0d0a9e11638f65f5f9f0d3501de47ec60103fb01368e3192c0d9fb7d6f60",
    "cases": "74184a60c6fe6bb1b469e8ef9b60aae9c5a0d2a11c7a7b328aa90982662856f5",
    "jumbles": "31f9e733bb513c290315ebb0d27b449f6c09ac3819f3536a66b26f58673b48c3",
}


def _digest(results: list[str]) -> str:
    return hashlib.sha256("\n\x00\n".join(results).encode()).hexdigest()


def _read(source: str, root: Path) -> str:
    """Everything `load_notes` gives for `source`, with the folder it lives in made neutral."""
    notes = load_notes([source])
    text = repr((notes.palaces, notes.diagnostics))
    return text.replace(root.as_posix(), "<root>").replace(str(root), "<root>")


# -- the jumbles -------------------------------------------------------------------------------
NAMES = [
    "Küche", "Tür", "Straße", "STRASSE", "Ærø", "Łódź", "Đakovo", "Œuvre", "日本", "Café Noir",
    "2nd Door", "--", "!!", "a", "A", "ǅungla", "ﬁle", "Ⅻ", "x\u0301y", "İstanbul", "ΣΑΣ", "Флур",
    "Flur 1", "flur-1", "Flur", "flur", "FLUR", "  spaced  name ", "x`y`", "`code: x`", "3:1",
    "a_b", "ａｂｃ", "½ Tür", "e\u0308", "\u00a0Tür", "ẞ", "Ĳssel", "Ø", "ŉ",
]  # fmt: skip
IDS = ["tv", "door", "flur", "flur-2", "kuche", "a--b", "Bad_ID", "x-", "", "tür", "flur-1"]
WORDS = ["model", "loss", "`x: y`", "**bold**", "3:1", "https://x.y", "{", "}", "#", " # c"]


def _pick(rng: random.Random, items: list[str]) -> str:
    return items[rng.randrange(len(items))]


def _name(rng: random.Random) -> str:
    if rng.random() < 0.15:  # any character of a few blocks, none left unassigned
        blocks = [(0x20, 0x7F), (0xA0, 0x250), (0x300, 0x370), (0x391, 0x3A2), (0x3A3, 0x3D0)]
        blocks += [(0x400, 0x500), (0x1E00, 0x1F00), (0x2150, 0x2189), (0xFB00, 0xFB07)]
        blocks += [(0xFF01, 0xFF5F)]  # every code point of these is assigned since Unicode 6
        low, high = blocks[rng.randrange(len(blocks))]
        return "".join(chr(rng.randrange(low, high)) for _ in range(rng.randint(1, 6)))
    return _pick(rng, NAMES)


def _pin(rng: random.Random) -> str:
    return f" {{#{_pick(rng, IDS)}}}" if rng.random() < 0.15 else ""


def _line(rng: random.Random) -> str:
    name, concept = _name(rng), _name(rng)
    words = " ".join(_pick(rng, WORDS) for _ in range(rng.randint(0, 4)))
    indent = _pick(rng, ["  ", "\t", "    ", " ", "  - ", "\t- ", "   * ", "  1. "])
    marker = _pick(rng, ["- ", "- ", "- ", "* ", "+ ", "1. ", "12) ", "", "-", "-\t"])
    kinds = [
        lambda: f"- {name}: {concept}: {words}{_pin(rng)}",
        lambda: f"- {name}: {concept}: {words}{_pin(rng)}",
        lambda: f"{marker}{name}: {concept}: {words}{_pin(rng)}",
        lambda: f"{marker}{name}: {concept}:{_pin(rng)}",
        lambda: f"{marker}{name}: {concept}{_pin(rng)}",
        lambda: f"{marker}{name}{_pin(rng)}",
        lambda: f"{marker}: {concept}: {words}",
        lambda: f"{indent}{name}: {concept} # {words}{_pin(rng)}",
        lambda: f"{indent}{name}: {concept}{_pin(rng)}",
        lambda: f"{indent}{name}:{_pin(rng)}",
        lambda: f"{indent}: {concept}",
        lambda: f"## {name}{_pin(rng)}",
        lambda: f"# {name}{_pin(rng)}",
        lambda: _pick(rng, ["#", "##", "###", "### Deep", "#NoSpace", "## ##", "  ## Room  ##"]),
        lambda: f"{_pick(rng, ['', '  '])}> {words}",
        lambda: _pick(rng, ["![a](pic.png)", "![a](pic.png)", "![](https://x/y.png)"]),
        lambda: _pick(rng, ["![a](../out.png)", "![a](missing.jpg)", "![a](notes.txt)", "![a]"]),
        lambda: _pick(rng, ["<!-- c -->", "<!--", "-->", "--> after", "a <!-- b", "<!-- x --> y"]),
        lambda: _pick(rng, ["", "", "", "   ", "\t", "\u00a0", "\ufeff"]),
    ]
    return kinds[rng.randrange(len(kinds))]()


def _jumble(rng: random.Random) -> str:
    lines = [_line(rng) for _ in range(rng.randint(0, 40))]
    if rng.random() < 0.7:
        lines.insert(0, f"# {_name(rng)}{_pin(rng)}")
    text = ""
    for line in lines:
        text += line + _pick(rng, ["\n", "\n", "\n", "\r\n", "\r"])
    return text


def _jumble_results(folder: Path) -> list[str]:
    folder.mkdir()
    (folder / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "notes.txt").write_text("not a picture", encoding="utf-8")
    rng = random.Random(20240601)
    results = []
    for number in range(400):
        path = folder / f"jumble-{number:03d}.md"
        path.write_text(_jumble(rng), encoding="utf-8", newline="")
        results.append(_read(path.as_posix(), folder))
    return results


def _all_results(tmp_path: Path) -> dict[str, list[str]]:
    generated = []
    for seed in range(3):
        path = tmp_path / f"generated-{seed}.md"
        path.write_text(palace_text(2000, seed=seed), encoding="utf-8")
        generated.append(_read(path.as_posix(), tmp_path))
    cases = [_read((CASES / f"{name}.md").as_posix(), REPO) for name in CASE_NAMES]
    cases.append(_read(SEED.as_posix(), REPO))
    return {
        "generated": generated,
        "cases": cases,
        "jumbles": _jumble_results(tmp_path / "jumbles"),
    }


def test_records_and_diagnostics_are_as_before(tmp_path: Path) -> None:
    digests = {group: _digest(results) for group, results in _all_results(tmp_path).items()}
    if os.environ.get("PALACE_PRINT_DIGESTS"):
        print(digests)
    assert digests == EXPECTED


def test_locus_records_are_made_as_their_class_makes_them() -> None:
    step = Step("tv--ein", "Ein", "Aus", "", 4)
    for values in [
        ("tv", "TV", "Softmax", "turns scores into odds", None, None, (), 3),
        ("tv-2", "TV", "Dropout", "", "a note", None, (step,), 7),
    ]:
        made = assemble._locus_record(*values)
        assert type(made) is Locus
        assert made == Locus(*values) and hash(made) == hash(Locus(*values))
        assert repr(made) == repr(Locus(*values))
        with pytest.raises(AttributeError):  # still frozen
            made.id = "other"  # type: ignore[misc]


# -- slugify -----------------------------------------------------------------------------------
_SPECIAL = {"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe"}
_SPECIAL |= {"Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d"}


def _reference_fold(text: str) -> str:
    """`identity.fold` as it was, spelled out one character at a time."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        else:
            marks = unicodedata.normalize("NFKD", ch)
            plain = "".join(c for c in marks if not unicodedata.combining(c))
            if 0xC0 <= ord(ch) < 0x250 and plain.isascii():
                out.append(plain)
            else:
                out.append(ch)
    text = "".join(out)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower()


def _reference_slugify(text: str, fallback: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", _reference_fold(text)).strip("-")
    return slug or fallback


@settings(max_examples=1000, deadline=None)
@given(text=st.text(), fallback=st.sampled_from(["locus", "step", "room", "palace", "x"]))
@example(text="Küche 12", fallback="locus")
@example(text="2nd Door", fallback="locus")
@example(text="--", fallback="step")
@example(text="İ", fallback="x")
@example(text="ǅ", fallback="x")
@example(text="K", fallback="x")  # KELVIN SIGN: lower() gives ASCII k
@example(text="ſ", fallback="x")  # LONG S
def test_slugify_is_the_reference_slug(text: str, fallback: str) -> None:
    assert identity.slugify(text, fallback) == _reference_slugify(text, fallback)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x24F)))
def test_slugify_of_latin_text_is_the_reference_slug(text: str) -> None:
    assert identity.slugify(text, "locus") == _reference_slugify(text, "locus")


@pytest.mark.parametrize("text", ["Küche", "Straße", "Œuvre", "ﬁle", "x\u0301", "Ⅻ", "日本"])
def test_fold_is_the_reference_fold(text: str) -> None:
    assert identity.fold(text) == _reference_fold(text)


# -- the reader's shortcuts --------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="\r\na \t"))
def test_split_lines_splits_as_the_line_break_pattern(text: str) -> None:
    assert parse.split_lines(text) == re.split(r"\r\n|\r|\n", text)


_PART = st.lists(
    st.sampled_from(
        [
            *"ab `{}#\t\u00a0\u2028\x0bä1.:-_²",
            "{#x}",
            " {#ok-id}",
            "  ",
            "Küche",
            "Ørn",
            "3:1",
            "**b**",
            "}",
        ]
    ),
    max_size=6,
).map("".join)
_COLON = st.sampled_from([": ", ":", ":\t", " : ", ":\u00a0", ":  ", ": \u00a0", "\t:\t"])
_START = st.sampled_from(["- ", "- ", "", "", "-", "-\t", "* ", "1. ", " ", "  - ", "\t"])
PLACE_LINES = st.lists(
    st.tuples(_START, _PART, _COLON, _PART, _COLON, _PART).map("".join),
    max_size=12,
)


@settings(max_examples=500, deadline=None)
@given(lines=PLACE_LINES)
def test_locus_lines_with_and_without_a_marker_read_as_the_general_path_reads_them(
    lines: list[str],
) -> None:
    """`parse._PLAIN_LOCUS` reads `- Place: …` and `Place: …` lines as the general path does."""
    fast, general = read_fast_and_general(["# P", *lines, "## R", *lines])
    assert fast[0] == general[0]
    assert fast[1] == general[1]


def test_the_shortcut_strips_what_str_strip_strips() -> None:
    """The shortcut pattern trims parts with \\s where the general path calls str.strip."""
    space = re.compile(r"\s")
    for code in range(0x110000):
        char = chr(code)
        assert bool(space.fullmatch(char)) == (char.strip() == "") == char.isspace(), hex(code)
