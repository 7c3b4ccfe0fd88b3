"""How fast the study site renders: `python benchmarks/bench_site.py [N ...] [--parts]`
(default 10000).

A synthetic palace of N stops on the walk (`generate.py`, shared with the other benchmarks: rooms
of 5–30 loci, German place names, Markdown in some descriptions, notes, steps) is written as a
notes file, loaded as the build loads it, and rendered with `render_site`, 5 times; the median
counts. Three numbers per size:

- "full, cold": every file rendered, every cache cleared first (`builder.markup` and
  `builder.site.text`): the site alone, Markdown included. "after deck": only the site's own
  caches cleared (in `palace build` the deck has rendered the same fields through `inline`).
- "one edit": one description in the middle of the palace edited, then rendered with the memo
  and keys of the previous render (as `palace build` hands them over: the memo through marshal
  bytes, the keys in a `Reuse`), in a new process each time: what a rebuild after one save
  costs. Printed with the files it rendered, and beside it the same in a warm process.

Targets for 10,000: full under 0.5 s, one edit under 40 ms. `--parts` also prints what some
pieces take (caches warm).
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_source

from builder import markup
from builder.cache.memo import Memo, Reuse
from builder.notes.load import load_notes
from builder.notes.records import Palace

# `builder.site` is imported where it is used: a new process times its import.

RUNS = 5
TARGET_FULL = 0.5
TARGET_EDIT = 0.040
DECK_SIZE = 1_000_000


def decks_of(palaces: tuple[Palace, ...]) -> dict[str, int]:
    return {f"{palace.id}.apkg": DECK_SIZE for palace in palaces}


def clear_markdown() -> None:
    """Forget every rendered field (`inline` keeps a cache of its own)."""
    for name in ("_inline", "inline"):
        cache_clear = getattr(getattr(markup, name, None), "cache_clear", None)
        if cache_clear is not None:
            cache_clear()


@contextlib.contextmanager
def as_built(memo: Memo) -> Iterator[None]:
    """Render as `palace build` does: Markdown of the notes remembered in the memo too."""
    remembering = getattr(markup, "remembering", None)
    if remembering is None:
        yield
    else:
        with remembering(memo.table("inline")):
            yield


def full_seconds(palaces: tuple[Palace, ...], markdown_cached: bool) -> tuple[float, int, int]:
    from builder.site import render_site, text

    decks = decks_of(palaces)
    render_site(palaces, decks)  # templates compile once per process, as in a build
    times, files = [], {}
    for _ in range(RUNS):
        if not markdown_cached:
            clear_markdown()
        text.clear_caches()
        start = time.perf_counter()
        files = render_site(palaces, decks)
        times.append(time.perf_counter() - start)
    size = sum(len(data) for data in files.values())
    return statistics.median(times), len(files), size


def edit_one_description(source: Path) -> None:
    """Change the description of the locus in the middle of the walk."""
    notes = source / "palace-01.md"
    lines = notes.read_text(encoding="utf-8").split("\n")
    loci = [n for n, line in enumerate(lines) if line.startswith("- ")]
    middle = loci[len(loci) // 2]
    lines[middle] += " (edited)"
    notes.write_text("\n".join(lines), encoding="utf-8")


def first_build(source: Path, saved: Path) -> None:
    """Render as a first build does (the child process's work, see `main`); save its memo and
    keys for the next."""
    from builder.site import render_site

    palaces = load_notes([str(source)]).palaces
    memo, reuse = Memo(), Reuse()
    with as_built(memo):
        render_site(palaces, decks_of(palaces), memo=memo, reuse=reuse)
    saved.write_bytes(marshal.dumps({"memo": memo.dumps(), "keys": reuse.keys}))


def one_edit(source: Path, saved: Path) -> dict[str, object]:
    """One incremental render (the child process's work, see `main`): timings in seconds."""
    started = time.perf_counter()
    from builder.site import render_site  # what a build imports, timed

    imported = time.perf_counter()
    palaces = load_notes([str(source)]).palaces
    previous = marshal.loads(saved.read_bytes())
    loading = time.perf_counter()
    memo = Memo("", marshal.loads(previous["memo"])["tables"])
    reuse = Reuse(previous["keys"])
    loaded, cpu = time.perf_counter(), time.process_time()
    with as_built(memo):
        files = render_site(palaces, decks_of(palaces), memo=memo, reuse=reuse)
    done, cpu = time.perf_counter(), time.process_time() - cpu
    memo.dumps()
    return {
        "import": imported - started,
        "memo": loaded - loading,
        "render": done - loaded,
        "render CPU": cpu,
        "saved": time.perf_counter() - done,
        "rendered": sorted(files),
    }


def child_environment(folder: Path) -> dict[str, str]:
    """New processes as after an install: their modules' bytecode cached (here in `folder`,
    whatever PYTHONDONTWRITEBYTECODE says), not compiled at every start."""
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def edit_seconds(source: Path, saved: Path) -> tuple[dict[str, float], list[str], float]:
    """Median timings of one edit in new processes, what it rendered, and the render in this
    (warm) process."""
    runs = []
    command = [sys.executable, __file__, "--one-edit", str(source), str(saved)]
    environment = child_environment(saved.parent)
    subprocess.run(command, env=environment, capture_output=True, check=True)  # caches bytecode
    for _ in range(RUNS):
        child = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
        runs.append(json.loads(child.stdout))
    medians = {
        name: statistics.median(float(run[name]) for run in runs)
        for name in ("import", "memo", "render", "render CPU", "saved")
    }
    from builder.site import render_site

    warm = []
    palaces = load_notes([str(source)]).palaces
    for _ in range(RUNS):
        previous = marshal.loads(saved.read_bytes())
        memo = Memo("", marshal.loads(previous["memo"])["tables"])
        reuse = Reuse(previous["keys"])
        start = time.perf_counter()
        with as_built(memo):
            render_site(palaces, decks_of(palaces), memo=memo, reuse=reuse)
        warm.append(time.perf_counter() - start)
    return medians, list(runs[0]["rendered"]), statistics.median(warm)


def parts(palaces: tuple[Palace, ...]) -> None:
    """Milliseconds of some pieces that grow with the palace, each alone, caches warm."""
    from builder.site.assets import collect_pictures
    from builder.site.facts import palace_facts
    from builder.site.map import palace_map
    from builder.site.pages import room_views
    from builder.site.study import study_script

    palace = palaces[0]
    rooms = room_views(palace)
    pictures, _ = collect_pictures(palaces)
    pieces = {
        "facts (digests of every room)": lambda: palace_facts(palace, pictures),
        "room views": lambda: room_views(palace),
        "study data": lambda: study_script(palace, rooms, pictures),
        "map": lambda: palace_map(rooms, "_map-title"),
    }
    for name, piece in pieces.items():
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            piece()
            times.append(time.perf_counter() - start)
        print(f"    {name}: {statistics.median(times) * 1000:.1f} ms")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--first-build"]:
        first_build(Path(argv[1]), Path(argv[2]))
        return 0
    if argv[:1] == ["--one-edit"]:
        print(json.dumps(one_edit(Path(argv[1]), Path(argv[2]))))
        return 0
    show_parts = "--parts" in argv
    argv = [arg for arg in argv if arg != "--parts"]
    for stops in [int(arg) for arg in argv] or [10_000]:
        with tempfile.TemporaryDirectory() as folder:
            source = write_source(Path(folder) / "source", stops)
            notes = load_notes([str(source)])
            assert not notes.errors, notes.errors[:3]
            cold, count, size = full_seconds(notes.palaces, markdown_cached=False)
            after_deck, _, _ = full_seconds(notes.palaces, markdown_cached=True)
            saved = Path(folder) / "previous"
            first = [sys.executable, __file__, "--first-build", str(source), str(saved)]
            subprocess.run(first, env=child_environment(Path(folder)), check=True)
            memo_size = len(marshal.loads(saved.read_bytes())["memo"])
            edit_one_description(source)
            edit, rendered, warm = edit_seconds(source, saved)
            if show_parts:
                parts(notes.palaces)
        missed = [
            name
            for name, seconds, target in (
                ("full", cold, TARGET_FULL),
                ("one edit", edit["render"], TARGET_EDIT),
            )
            if seconds >= target
        ]
        verdict = "" if stops != 10_000 else " ok" if not missed else f" SLOW: {', '.join(missed)}"
        print(
            f"{stops:>7} stops, {count} files, {size / 1e6:.1f} MB: median of {RUNS}: "
            f"full cold {cold:.3f} s, after deck {after_deck:.3f} s; one edit "
            f"{edit['render'] * 1000:.0f} ms in a new process "
            f"(CPU {edit['render CPU'] * 1000:.0f} ms; {warm * 1000:.0f} ms warm){verdict}"
        )
        print(
            f"    one edit, new process: import {edit['import'] * 1000:.0f} ms, memo "
            f"({memo_size / 1e6:.1f} MB) loaded in {edit['memo'] * 1000:.0f} ms, saved in "
            f"{edit['saved'] * 1000:.0f} ms; rendered {len(rendered)} files: {', '.join(rendered)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
