"""Whole-process `palace build` of a synthetic palace of N stops: median of 5 runs each.

    python benchmarks/bench_build.py [N]          (default 10000)

Cases, each a fresh `palace build` process, as a user runs it:
  cold      no output folder, no cache: everything parsed, rendered and written; also its peak
            memory (the largest resident set of the cold builds)
  no-op     nothing changed since the last build (target < 0.2 s for 10,000)
  one edit  one locus' concept changed, a different one each run (target < 0.25 s)
and, for comparison, the same one edit rebuilt in a warm process, as `palace serve` does.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import write_source

RUNS = 5
TARGETS = {"no-op": 0.2, "one edit": 0.25}  # seconds, for 10,000 stops


def command() -> list[str]:
    """The `palace` script installed beside this Python, else `python -m builder`."""
    script = Path(sys.executable).with_name("palace")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "builder"]


def timed_build(project: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([*command(), "build", "-q", *args], cwd=project, check=True)
    return time.perf_counter() - start


def edit(notes: Path, number: int) -> None:
    """Change the concept of the `number`th locus line (a real change every time)."""
    lines = notes.read_text(encoding="utf-8").split("\n")
    loci = [i for i, line in enumerate(lines) if line.startswith("- ")]
    index = loci[(number * 7919) % len(loci)]
    place, concept, rest = lines[index].split(": ", 2)
    lines[index] = f"{place}: {concept} edited {number}: {rest}"
    notes.write_text("\n".join(lines), encoding="utf-8")


def report(label: str, times: list[float], stops: int) -> None:
    median = statistics.median(times)
    target = TARGETS.get(label)
    verdict = ""
    if target is not None and stops == 10_000:
        verdict = f"  target < {target} s: {'ok' if median < target else 'MISSED'}"
    print(
        f"{label:>22}: median {median:.3f} s (min {min(times):.3f}, max {max(times):.3f}, "
        f"{len(times)} runs){verdict}"
    )


def in_process_edits(project: Path, notes: Path) -> list[float]:
    """One edit rebuilt in a process that has built before (templates compiled, caches warm)."""
    from builder.build import build_project

    cwd = os.getcwd()
    os.chdir(project)
    try:
        build_project(full=True)
        times = []
        for number in range(100, 100 + RUNS):
            edit(notes, number)
            start = time.perf_counter()
            outcome = build_project()
            times.append(time.perf_counter() - start)
            assert outcome.report is not None
    finally:
        os.chdir(cwd)
    return times


def main(stops: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        write_source(project / "source", stops)
        (notes,) = (project / "source").iterdir()
        cold = []
        for _ in range(RUNS):
            shutil.rmtree(project / "site", ignore_errors=True)
            shutil.rmtree(project / ".palace-cache", ignore_errors=True)
            cold.append(timed_build(project))
        # only the cold builds have ended so far: the largest of them (kilobytes on Linux)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        noop = [timed_build(project) for _ in range(RUNS)]
        one_edit = []
        for number in range(RUNS):
            edit(notes, number)
            time.sleep(0.05)  # not "racily clean": a real edit is older than the build
            one_edit.append(timed_build(project))
        warm = in_process_edits(project, notes)
        files = sum(1 for p in (project / "site").rglob("*") if p.is_file())
    print(f"palace build, {stops} stops, {files} files, whole process ({' '.join(command())})")
    report("cold", cold, stops)
    print(f"{'cold, peak memory':>22}: {peak:.0f} MB (largest resident set)")
    report("no-op", noop, stops)
    report("one edit", one_edit, stops)
    report("one edit, warm process", warm, stops)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
