"""Whole-process timings of Palace, and of mkdocs and md2anki on the same content.

    python benchmarks/run.py                       # 100 … 50,000 loci, peers, writes BENCHMARKS.md
    python benchmarks/run.py --sizes 100 --runs 1 --no-peers --output /tmp/b.md   # a smoke run

Each case runs `palace` as a user does (a new process each time), once to warm the file cache,
then `--runs` times; the table shows the median, and the peak memory (max RSS) of the cold
build and of the largest kind of run. Palace and its peers each run in their own virtual
environment under `--work`, as an owner installs them (Palace from this checkout, mkdocs with
this Python, md2anki with Python ≥ 3.12 from pyenv): what this Python's own site-packages load
at start-up (editable installs, a `.pth` of the machine's) is nobody's start-up but this
machine's. `--this-python` runs Palace with this Python instead (the smoke test).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import write_source  # noqa: E402
from peers import Peer, peers  # noqa: E402

TARGETS = {  # seconds at 10,000 loci, median (issue 13: simplify)
    "no-op build": 0.1,
    "check": 0.15,
    "serve edit": 0.3,  # in `palace serve`: save → the reload signal reaches the open page
}
MKDOCS_RATIO_TARGET = 4  # cold build of 10,000 loci ≤ mkdocs' time ÷ 4
PYCACHE = Path("/tmp/palace-bench-pycache")
ANALYSIS = "<!-- analysis: written by hand from profiles; kept when the tables are regenerated -->"
PEAK_MEMORY_TARGET_MB = 150  # at 50,000 loci


def environment(executable: str) -> dict[str, str]:
    """The environment `executable` runs in. Python's compiled bytecode is kept between runs, as
    after an install, even where the environment says not to write it (PYTHONDONTWRITEBYTECODE):
    in a virtual environment pip compiled it; for this Python it goes to `PYCACHE`."""
    found = {**os.environ}
    found.pop("PYTHONDONTWRITEBYTECODE", None)
    if executable == sys.executable:  # `--this-python`
        found["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return found


@dataclass(frozen=True)
class Timing:
    seconds: float  # median
    peak_mb: float  # largest max RSS seen
    runs: int
    note: str = ""


def run_once(argv: Sequence[str], cwd: Path, timeout: float | None = None) -> tuple[float, float]:
    """Wall time and max RSS (MB) of one process; raises TimeoutError past `timeout`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=environment(argv[0]), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            raise TimeoutError(f"{argv[0]} took longer than {timeout:.0f} s")
        time.sleep(0.002)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        raise RuntimeError(f"{' '.join(argv)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def measure(
    argv: Sequence[str],
    cwd: Path,
    runs: int,
    before: Callable[[int], None] = lambda _: None,
    timeout: float | None = None,
) -> Timing:
    """Median of `runs` runs after one warm-up; `before(i)` prepares run i (i = 0: warm-up)."""
    times, peaks = [], []
    for i in range(runs + 1):
        before(i)
        seconds, peak = run_once(argv, cwd, timeout)
        if i:
            times.append(seconds)
            peaks.append(peak)
    return Timing(statistics.median(times), max(peaks), runs)


def palace_python(work: Path) -> str:
    """The Python of a virtual environment holding Palace as installed from this checkout
    (made on first use, Palace installed again on every run, so the code measured is this)."""
    folder = work / "venv-palace"
    python = folder / "bin" / "python"
    if python.exists():  # the dependencies are there: Palace again, as this checkout has it
        again = ["--force-reinstall", "--no-deps"]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        again = []
    subprocess.run([str(python), "-m", "pip", "install", "-q", *again, str(REPO)], check=True)
    return str(python)


REPO = HERE.parent


