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
    header = "| loci | cold build | no-op build | one-edit build | check | peak memory |"
    assert header in lines
    (row,) = [line for line in lines if line.startswith("| 100 |")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == 6 and all(cell.endswith(" s") for cell in cells[1:5])
    assert cells[5].endswith(" MB") and float(cells[5].split()[0]) > 10
