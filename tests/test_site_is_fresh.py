"""The committed site/ is what `palace build` makes from source/; rebuilding changes nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, snapshot

from builder.cli import main


def test_committed_site_is_built_from_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = snapshot(REPO / "site")
    assert "ml-palace.apkg" in committed and "index.html" in committed
    shutil.copytree(REPO / "site", tmp_path / "site")  # the decks in it are the previous build
    shutil.copytree(REPO / "source", tmp_path / "source")  # a copy: the build's cache goes there
    monkeypatch.chdir(tmp_path)
    # --full: render everything, whatever a record of an earlier build would say
    assert main(["build", "--full", "--out", str(tmp_path / "site")]) == 0
    rebuilt = snapshot(tmp_path / "site")
    stale = sorted(
        name
        for name in committed.keys() | rebuilt.keys()
        if committed.get(name) != rebuilt.get(name)
    )
    assert stale == [], "site/ is stale: run `palace build` and commit site/"
    pages = sum(1 for name in committed if name.endswith(".html"))
    out = re.sub(r" in \d+\.\d\d s\n", " in 0.12 s\n", capsys.readouterr().out)
    assert out == (
        f"built {tmp_path / 'site'}: 1 palace, 7 rooms, 30 loci, 5 steps, 105 cards, "
        f"{pages} pages in 0.12 s\n"
        "  ml-palace.apkg: 0 added, 0 changed, 35 unchanged, 0 removed\n"
        f"  files: 0 written, {len(committed) - 1} unchanged, 0 removed\n"
    )
