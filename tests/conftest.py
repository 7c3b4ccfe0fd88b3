"""Shared fixtures and helpers: a temporary palace project built from a dict of files, golden
files, screenshots for review, and reading decks back in the real Anki engine."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import (
    IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    ImportAnkiPackageOptions,
    ImportResponse,
)

if TYPE_CHECKING:
    from anki.cards import CardId  # importing it before anki.collection is a circular import

REPO = Path(__file__).resolve().parent.parent
# The first real palace, byte for byte as its owner wrote it (from shared/seeds/).
SEED = REPO / "tests" / "fixtures" / "seed-000_11f9f661f77a5d86.txt"
GOLDEN = REPO / "tests" / "golden"
# `PALACE_UPDATE_GOLDENS=1 python3 -m pytest` rewrites the golden files from what the code does
UPDATE_GOLDENS = bool(os.environ.get("PALACE_UPDATE_GOLDENS"))

ProjectMaker = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectMaker:
    """Write `{relative path: text or bytes}` into a temp folder, chdir there, return it."""

    def make(files: dict[str, str | bytes]) -> Path:
        for name, content in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`: {relative POSIX path: bytes}, sorted."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# -- golden files ------------------------------------------------------------------------------
def assert_golden(expected_file: Path, actual: str) -> None:
    """`actual` must be the text of `expected_file`; a mismatch fails with a short unified diff.
    With PALACE_UPDATE_GOLDENS=1 the file is rewritten instead, to be reviewed with `git diff`."""
    if UPDATE_GOLDENS:
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        expected_file.write_text(actual, encoding="utf-8", newline="\n")
    expected = expected_file.read_text(encoding="utf-8") if expected_file.exists() else ""
    if actual == expected:
        return
    name = expected_file.relative_to(REPO).as_posix()
    diff = list(
        difflib.unified_diff(
            expected.split("\n"), actual.split("\n"), name, "actual", n=2, lineterm=""
        )
    )
    shown = "\n".join(diff[:80]) + (
        f"\n… {len(diff) - 80} more diff lines" if len(diff) > 80 else ""
    )
    pytest.fail(
        f"{shown}\nIf the change is deliberate: PALACE_UPDATE_GOLDENS=1 python3 -m pytest "
        f"<this test>, then review `git diff {name}`.",
        pytrace=False,
    )


# -- screenshots and PDFs for a person to look at -----------------------------------------------
@pytest.fixture
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder for review screenshots: $PALACE_ARTIFACTS if set (to keep them), else a
    temporary one (pytest keeps the last three runs' under its basetemp)."""
    chosen = os.environ.get("PALACE_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- decks read back by the real Anki engine ---------------------------------------------------
# What Anki's import screen starts with (test_deck_anki checks it against the collection's
# presets): match notes by GUID, update a note or note type only if the incoming one is newer.
DEFAULT_OPTIONS = ImportAnkiPackageOptions(
    merge_notetypes=False,
    update_notes=IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    update_notetypes=IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    with_scheduling=False,
    with_deck_configs=False,
)


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    """A new, empty Anki collection of its own."""
    (tmp_path / "anki").mkdir()
    collection = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield collection
    collection.close()


def counts(log: ImportResponse.Log) -> dict[str, int]:
    """An import's log as {kind: number of notes}, kinds with none left out."""
    found = {
        "new": len(log.new),
        "updated": len(log.updated),
        "duplicate": len(log.duplicate),
        "conflicting": len(log.conflicting),
        "first_field_match": len(log.first_field_match),
        "missing_notetype": len(log.missing_notetype),
        "missing_deck": len(log.missing_deck),
        "empty_first_field": len(log.empty_first_field),
    }
    return {kind: n for kind, n in found.items() if n}


def card_of(col: Collection, stop_id: str, template: str) -> CardId:
    """The one card of template `template` for the stop `stop_id`."""
    (card_id,) = col.find_cards(f'"Id:*/{stop_id}" "card:{template}"')
    return card_id


@dataclass(frozen=True)
class Scheduling:
    type: int
    queue: int
    due: int
    ivl: int
    reps: int
    revlog: tuple[tuple[int, int, int], ...]  # (id, ease, ivl)


def scheduling(col: Collection, card_id: CardId) -> Scheduling:
    """A card's review state and its review log, to compare before and after an import."""
    card = col.get_card(card_id)
    assert col.db is not None
    revlog = col.db.all("SELECT id, ease, ivl FROM revlog WHERE cid = ? ORDER BY id", card_id)
    return Scheduling(
        card.type, card.queue, card.due, card.ivl, card.reps, tuple(map(tuple, revlog))
    )


def answer(col: Collection, card_id: CardId, ease: int) -> None:
    """Review the card now, answering `ease` (1 again … 4 easy)."""
    card = col.get_card(card_id)
    card.start_timer()
    col.sched.answerCard(card, ease)  # type: ignore[arg-type]
