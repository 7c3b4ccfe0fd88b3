"""Shared fixtures: a temporary palace project built from a dict of files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The first real palace, byte for byte as its owner wrote it (from shared/seeds/).
SEED = REPO / "tests" / "fixtures" / "seed-000_11f9f661f77a5d86.txt"

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
