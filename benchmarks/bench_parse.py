"""Time reading notes into records (load_notes) for N stops: median of several runs.

python benchmarks/bench_parse.py 10000
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_source

from builder.notes.load import load_notes


def main(loci: int, runs: int = 7) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = write_source(Path(tmp) / "source", loci)
        times = []
        for _ in range(runs + 1):  # the first run warms the caches and is dropped
            start = time.perf_counter()
            notes = load_notes([str(source)])
            times.append(time.perf_counter() - start)
        stops = sum(len(p.walk) for p in notes.palaces)
        assert not notes.errors and stops == loci, (notes.errors[:3], stops)
        print(
            f"parse {stops} stops: median {statistics.median(times[1:]) * 1000:.1f} ms "
            f"(min {min(times[1:]) * 1000:.1f} ms, {runs} runs)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
