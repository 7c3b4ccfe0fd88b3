"""Time rendering every field of a synthetic palace of N stops with `markup.inline`: median of 7.

    python benchmarks/bench_markup.py 10000

Every concept, description and note (of rooms, loci and steps) goes through `inline` once.
Cases:
- cold process: a new process renders every field, as a cold build does (Python-Markdown is
  imported and set up on the first field that needs it, if any does);
- cold caches: in this process, `inline`'s cache cleared before each run (Python-Markdown
  already imported and set up).
It also says how many fields have Markdown syntax (those go to Python-Markdown; the others are
only escaped).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_source

from builder import markup
from builder.notes.load import load_notes

RUNS = 7


def fields(source: Path) -> list[str]:
    """Every field `inline` renders, in walk order."""
    texts = []
    for palace in load_notes([str(source)]).palaces:
        for room in palace.rooms:
            texts.append(room.note or "")
            for locus in room.loci:
                texts += (locus.concept, locus.description, locus.note or "")
                for step in locus.steps:
                    texts += (step.concept, step.description)
    return texts


def cold(source: Path) -> None:
    """In a new process: print the time rendering every field takes (reading them is not timed)."""
    texts = fields(source)
    start = time.perf_counter()
    for text in texts:
        markup.inline(text)
    print(time.perf_counter() - start)


def report(label: str, times: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(times) * 1000:.1f} ms "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {len(times)} runs)"
    )


def main(loci: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = write_source(Path(tmp) / "source", loci)
        command = [sys.executable, __file__, "--cold", str(source)]
        processes = [
            float(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
            for _ in range(RUNS)
        ]
        texts = fields(source)
    markup._parser()  # set up once, as the first field with Markdown does in a new process
    caches = []
    for _ in range(RUNS):
        markup._inline.cache_clear()
        start = time.perf_counter()
        for text in texts:
            markup.inline(text)
        caches.append(time.perf_counter() - start)
    syntax = {text for text in texts if not markup._is_plain(text.strip())}
    print(f"{len(texts)} fields, {len(set(texts))} distinct, {len(syntax)} of them with syntax")
    report("cold process", processes)
    report("cold caches", caches)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--cold"]:
        cold(Path(sys.argv[2]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