def palace_cases(size: int, work: Path, runs: int, python: str) -> dict[str, Timing]:
    project = work / f"palace-{size}"
    shutil.rmtree(project, ignore_errors=True)
    source = write_source(project / "source", size)
    palace = [python, "-m", "builder"]
    notes = next(source.glob("*.md"))
    original = notes.read_text(encoding="utf-8")
    line_end = original.index("\n", original.index("\n- ") + 1)

    def fresh_output(_: int) -> None:  # as on a fresh clone: no output, nothing remembered
        shutil.rmtree(project / "site", ignore_errors=True)
        shutil.rmtree(project / ".palace-cache", ignore_errors=True)

    def edit_one_locus(i: int) -> None:  # a new description each run: each run is a real edit
        notes.write_text(f"{original[:line_end]} edit {i}{original[line_end:]}", encoding="utf-8")

    results = {"cold build": measure([*palace, "build"], project, runs, fresh_output)}
    notes.write_text(original, encoding="utf-8")
    run_once([*palace, "build"], project)
    results["no-op build"] = measure([*palace, "build"], project, runs)
    results["one-edit build"] = measure([*palace, "build"], project, runs, edit_one_locus)
    notes.write_text(original, encoding="utf-8")
    results["check"] = measure([*palace, "check"], project, runs)
    if size >= SERVE_FROM:
        results.update(serve_edit(project, notes, original, line_end, runs, python))
        notes.write_text(original, encoding="utf-8")
    return results


SERVE_FROM = 10_000  # smaller palaces are not measured in `palace serve`


def serve_edit(
    project: Path, notes: Path, original: str, line_end: int, runs: int, python: str
) -> dict[str, Timing]:
    """In `palace serve` with a page open in headless Chromium, the median time from saving a
    one-description edit to the reload signal reaching the page ("serve edit": the page asks
    for itself again, as issue 13 measures it), and to the reloaded page's load event ("serve
    edit, page loaded": the page and its scripts fetched again). Needs Playwright and Chromium."""
    import socket

    from playwright.sync_api import Request, sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [python, "-m", "builder", "serve", "--port", str(port)],
        cwd=project,
        env=environment(python),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    signalled: list[float] = []
    loaded: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page()
            deadline = time.monotonic() + 120
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/")
                    break
                except Exception:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            page.wait_for_load_state("load")
            asked: list[float] = []

            def reloading(request: Request) -> None:
                if request.is_navigation_request() and not asked:
                    asked.append(time.perf_counter())

            page.on("request", reloading)
            for i in range(runs + 1):
                time.sleep(0.6)  # the watcher has settled after the last build
                asked.clear()
                text = f"{original[:line_end]} serve edit {i}{original[line_end:]}"
                with page.expect_event("load", timeout=30_000):
                    start = time.perf_counter()
                    notes.write_text(text, encoding="utf-8")
                end = time.perf_counter()
                if i:
                    signalled.append(asked[0] - start)
                    loaded.append(end - start)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "serve edit": Timing(statistics.median(signalled), 0.0, runs),
        SERVE_LOADED: Timing(statistics.median(loaded), 0.0, runs),
    }


SERVE_LOADED = "serve edit, page loaded"


