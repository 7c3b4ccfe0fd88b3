"""Case files: each `cases/NAME.md` is checked and must print exactly `cases/NAME.expected`.

Adding a parser case means adding a file. To refresh the expected files after a deliberate
change of a message: `PALACE_UPDATE_GOLDENS=1 python3 -m pytest tests/test_cases.py`, then review
the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_golden

from builder.cli import main

CASES = Path(__file__).parent / "cases"
NAMES = sorted(path.stem for path in CASES.glob("*.md"))


@pytest.mark.parametrize("name", NAMES)
def test_case(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(CASES.parent)
    code = main(["check", f"cases/{name}.md"])
    out, err = capsys.readouterr()
    actual = f"exit {code}\n--- stdout\n{out}--- stderr\n{err}"
    assert_golden(CASES / f"{name}.expected", actual)


def test_every_case_has_an_expected_file() -> None:
    expected = sorted(path.stem for path in CASES.glob("*.expected"))
    assert expected == NAMES
