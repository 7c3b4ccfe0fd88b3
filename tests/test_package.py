"""The wheel carries the templates, styles and scripts the decks and the site are made from."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.slow  # pip builds a wheel: ~6 s
def test_wheel_contains_package_data(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("palace_loci-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"builder/{path.relative_to(REPO / 'builder').as_posix()}"
        for folder in ("deck/cards", "site/templates", "site/static", "commands/starter")
        for path in (REPO / "builder" / folder).iterdir()
    }
    assert len(expected) >= 20
    assert expected <= names, sorted(expected - names)
    assert "builder/cli.py" in names and "builder/deck/model.py" in names
