"""Decks rendered in a forked child beside the site give the very files, memo and build record
that rendering one after the other gives: a first build, an edit, and an edit of a room name."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from builder.build import ATTEMPTS, build_project, fork, memo, render
from builder.config import Config
from builder.errors import Diagnostic, OutputError
from builder.notes import load
from tests.conftest import REPO
from tests.test_incremental import snapshot

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import palace_text

STOPS = 2_500  # ~215 kB of notes: above render.FORK_FROM_BYTES


def record(out: Path) -> dict[str, Any]:
    return json.loads((out.parent / ".palace-cache" / f"{out.name}.json").read_text())


def remembered(out: Path) -> dict[str, dict[Any, Any]]:
    """Every table of the memo the build saved, as the next build loads it."""
    return memo.load(out, record(out)["stamp"])._old


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds here may fork (Linux, no tracer, no other thread, PALACE_NO_FORK unset)."""
    if sys.platform != "linux":
        pytest.skip("Palace forks on Linux only")
    monkeypatch.delenv("PALACE_NO_FORK", raising=False)
    if not fork.can_fork():
        pytest.skip("this process cannot fork (a tracer, or another thread)")


@pytest.fixture
def big_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forking: None) -> Path:
    """A project of STOPS stops, the current folder, where builds fork."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "walk.md").write_text(palace_text(STOPS), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_forked_and_in_order_builds_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forking: None
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    forks: list[str] = []
    real = fork.Forked
    monkeypatch.setattr(fork, "Forked", lambda work: forks.append(str(Path.cwd())) or real(work))
    text = palace_text(STOPS, seed=7)
    line = text.index("\n- ") + 1
    versions = [
        text,
        text[:line] + text[line:].replace(":", ": edited", 1),  # a concept
        text.replace("\n## ", "\n## Renamed ", 1),  # a room's name: its pages and notes
    ]
    reports: dict[str, list[tuple[str, ...]]] = {"forked": [], "in-order": []}
    modes = (("forked", render.FORK_FROM_BYTES), ("in-order", 10**12))
    for version in versions:
        for mode, fork_from in modes:
            monkeypatch.setattr(render, "FORK_FROM_BYTES", fork_from)
            root = tmp_path / mode
            (root / "source").mkdir(parents=True, exist_ok=True)
            monkeypatch.chdir(root)
            (root / "source" / "walk.md").write_text(version, encoding="utf-8")
            # the edit renders in order either way; --full renders all anew, with a child
            outcome = build_project(config=Config(), full=version is versions[2])
            assert outcome.report is not None
            reports[mode].append(outcome.report.decks)
        forked, in_order = tmp_path / "forked" / "site", tmp_path / "in-order" / "site"
        assert snapshot(forked) == snapshot(in_order)
        assert record(forked)["keys"] == record(in_order)["keys"]
        assert remembered(forked) == remembered(in_order)
    assert forks == [str(tmp_path / "forked")] * 2, "a child for the first build and --full"
    assert reports["forked"] == reports["in-order"]
    assert reports["forked"][1] == ("walk.apkg: 0 added, 1 changed, 2499 unchanged, 0 removed",)


def test_notes_the_child_reads_otherwise_are_built_again(
    big_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child reads the notes after this process looked at them: if what it read has
    errors where this process's reading has none, they were saved in between."""
    parent, real = os.getpid(), load.load_notes

    def read(sources: list[str]) -> load.Notes:
        notes = real(sources)
        if os.getpid() == parent:
            return notes
        broken = Diagnostic("source/walk.md", 3, 1, "saved half-way", "error")
        return dataclasses.replace(notes, diagnostics=(broken,))

    monkeypatch.setattr(load, "load_notes", read)
    with pytest.raises(OutputError) as raised:
        build_project(config=Config())
    assert str(raised.value) == (
        f"the notes: saved again during each of {ATTEMPTS} builds; "
        "site is unchanged: build again once saving is done"
    )
    assert not (big_project / "site").exists()


def test_a_child_killed_while_rendering_the_decks_is_one_clear_error(
    big_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    def killed(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would

    monkeypatch.setattr("builder.deck.render_decks", killed)
    with pytest.raises(OutputError) as raised:
        build_project(config=Config())
    assert str(raised.value) == (
        "rendering the decks: the process rendering beside this one ended by signal 9; "
        "site is unchanged"
    )
    assert not (big_project / "site").exists()
