"""Builds after an edit: notes saved during a build, and what a rebuild renders again."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from builder.build import ATTEMPTS, build_project
from builder.config import Config
from builder.errors import OutputError
from tests.conftest import ProjectMaker

FIRST = """# Kitchen
## Downstairs
- Stove: Softmax: turns scores into probabilities
- Sink: Dropout: drops units while training
"""
SECOND = FIRST.replace("Softmax", "Sigmoid")
THIRD = FIRST.replace("Softmax", "Tanh")


def deck_concepts(deck: Path) -> list[str]:
    """The concepts of the notes in a deck, read from its collection."""
    with zipfile.ZipFile(deck) as package:
        data = package.read("collection.anki2")
    collection = sqlite3.connect(":memory:")
    collection.deserialize(data)
    return sorted(row[0].split("\x1f")[7] for row in collection.execute("select flds from notes"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_notes_saved_during_a_build_are_built_again(make_project: ProjectMaker) -> None:
    root = make_project({"source/kitchen.md": FIRST})
    notes = root / "source" / "kitchen.md"
    saves = []

    def editor_saves(stage: str, _: float) -> None:
        if stage == "rendering site" and not saves:  # once, while the first build renders
            notes.write_text(SECOND, encoding="utf-8")
            saves.append(stage)

    outcome = build_project(config=Config(), progress=editor_saves)

    assert saves == ["rendering site"]
    assert outcome.reasons == (
        "no record of a previous build in this folder",
        "saved again during the build, so built again: source/kitchen.md",
    )
    overview = (root / "site" / "kitchen" / "index.html").read_text(encoding="utf-8")
    assert "Sigmoid" in overview and "Softmax" not in overview
    assert deck_concepts(root / "site" / "kitchen.apkg") == ["Dropout", "Sigmoid"]


def test_notes_saved_during_every_build_leave_the_output_as_it_was(
    make_project: ProjectMaker,
) -> None:
    root = make_project({"source/kitchen.md": FIRST})
    build_project(config=Config())
    before = snapshot(root / "site")
    notes = root / "source" / "kitchen.md"
    notes.write_text(SECOND, encoding="utf-8")
    versions = iter([THIRD, SECOND] * ATTEMPTS)

    def editor_keeps_saving(stage: str, _: float) -> None:
        if stage == "rendering site":
            notes.write_text(next(versions), encoding="utf-8")

    with pytest.raises(OutputError) as raised:
        build_project(config=Config(), progress=editor_keeps_saving)

    assert str(raised.value) == (
        "source/kitchen.md: saved again during each of 5 builds; site is unchanged: "
        "build again once saving is done"
    )
    assert snapshot(root / "site") == before