def peer_cases(size: int, work: Path, runs: int, available: list[Peer]) -> dict[str, Timing]:
    results: dict[str, Timing] = {}
    project = work / f"palace-{size}"
    for peer in available:
        folder = peer.prepare(project / "source", work / f"{peer.name}-{size}")
        try:
            results[peer.name] = measure(
                peer.command(folder), folder, peer.runs(runs, size), timeout=peer.timeout
            )
        except TimeoutError as error:
            results[peer.name] = Timing(peer.timeout, 0.0, 0, f"capped: {error}")
    return results


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{memory_kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        memory = "unknown RAM"
    return (
        f"{os.cpu_count()} cores ({model}), {memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def fmt(timing: Timing | None) -> str:
    if timing is None:
        return "–"
    if timing.note:
        return f"> {timing.seconds:.0f} s (capped)"
    return f"{timing.seconds:.3f} s"


def report(results: dict[int, dict[str, Timing]], runs: int, isolated: bool = True) -> str:
    cases = ["cold build", "no-op build", "one-edit build", "check", "serve edit", SERVE_LOADED]
    peer_names = sorted({name for row in results.values() for name in row} - set(cases))
    head = ["loci", *cases, "peak, cold build", "peak, any run", *peer_names]
    where = (
        "Palace installed from the checkout into a virtual environment of its own"
        if isolated
        else "Palace run by the Python that ran the benchmark"
    )
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {machine()}. Whole process (`python -m builder …`, a new process per run, "
        f"{where}), median of {runs} runs after one warm-up; peak memory is the max RSS of "
        "the cold build, and the largest of any Palace run at that size. Peers build the same "
        "generated loci: mkdocs the site half (one page per room), md2anki the deck half. "
        "Generated by `benchmarks/run.py`.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for size, row in sorted(results.items()):
        peak = max((t.peak_mb for name, t in row.items() if name in cases), default=0.0)
        cold = row["cold build"].peak_mb if "cold build" in row else 0.0
        cells = [
            f"{size:,}",
            *(fmt(row.get(c)) for c in cases),
            f"{cold:.0f} MB",
            f"{peak:.0f} MB",
            *(fmt(row.get(p)) for p in peer_names),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Targets", ""]
    lines += targets(results)
    return "\n".join(lines) + "\n"


def targets(results: dict[int, dict[str, Timing]]) -> list[str]:
    lines = []
    ten = results.get(10_000)
    if ten:
        mkdocs = ten.get("mkdocs")
        if mkdocs is not None and not mkdocs.note:
            limit = mkdocs.seconds / MKDOCS_RATIO_TARGET
            seconds = ten["cold build"].seconds
            verdict = "met" if seconds <= limit else "missed"
            lines.append(
                f"- cold build of 10,000 loci ≤ mkdocs ÷ {MKDOCS_RATIO_TARGET} "
                f"({limit:.3f} s): {seconds:.3f} s — {verdict}"
            )
        for case, limit in TARGETS.items():
            if case in ten:
                seconds = ten[case].seconds
                verdict = "met" if seconds <= limit else "missed"
                lines.append(f"- {case} of 10,000 loci ≤ {limit} s: {seconds:.3f} s — {verdict}")
    fifty = results.get(50_000)
    if ten and fifty:
        factor = fifty["cold build"].seconds / ten["cold build"].seconds
        lines.append(f"- cold build 50,000 ÷ 10,000: {factor:.2f}")
        peak = fifty["cold build"].peak_mb
        verdict = "met" if peak <= PEAK_MEMORY_TARGET_MB else "missed"
        lines.append(
            f"- peak memory of a cold build of 50,000 loci ≤ {PEAK_MEMORY_TARGET_MB} MB: "
            f"{peak:.0f} MB — {verdict}"
        )
    return lines or ["- (targets are judged at 10,000 and 50,000 loci)"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,1000,10000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--this-python", action="store_true", help="no virtual environment")
    parser.add_argument("--work", type=Path, default=Path("/tmp/palace-bench"))
    parser.add_argument("--output", type=Path, default=HERE.parent / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    available = [] if args.no_peers else peers(args.work)
    python = sys.executable if args.this_python else palace_python(args.work)
    results: dict[int, dict[str, Timing]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = palace_cases(size, args.work, args.runs, python)
        results[size].update(peer_cases(size, args.work, args.runs, available))
        print(
            f"{size:>6} loci: " + ", ".join(f"{k} {fmt(v)}" for k, v in results[size].items()),
            flush=True,
        )
    text = report(results, args.runs, isolated=not args.this_python)
    # What follows the marker in the file (where the time goes, from profiles) is written by
    # hand: keep it
    old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if ANALYSIS in old:
        text += "\n" + old[old.index(ANALYSIS) :]
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
