"""The linters and the type checker configured in pyproject.toml pass on the whole project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.parametrize(
    "argv",
    [
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_passes(argv: list[str], tmp_path: Path) -> None:
    if argv == ["mypy"]:
        argv = [*argv, "--cache-dir", str(tmp_path / "mypy")]  # not .mypy_cache in the repo
    result = subprocess.run(
        [sys.executable, "-m", *argv], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
