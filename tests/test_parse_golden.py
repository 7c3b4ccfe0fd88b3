"""What the reader makes of notes, as readable golden files in tests/golden/: the records
(through the export's JSON shape, one line per room, locus and step) and the diagnostics
(line, column, severity, message, echoed text) of

- the case files in tests/cases/ and the seed palace (parse-cases.txt),
- three synthetic 300-stop palaces from benchmarks/generate.py (parse-generated.txt),
- 400 deterministic jumbles of every kind of line the format has, good and bad: duplicate and
  invalid ids, repeated names, steps, comments, pictures, tabs, CR/CRLF, names with no letter
  or with letters from many scripts (parse-jumbles.txt).

The files were first written by the reader as it was before it was simplified (commit 059af98,
whose hash digests of the same reads they matched). A deliberate change of how notes read:
`PALACE_UPDATE_GOLDENS=1 python3 -m pytest tests/test_parse_golden.py`, review `git diff
tests/golden/`, and say why in the commit.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

from conftest import GOLDEN, REPO, SEED, assert_golden

from builder.commands.export import palace_dict
from builder.notes.load import load_notes

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import palace_text

CASES = REPO / "tests" / "cases"
# the case files there were then (a case added later has its own .expected file)
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


def _quote(text: str) -> str:
    """A string in double quotes, with every character that does not print escaped."""
    return _show(json.dumps(text, ensure_ascii=False))


def _show(text: str) -> str:
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _extras(item: dict[str, Any]) -> str:
    shown = [f" {key}={_quote(item[key])}" for key in ("note", "image") if item.get(key)]
    return "".join(shown)


def read(source: Path, root: Path) -> str:
    """Everything `load_notes` gives for `source`, one line per record or diagnostic, with the
    folder it lives in shown as <root>."""
    notes = load_notes([source.as_posix()])
    lines = [f"== {source.relative_to(root).as_posix()}"]
    for palace in notes.palaces:
        data = palace_dict(palace)
        lines.append(f"palace {data['id']} {_quote(data['title'])} from {_quote(data['source'])}")
        for room in data["rooms"]:
            lines.append(
                f"  {room['line']}: room {room['id']} {_quote(room['name'])}{_extras(room)}"
            )
            for locus in room["loci"]:
                lines.append(
                    f"    {locus['line']}: locus {locus['id']} {_quote(locus['locus'])}"
                    f" {_quote(locus['concept'])} {_quote(locus['description'])}{_extras(locus)}"
                )
                for step in locus["steps"]:
                    lines.append(
                        f"      {step['line']}: step {step['id']} {_quote(step['locus'])}"
                        f" {_quote(step['concept'])} {_quote(step['description'])}"
                    )
    for diagnostic in notes.diagnostics:
        lines.append(
            f"{diagnostic.path}:{diagnostic.line}:{diagnostic.col}: {diagnostic.severity}: "
            f"{_show(diagnostic.message)}"
        )
        if diagnostic.text is not None:
            lines.append(f"  | {_quote(diagnostic.text)}")
    return "\n".join(lines).replace(root.as_posix(), "<root>") + "\n"


def test_case_files_and_the_seed_read_as_the_golden_file() -> None:
    sources = [*(CASES / f"{name}.md" for name in CASE_NAMES), SEED]
    assert_golden(GOLDEN / "parse-cases.txt", "".join(read(path, REPO) for path in sources))


def test_generated_palaces_read_as_the_golden_file(tmp_path: Path) -> None:
    results = []
    for seed in range(3):
        path = tmp_path / f"generated-{seed}.md"
        path.write_text(palace_text(300, seed=seed), encoding="utf-8")
        results.append(read(path, tmp_path))
    assert_golden(GOLDEN / "parse-generated.txt", "".join(results))


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


def test_jumbles_read_as_the_golden_file(tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "notes.txt").write_text("not a picture", encoding="utf-8")
    rng = random.Random(20240601)
    results = []
    for number in range(400):
        path = tmp_path / f"jumble-{number:03d}.md"
        path.write_text(_jumble(rng), encoding="utf-8", newline="")
        results.append(read(path, tmp_path))
    assert_golden(GOLDEN / "parse-jumbles.txt", "".join(results))
