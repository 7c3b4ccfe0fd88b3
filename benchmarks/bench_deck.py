"""Time rendering the decks (render_decks) for a synthetic palace of N stops: median of 7 runs.

    python benchmarks/bench_deck.py 10000

Cases:
- import: `import builder.deck` in a new process, after the modules every build imports;
- first build: no previous deck, no memo; Markdown rendered afresh (markup's caches cleared
  before each run), and again with the Markdown already rendered (the deck's own work);
- one edit: one locus' description changed, the previous deck on disk and the memo of the
  build that wrote it loaded as a new process loads it (Markdown from its memo table, plain
  text escaped afresh); then the same without the memo (Markdown rendered afresh);
- where the one edit's time goes: reading the previous deck, the layout, the notes of every
  room (`room_notes`), comparing them, patching the collection, zipping; the rest of `render`
  (memo loading and so on) as "other";
- unchanged: kept as it is (memo.Reuse), and written again without Reuse;
- the whole deck written at each zlib level, with its size (`--levels`).
"""

from __future__ import annotations

import functools
import io
import marshal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_source

import builder.deck
from builder import markup
from builder.cache.memo import Memo, Reuse
from builder.deck import DeckOutput, render_decks
from builder.deck.package import zipped
from builder.notes.load import load_notes
from builder.notes.records import Palace

NOW = 1_700_000_000
RUNS = 7
# The deck's own imports: what the rest of a build imports anyway comes first.
IMPORT = (
    "import time, builder.notes.records, builder.markup, builder.errors, builder.cache.memo; "
    "t = time.perf_counter(); import builder.deck; print(time.perf_counter() - t)"
)


def timed(work: Callable[[], object], markdown_cold: bool = True) -> float:
    if markdown_cold:
        markup._inline.cache_clear()  # a new process renders each text afresh
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def report(label: str, times: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(times) * 1000:.1f} ms "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {len(times)} runs)"
    )


def loaded(saved: bytes) -> Memo:
    """A memo as the next build's process loads it."""
    data = marshal.loads(saved)
    return Memo(data["stamp"], data["tables"])


def edited(source: Path) -> tuple[Palace, ...]:
    """The palace with one description in the middle of the walk changed."""
    notes = next(source.glob("*.md"))
    lines = notes.read_text(encoding="utf-8").split("\n")
    loci = [i for i, line in enumerate(lines) if line.startswith("- ")]
    lines[loci[len(loci) // 2]] += " (edited)"
    notes.write_text("\n".join(lines), encoding="utf-8")
    return load_notes([str(source)]).palaces


STAGES = ("read_previous", "layout", "room_notes", "patched", "collection", "zipped")


@contextmanager
def stages(spent: dict[str, float]) -> Iterator[None]:
    """Time spent in each of the deck's stages (the functions `render` calls by name)."""
    originals = {name: getattr(builder.deck, name) for name in STAGES}

    def timing(name: str, work: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(work)
        def timed_stage(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return work(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

        return timed_stage

    for name, work in originals.items():
        setattr(builder.deck, name, timing(name, work))
    try:
        yield
    finally:
        for name, work in originals.items():
            setattr(builder.deck, name, work)


def breakdown(rebuild: Callable[[], object]) -> None:
    """Medians of the stages of `rebuild`; "other" is the rest of its time."""
    runs: dict[str, list[float]] = {}
    for _ in range(RUNS):
        spent: dict[str, float] = {}
        with stages(spent):
            total = timed(rebuild)
        spent["other"] = total - sum(spent.values())
        for name, seconds in spent.items():
            runs.setdefault(name, []).append(seconds)
    for name, times in runs.items():
        report(f"  of which {name}", times)


def main(loci: int) -> None:
    imports = [
        float(subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, check=True,
                             text=True).stdout)
        for _ in range(RUNS)
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        source = write_source(Path(tmp) / "source", loci)
        palaces = load_notes([str(source)]).palaces
        stops = sum(len(p.walk) for p in palaces)
        assert stops == loci, stops

        def first() -> object:
            return render_decks(palaces, None, now=NOW)

        cold = [timed(first) for _ in range(RUNS)]
        warm = [timed(first, markdown_cold=False) for _ in range(RUNS)]

        # The build whose deck and memo the rebuilds start from.
        memo, reuse = Memo("bench"), Reuse()
        with markup.remembering(memo.table("inline")):
            out = render_decks(palaces, None, now=NOW, memo=memo, reuse=reuse)
        saved = memo.dumps()
        previous = Path(tmp) / "site"
        previous.mkdir()
        for name, data in out.files.items():
            (previous / name).write_bytes(data)

        def rebuild(palaces: tuple[Palace, ...], with_memo: bool, keep: bool = False) -> DeckOutput:
            memo = loaded(saved) if with_memo else None
            keeping = Reuse(reuse.keys) if keep else None
            remembering = markup.remembering(memo.table("inline")) if memo else nullcontext()
            with remembering:
                return render_decks(palaces, previous, now=NOW + 60, memo=memo, reuse=keeping)

        kept = [timed(lambda: rebuild(palaces, True, keep=True)) for _ in range(RUNS)]
        unchanged = [timed(lambda: rebuild(palaces, True)) for _ in range(RUNS)]
        again = rebuild(palaces, True)
        assert again.files == out.files, "an unchanged rebuild must give the same bytes"

        changed = edited(source)
        one_edit = [timed(lambda: rebuild(changed, True)) for _ in range(RUNS)]
        no_memo = [timed(lambda: rebuild(changed, False)) for _ in range(RUNS)]
        remembered, unremembered = rebuild(changed, True), rebuild(changed, False)
        assert remembered.files == unremembered.files
        print(remembered.summary_lines()[0])

        size = sum(len(data) for data in out.files.values())
        print(f"decks for {stops} stops ({size / 1e6:.2f} MB .apkg)")
        report("import builder.deck in a new process (after records, markup)", imports)
        report("first build, Markdown rendered afresh", cold)
        report("first build, Markdown already rendered", warm)
        report("one edit, previous deck and memo", one_edit)
        breakdown(lambda: rebuild(changed, True))
        report("one edit, previous deck, no memo (Markdown rendered afresh)", no_memo)
        report("unchanged, kept (Reuse)", kept)
        report("unchanged, previous deck and memo, no Reuse", unchanged)
        levels(out.files)


def levels(files: dict[str, bytes]) -> None:
    """Zipping the decks' collections at each zlib level: time and size."""
    with tempfile.TemporaryDirectory() as folder:
        collections = []
        for number, data in enumerate(files.values()):
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                collections.append(Path(folder) / f"{number}.anki2")
                collections[-1].write_bytes(package.read("collection.anki2"))
        for level in (1, 3, 6, 9):
            times, size = [], 0
            for _ in range(RUNS):
                start = time.perf_counter()
                size = 0
                for file in collections:
                    with io.BytesIO() as stream:
                        zipped(stream, file, (), level)
                        size += stream.tell()
                times.append(time.perf_counter() - start)
            report(f"zip at level {level} ({size / 1e6:.2f} MB)", times)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
