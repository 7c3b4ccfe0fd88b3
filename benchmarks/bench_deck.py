"""Time rendering the decks (render_decks) for a synthetic palace of N stops: median of 5 runs.

    python benchmarks/bench_deck.py 10000

Cases: a first build (no previous deck); a rebuild reading the previous deck back, nothing
changed; both with Markdown rendered afresh (markup's cache cleared before each run), and the
rebuild again with the Markdown cache warm, as when the site has rendered the same texts. The
first call in a process also pays for importing genanki, reported separately.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_source

from builder.deck import render_decks
from builder.load import load_notes
from builder.markup import inline

NOW = 1_700_000_000
RUNS = 5


def timed(work: Callable[[], object], markdown: bool = True) -> float:
    if markdown:
        inline.cache_clear()  # a real build renders each text once: no warm Markdown cache
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def report(label: str, times: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(times) * 1000:.0f} ms "
        f"(min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, {len(times)} runs)"
    )


def main(loci: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = write_source(Path(tmp) / "source", loci)
        notes = load_notes([str(source)])
        stops = sum(len(p.walk) for p in notes.palaces)
        assert not notes.errors and stops == loci, (notes.errors[:3], stops)
        palaces = notes.palaces

        cold = timed(lambda: render_decks(palaces, None, now=NOW))  # includes importing genanki
        first = [timed(lambda: render_decks(palaces, None, now=NOW)) for _ in range(RUNS)]
        out = render_decks(palaces, None, now=NOW)
        previous = Path(tmp) / "site"
        previous.mkdir()
        for name, data in out.files.items():
            (previous / name).write_bytes(data)
        rebuild = [
            timed(lambda: render_decks(palaces, previous, now=NOW + 60)) for _ in range(RUNS)
        ]
        warm = [
            timed(lambda: render_decks(palaces, previous, now=NOW + 60), markdown=False)
            for _ in range(RUNS)
        ]
        again = render_decks(palaces, previous, now=NOW + 60)
        assert again.files == out.files, "an unchanged rebuild must give the same bytes"

        size = sum(len(data) for data in out.files.values())
        print(f"decks for {stops} stops ({size / 1e6:.1f} MB .apkg)")
        print(f"first call in the process, incl. importing genanki: {cold * 1000:.0f} ms")
        report("first build", first)
        report("rebuild, reading the previous deck", rebuild)
        report("rebuild, Markdown already rendered (e.g. by the site)", warm)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
