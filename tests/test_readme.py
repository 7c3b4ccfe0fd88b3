"""The README's examples are true: its example palace parses, its export sample matches."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO, ProjectMaker

from builder.cli import main
from builder.notes.load import load_notes

README = (REPO / "README.md").read_text(encoding="utf-8")


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"```sh\n(.*?)\n```", quick_start, flags=re.S) == [
        "python3 -m pip install -e . && palace build",
        "python3 -m pip install -e '.[test]' && python3 -m pytest",
    ]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install -e '.[test]' && python3 -m pytest" in ci


def test_example_palace_parses(make_project: ProjectMaker) -> None:
    example = fenced("markdown")[0]
    make_project(
        {
            "source/example.md": example,
            "source/pictures/kitchen.jpg": b"jpg",
            "source/pictures/stove.jpg": b"jpg",
        }
    )
    notes = load_notes([])
    assert notes.diagnostics == ()
    (palace,) = notes.palaces
    assert [stop.id for stop in palace.walk] == [
        "stove",
        "filter",
        "window",
        "window--balcony",
        "window--street",
    ]
    assert palace.rooms[0].note == "The whole kitchen smells of burnt toast."


def test_export_sample_matches_the_real_export(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    sample = json.loads(fenced("json")[0])
    assert main(["export"]) == 0
    real = json.loads(capsys.readouterr().out)["palaces"][0]
    kitchen = next(room for room in real["rooms"] if room["id"] == "kitchen")
    (sample_palace,) = sample["palaces"]
    (sample_room,) = sample_palace["rooms"]
    assert {k: real[k] for k in ("id", "title", "source")} == {
        k: sample_palace[k] for k in ("id", "title", "source")
    }
    assert {k: v for k, v in kitchen.items() if k != "loci"} == {
        k: v for k, v in sample_room.items() if k != "loci"
    }
    assert kitchen["loci"][0] == sample_room["loci"][0]
