"""How fast the study site renders: `python benchmarks/bench_site.py [N ...] [--parts]`
(default 10000).

A synthetic palace of N stops on the walk (`generate.py`, shared with the other benchmarks: rooms
of 5–30 loci, German place names, Markdown in some descriptions, notes, steps) is written as a
notes file, loaded as the build loads it, and rendered with `render_site`, 5 times; the median
counts. Everything the site holds is made: room, palace and glossary pages, the study pages, the
palace's study data (what walk, quiz and search read) and its map. Target for 10,000: under
0.5 s. `--parts` also prints what the biggest pieces take (with warm caches).

Two numbers per size: "cold" clears every cache first (`builder.markup.inline` and
`builder.site.text`): the site alone, Markdown included. "after deck" clears only the site's own
caches: in `palace build` the deck has already rendered the same fields through `inline`.
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

from builder.load import load_notes
from builder.markup import inline
from builder.records import Palace
from builder.site import render_site, text

RUNS = 5
TARGET_SECONDS = 0.5


def median_seconds(palaces: tuple[Palace, ...], markdown_cached: bool) -> tuple[float, int, int]:
    decks = {f"{palace.id}.apkg": b"x" * 1_000_000 for palace in palaces}
    render_site(palaces, decks)  # templates compile once per process, as in a build
    times, files = [], {}
    for _ in range(RUNS):
        if not markdown_cached:
            inline.cache_clear()
        text.clear_caches()
        start = time.perf_counter()
        files = render_site(palaces, decks)
        times.append(time.perf_counter() - start)
    size = sum(len(data) for data in files.values())
    return statistics.median(times), len(files), size


def parts(palaces: tuple[Palace, ...]) -> None:
    """Milliseconds of the pieces that grow with the palace, each alone, caches warm."""
    from builder.site.assets import collect_pictures
    from builder.site.map import palace_map, route_list
    from builder.site.pages import room_views, stop_links
    from builder.site.study import study_script

    palace = palaces[0]
    rooms = room_views(palace)
    links = stop_links(palace, rooms)
    pictures, _ = collect_pictures(palaces)
    pieces = {
        "study data": lambda: study_script(palace, rooms, pictures),
        "map": lambda: palace_map(rooms, links, "_map-title"),
        "route list": lambda: route_list(rooms, links),
    }
    for name, piece in pieces.items():
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            piece()
            times.append(time.perf_counter() - start)
        print(f"    {name}: {statistics.median(times) * 1000:.1f} ms")


def main(argv: list[str]) -> int:
    show_parts = "--parts" in argv
    argv = [arg for arg in argv if arg != "--parts"]
    for stops in [int(arg) for arg in argv] or [10_000]:
        with tempfile.TemporaryDirectory() as folder:
            notes = load_notes([str(write_source(Path(folder) / "source", stops))])
        assert not notes.errors, notes.errors[:3]
        cold, count, size = median_seconds(notes.palaces, markdown_cached=False)
        after_deck, _, _ = median_seconds(notes.palaces, markdown_cached=True)
        verdict = "" if stops != 10_000 else (" ok" if cold < TARGET_SECONDS else " SLOW")
        print(
            f"{stops:>7} stops, {count} files, {size / 1e6:.1f} MB: median of {RUNS}: "
            f"cold {cold:.3f} s{verdict}, after deck {after_deck:.3f} s"
        )
        if show_parts:
            parts(notes.palaces)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
