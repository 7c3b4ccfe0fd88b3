"""The benchmark script runs (at a tiny size, without peers) so it never rots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_benchmark_script_smoke_run(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--sizes",
            "100",
            "--runs",
            "1",
            "--no-peers",
            "--this-python",
            "--work",
            str(tmp_path / "work"),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Benchmarks"
    (header,) = [line for line in lines if line.startswith("| loci |")]
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    assert columns[:5] == ["loci", "cold build", "no-op build", "one-edit build", "check"]
    assert columns[-2:] == ["peak, cold build", "peak, any run"]
    (row,) = [line for line in lines if line.startswith("| 100 |")]
    cells = dict(zip(columns, (cell.strip() for cell in row.strip("|").split("|")), strict=True))
    assert all(cells[column].endswith(" s") for column in columns[1:5])
    for peak in ("peak, cold build", "peak, any run"):
        assert cells[peak].endswith(" MB") and float(cells[peak].split()[0]) > 10
