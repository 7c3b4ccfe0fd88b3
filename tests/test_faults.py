"""Faults: killed, interrupted and concurrent builds, and output that cannot be written.

Whatever happens, the output folder is byte for byte either the last good build or the new
one, and a build that cannot write says so in one line naming the path and the cause.
Root ignores file modes, so "cannot write" is made for real: small tmpfs mounts remounted
read-only, read-only bind mounts, `chattr +i`, and a build run without the capabilities that
let root ignore modes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import palace_text

# 20 kills of 10,000 loci, as the issue asks: about 70 s on the 2-core test machine, where a
# first build of 10,000 loci takes about 1.3 s.
LOCI = 10_000
KILLS = 20
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONHASHSEED": "0"}
IN_CI = os.environ.get("CI", "").lower() == "true"
# Files the build never wrote, which it must never delete: a custom domain, the owner's notes
# beside the built pages and inside a folder the build writes into.
FOREIGN = {"CNAME": b"palace.example.org\n", "extra/mine.txt": b"mine", "palace/mine.txt": b"x"}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def palace_build(
    project: Path, *args: str, prefix: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "builder", "build", *args],
        cwd=project,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


def add_foreign_files(site: Path) -> None:
    for name, data in FOREIGN.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)


@dataclass
class Versions:
    """A project, its notes in two versions and the output folder each builds (the owner's
    files included); `seconds`: how long a whole build from one to the other takes here, and
    `writing` how long of it is spent after it starts assembling the new folder."""

    project: Path
    notes: tuple[str, str]
    sites: tuple[dict[str, bytes], dict[str, bytes]]
    lengths: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.lengths[0]

    def write_notes(self, version: int) -> None:
        (self.project / "source" / "palace.md").write_text(self.notes[version], encoding="utf-8")


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    project = tmp_path_factory.mktemp("faults")
    (project / "source").mkdir()
    old = palace_text(LOCI)
    new = old.replace("weights", "Gewichte", 40) + "\n## Neuer Raum\n\n- Tür 9999: Epoch: new\n"
    made = Versions(project, (old, new), ({}, {}))
    made.write_notes(0)
    finish(palace_build(project))
    add_foreign_files(project / "site")
    first = tree(project / "site")
    shutil.copytree(project / "site", project / "first-site")
    made.write_notes(1)
    restore_first(project, random.Random(0))
    _, made.lengths = timed_build(project)
    made.sites = (first, tree(project / "site"))
    assert first != made.sites[1] and "palace.apkg" in first
    assert all(made.sites[1][name] == data for name, data in FOREIGN.items())
    return made


PHASES = ("start", "staging", "swap")  # a build from its start, from the staging folder's
# appearance (assembling the new folder in the spare), from the swap (saving the record)


def phases(project: Path, process: subprocess.Popen[bytes], last: str = "swap") -> list[float]:
    """Wait for `process` to reach each phase up to `last`; when it did (or, once it has
    ended, when it ended)."""
    site, staging = project / "site", project / ".palace-cache" / f"staging-site-{process.pid}"
    before = site.stat().st_ino
    reached = [
        lambda: True,
        staging.exists,
        lambda: site.stat().st_ino != before,
    ][: PHASES.index(last) + 1]
    times = []
    for arrived in reached:
        while process.poll() is None and not arrived():
            time.sleep(0.002)
        times.append(time.perf_counter())
    return times


def timed_build(project: Path) -> tuple[str, list[float]]:
    """Build; its output, and how long it took from the start of each phase to its end."""
    process = palace_build(project)
    times = phases(project, process)
    output = finish(process)
    ended = time.perf_counter()
    return output, [ended - began for began in times]


def forget_builds(project: Path) -> None:
    """Drop what builds remember (record, memo), so that the next one renders everything."""
    shutil.rmtree(project / ".palace-cache", ignore_errors=True)


def cache_leftovers(project: Path) -> list[str]:
    """What builds left in `.palace-cache/` besides the lock, the record, the memo and the
    spare (the folder the last build swapped out, where the next one is assembled)."""
    cache = project / ".palace-cache"
    expected = {".gitignore", "site.lock", "site.json", "site.memo", "spare-site"}
    return (
        sorted(p.name for p in cache.iterdir() if p.name not in expected) if cache.exists() else []
    )


def restore_first(project: Path, rng: random.Random | None = None) -> None:
    """The first site again, and what builds remember forgotten (so that the next build
    renders everything); with `rng`, a spare damaged at random (`damage_spare`)."""
    shutil.rmtree(project / "site")
    shutil.copytree(project / "first-site", project / "site")
    forget_builds(project)
    if rng is not None:
        damage_spare(project, rng)


def damage_spare(project: Path, rng: random.Random) -> None:
    """A spare as a build would leave it (the output folder's files, as hard links), then
    damaged as a killed build or a person could: files with other bytes, hard links to another
    file of the output folder, missing, or a folder; folders missing, a file, or a symbolic
    link to the output folder's own; files and folders too many. The next build must still
    make exactly its site from it, and never change a file of the output folder."""
    site, spare = project / "site", project / ".palace-cache" / "spare-site"
    shutil.copytree(site, spare, copy_function=os.link)
    files = sorted(p.relative_to(spare) for p in spare.rglob("*") if p.is_file())
    folders = sorted(p.relative_to(spare) for p in spare.rglob("*") if p.is_dir())
    for name in rng.sample(files, 24):
        path = spare / name
        path.unlink()
        damage = rng.randrange(4)
        if damage == 0:
            path.write_bytes(b"stale")
        elif damage == 1:
            os.link(site / rng.choice(files), path)
        elif damage == 2:
            path.mkdir()
            (path / "stale.html").write_bytes(b"stale")
    for name in rng.sample(folders, 3):
        path = spare / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
            damage = rng.randrange(3)
            if damage == 1:
                path.write_bytes(b"a file")
            elif damage == 2:
                path.symlink_to(site / name, target_is_directory=True)
    (spare / "stray").mkdir(exist_ok=True)
    (spare / "stray" / "index.html").write_bytes(b"stray")
    (spare / "stray.html").write_bytes(b"stray")


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*")}


# -- what a whole build must be: pages whose links land, decks that open ----------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("href", "src") and v]


def broken_links(files: dict[str, bytes]) -> list[str]:
    broken = []
    for page in (name for name in files if name.endswith(".html")):
        parser = _Links()
        parser.feed(files[page].decode("utf-8"))
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:  # external, or a fragment
                continue
            base = "" if page == "404.html" else posixpath.dirname(page)  # 404: from the root
            target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
            if target not in files and f"{target}/index.html" not in files:
                broken.append(f"{page}: {url}")
    return broken


def open_deck(data: bytes, folder: Path) -> int:
    """The number of notes in an `.apkg`, read as Anki would: a zip holding an SQLite file."""
    with zipfile.ZipFile(_bytes_file(data, folder / "deck.apkg")) as deck:
        assert deck.testzip() is None
        name = next(n for n in ("collection.anki21", "collection.anki2") if n in deck.namelist())
        (folder / name).write_bytes(deck.read(name))
    with contextlib.closing(sqlite3.connect(folder / name)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return int(db.execute("SELECT count(*) FROM notes").fetchone()[0])


def _bytes_file(data: bytes, path: Path) -> Path:
    path.write_bytes(data)
    return path


def import_into_anki(apkg: bytes, folder: Path) -> int:
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    package = _bytes_file(apkg, folder / "import.apkg")
    (folder / "anki").mkdir()
    collection = Collection(str(folder / "anki" / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions()
        )
        return len(collection.import_anki_package(request).log.new)
    finally:
        collection.close()


@pytest.fixture(scope="module")
def check_whole_build() -> Callable[[dict[str, bytes]], str]:
    """Check that an output folder is a whole build; the same bytes are checked once."""
    checked: dict[str, str] = {}

    def check(files: dict[str, bytes]) -> str:
        digest = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()
        if digest not in checked:
            assert broken_links(files) == []
            decks = [name for name in files if name.endswith(".apkg")]
            assert decks
            with tempfile.TemporaryDirectory() as folder:
                notes = {name: open_deck(files[name], Path(folder)) for name in decks}
                assert import_into_anki(files[decks[0]], Path(folder)) == notes[decks[0]]
            checked[digest] = f"{len(notes)} deck(s), {sum(notes.values())} notes"
        return checked[digest]

    return check


# -- killed, interrupted, concurrent ----------------------------------------------------------


def kill_moments(rng: random.Random) -> list[tuple[str, float]]:
    """KILLS random moments, each in a phase of a build (as a fraction of its length): 8
    anywhere in the build, 6 while it assembles the new folder in the spare (from the staging
    folder's appearance to the swap), 6 after the swap."""
    counts = {"start": KILLS - 2 * (KILLS * 3 // 10), "staging": KILLS * 3 // 10}
    counts["swap"] = KILLS - sum(counts.values())
    moments = [
        (phase, 0.02 + (i + rng.random()) * 1.0 / n)
        for phase, n in counts.items()
        for i in range(n)
    ]
    rng.shuffle(moments)
    return moments


@pytest.mark.slow
def test_kill_9_at_random_moments_leaves_one_whole_build(
    versions: Versions, check_whole_build: Callable[[dict[str, bytes]], str]
) -> None:
    """Each build goes from the first version to the second and is killed; the output folder
    must then be one of the two, byte for byte, so pages and decks come from the same build
    (what a whole build must be is checked once per distinct one). The decks depend on the
    previous ones (each note keeps its `mod`), so each build starts from the first site, with
    a spare damaged anew; killed before the swap, the output folder must be the very same files
    (a build assembles its folder in the spare, but never writes into a file they share)."""
    project = versions.project
    versions.write_notes(1)
    lengths = [versions.lengths]  # of each phase of whole builds, timed as they run
    rows = []
    for number, (phase, fraction) in enumerate(kill_moments(random.Random(8)), 1):
        restore_first(project, random.Random(number))  # render everything: the longest build
        before = inodes(project / "site")
        process = palace_build(project)
        phases(project, process, last=phase)
        index = PHASES.index(phase)
        length = statistics.median(
            times[index] - (times[index + 1] if phase == "staging" else 0.0)
            for times in lengths[-5:]
        )
        moment = fraction * length
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.communicate()  # reap it and close its pipes
        killed = process.returncode == -signal.SIGKILL  # else it had finished already
        now = tree(project / "site")
        assert now in versions.sites, f"kill {number}: the output folder mixes two builds"
        state = "new" if now == versions.sites[1] else "old"
        assert state == "new" or inodes(project / "site") == before, f"kill {number}"
        check_whole_build(now)
        left = cache_leftovers(project)
        recorded = (project / ".palace-cache" / "site.json").exists()
        output, times = timed_build(project)  # the next build recovers by itself
        if state == "old":  # a whole build again
            lengths.append(times)
        assert tree(project / "site") == versions.sites[1]  # the owner's files too
        assert cache_leftovers(project) == []
        said = re.search(r"cleaned up after an interrupted build: (.*)", output)
        cleaned = sorted(Path(p).name for p in said[1].split(", ")) if said else []
        assert cleaned == left, output  # it says what it cleaned, and cleans only that
        summary = "nothing changed" if "(nothing changed)" in output else _files_line(output)
        at = f"{phase}+{moment:.2f} s"
        rows.append((number, at, killed, state, recorded, left, summary))
    table = _table(rows, [statistics.median(times) for times in zip(*lengths, strict=True)])
    print(table)
    (REPO / "tests" / "artifacts").mkdir(exist_ok=True)
    (REPO / "tests" / "artifacts" / "kill-table.txt").write_text(table, encoding="utf-8")
    states = [row[3] for row in rows if row[2]]
    assert "old" in states and "new" in states  # kills landed before and after the swap
    assert len(states) >= KILLS // 2  # most of them while the build ran


def _files_line(output: str) -> str:
    line = next(line for line in output.splitlines() if "files:" in line)
    return line.split("files:")[1].split(";")[0].strip()


def _table(
    rows: list[tuple[int, str, bool, str, bool, list[str], str]], lengths: list[float]
) -> str:
    whole, writing, swapped = lengths
    lines = [
        f"{KILLS} kills of a {LOCI:,}-locus build, which takes {whole:.1f} s here: "
        f"{whole - writing:.2f} s to render, {writing - swapped:.2f} s to assemble the new folder "
        f"in the spare (staging), {swapped:.2f} s from the swap to the end",
        "site: the build before (old) or the killed one (new); record: what the next build "
        "reads to tell whether anything changed",
        f"{'kill':>4}  {'at':>14}  {'killed':<8}  {'site':<4}  {'record':<6}  "
        f"{'left in .palace-cache':<22}  next build",
    ]
    for number, at, killed, state, recorded, left, summary in rows:
        shown = ", ".join(re.sub(r"-\d+", "-<pid>", name) for name in left) or "-"
        lines.append(
            f"{number:>4}  {at:>14}  {'yes' if killed else 'finished':<8}  {state:<4}  "
            f"{'yes' if recorded else 'no':<6}  {shown:<22}  "
            f"{('cleaned it; ' if left else '') + summary}"
        )
    return "\n".join(lines) + "\n"


def test_two_builds_at_once_both_succeed_and_leave_one_build(versions: Versions) -> None:
    project = versions.project
    versions.write_notes(1)
    restore_first(project)
    processes = [palace_build(project), palace_build(project)]
    for process in processes:
        finish(process)
    assert tree(project / "site") == versions.sites[1]
    assert cache_leftovers(project) == []


def until_cpu(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait until `process` has used `seconds` of CPU time (or has ended)."""
    ticks = os.sysconf("SC_CLK_TCK")
    while process.poll() is None:
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            if (int(stat[11]) + int(stat[12])) / ticks >= seconds:  # utime + stime
                return
        time.sleep(0.005)


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_one_whole_build(versions: Versions) -> None:
    project, (first, second) = versions.project, versions.sites
    versions.write_notes(1)
    rng = random.Random(130)
    interrupted = 0
    for _ in range(6):
        restore_first(project)
        process = palace_build(project)
        # In CPU time: Ctrl-C while Python is still importing palace (~0.1 s of CPU, longer
        # in wall time on a busy machine) ends in Python's own traceback, before palace runs.
        until_cpu(process, rng.uniform(0.3, versions.seconds * 0.8))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        if b"built " in out:  # finished before the signal (or it hit Python's own shutdown,
            assert tree(project / "site") == second  # where Ctrl-C ends the process at once)
            continue
        assert (process.returncode, err.decode()) == (130, "palace: interrupted\n")
        assert tree(project / "site") in (first, second)
        assert cache_leftovers(project) == []
        interrupted += 1
    assert interrupted >= 2


# -- output that cannot be written ------------------------------------------------------------


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def cannot(reason: str) -> None:
    """Skip a test this machine cannot set up; in CI (a root machine like this one) fail."""
    if IN_CI:
        pytest.fail(reason)
    print(f"skipping: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def mounted(target: Path, *options: str, source: str = "tmpfs") -> Iterator[Path]:
    """`mount` for the block (a tmpfs by default), unmounted afterwards whatever happens."""
    result = _run(["mount", *options, source, str(target)])
    if result.returncode != 0:
        cannot(f"cannot mount here: {result.stderr.strip() or result.returncode}")
    try:
        yield target
    finally:
        _run(["umount", "-l", str(target)])


def _mount_small_disk(folder: Path, size: str) -> contextlib.AbstractContextManager[Path]:
    folder.mkdir()
    return mounted(folder, "-t", "tmpfs", "-o", f"size={size}")


def test_full_disk_is_one_clear_line_and_keeps_the_last_good_build(tmp_path: Path) -> None:
    with _mount_small_disk(tmp_path / "disk", "1m") as disk:
        project = disk / "project"
        (project / "source").mkdir(parents=True)
        notes = project / "source" / "palace.md"
        notes.write_text(palace_text(60), encoding="utf-8")
        finish(palace_build(project))
        before = tree(project / "site")
        notes.write_text(palace_text(3000), encoding="utf-8")  # a site several MB big
        process = palace_build(project)
        _, err = process.communicate(timeout=120)
        lines = err.decode().splitlines()
        assert process.returncode == 1 and len(lines) == 1, err.decode()
        assert re.fullmatch(
            r"palace: error: site/\S+: cannot write: No space left on device", lines[0]
        )
        assert tree(project / "site") == before
        assert cache_leftovers(project) == []


SMALL = palace_text(60)
EDITED = SMALL.replace("weights", "Gewichte") + "\n## Neuer Raum\n\n- Tür 99: Epoch: new\n"


@pytest.fixture(scope="module")
def last_good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project built once, with the owner's files in its output folder."""
    project = tmp_path_factory.mktemp("last-good") / "project"
    (project / "source").mkdir(parents=True)
    (project / "source" / "palace.md").write_text(SMALL, encoding="utf-8")
    finish(palace_build(project))
    add_foreign_files(project / "site")
    return project


def chattr(flag: str, path: Path) -> Callable[[], object]:
    result = _run(["chattr", flag, str(path)])
    if result.returncode != 0:
        cannot(f"chattr {flag} does not work here: {result.stderr.strip() or result.returncode}")
    return lambda: _run(["chattr", flag.replace("+", "-"), str(path)])


def bind(path: Path, *options: str) -> Callable[[], object]:
    """Bind-mount `path` onto itself (read-only with "ro"); returns the undo."""
    stack = contextlib.ExitStack()
    stack.enter_context(mounted(path, "--bind", source=str(path)))
    if options:
        result = _run(["mount", "-o", f"remount,bind,{','.join(options)}", str(path)])
        if result.returncode != 0:
            stack.close()
            cannot(f"cannot remount {','.join(options)}: {result.stderr.strip()}")
    return stack.close


def swap_in_folder(make: Callable[[Path], object]) -> Callable[[Path], Callable[[], object]]:
    """A fault that puts something else where the build writes; the undo puts the file back."""

    def fault(path: Path) -> Callable[[], object]:
        aside = path.with_name(path.name + ".aside")
        path.rename(aside)
        make(path)

        def undo() -> None:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            aside.rename(path)

        return undo

    return fault


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """`tmp_path`, freed afterwards of mounts and `chattr` flags the undo of a fault missed
    (a build that moved them away), so that pytest can delete it."""
    yield tmp_path
    mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    for point in sorted((line.split(" ")[4] for line in mounts), reverse=True):
        if point.startswith(f"{tmp_path}/"):
            _run(["umount", "-l", point])
    if shutil.which("chattr"):
        _run(["chattr", "-R", "-f", "-i", "-a", str(tmp_path)])


# (where, the fault, the one line the build must print)
FAULTS: dict[str, tuple[str, Callable[[Path], Callable[[], object]], str]] = {
    "output folder read-only bind mount": (
        "site",
        lambda path: bind(path, "ro"),
        "site: cannot write: Read-only file system",
    ),
    "output folder a mount point": (
        "site",
        bind,
        "site: cannot write: the output folder is a mount point (a build replaces the whole "
        "folder); build into a folder inside it",
    ),
    "deck read-only bind mount": (
        "site/palace.apkg",
        lambda path: bind(path, "ro"),
        "site/palace.apkg: cannot write: a file system is mounted there (a build replaces the "
        "whole output folder)",
    ),
    "deck immutable": (
        "site/palace.apkg",
        lambda path: chattr("+i", path),
        "site/palace.apkg: cannot write: the file is immutable (chattr +i)",
    ),
    "page append-only": (
        "site/index.html",
        lambda path: chattr("+a", path),
        "site/index.html: cannot write: the file is append-only (chattr +a)",
    ),
    "owner's file immutable": (
        "site/CNAME",
        lambda path: chattr("+i", path),
        "site/CNAME: cannot write: the file is immutable (chattr +i)",
    ),
    "output folder immutable": (
        "site",
        lambda path: chattr("+i", path),
        "site: cannot write: the folder is immutable (chattr +i)",
    ),
    "a folder of it immutable": (
        "site/assets",
        lambda path: chattr("+i", path),
        "site/assets: cannot write: the folder is immutable (chattr +i)",
    ),
    "cache folder immutable": (
        ".palace-cache",
        lambda path: chattr("+i", path),
        ".palace-cache: cannot write: the folder is immutable (chattr +i)",
    ),
    "deck path a folder": (
        "site/palace.apkg",
        swap_in_folder(lambda path: (path.mkdir(), (path / "mine.txt").write_text("x"))),
        "site/palace.apkg: cannot write: a folder is in the way (the build writes a file there)",
    ),
    "a file where the build writes a folder": (
        "site/assets",
        swap_in_folder(lambda path: path.write_text("a file")),
        "site/assets: cannot write: a file is in the way (the build writes a folder there)",
    ),
}


def assert_refused(project: Path, line: str, *args: str, prefix: tuple[str, ...] = ()) -> None:
    """The build exits 1 with exactly `line` (no traceback) and leaves `site/` as it was."""
    before = tree(project / "site")
    process = palace_build(project, *args, prefix=prefix)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, err.decode()) == (1, f"palace: error: {line}\n"), out.decode()
    assert tree(project / "site") == before, "the last good build changed"
    assert cache_leftovers(project) == []


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_output_that_cannot_be_written_is_one_clear_line_and_keeps_the_last_good_build(
    last_good: Path, scratch: Path, fault: str
) -> None:
    where, make, line = FAULTS[fault]
    project = scratch / "project"
    shutil.copytree(last_good, project, symlinks=True)
    (project / "source" / "palace.md").write_text(EDITED, encoding="utf-8")
    before = tree(project / "site")
    undo = make(project / where)
    try:
        assert_refused(project, line)
    finally:
        undo()
    assert tree(project / "site") == before
    finish(palace_build(project))  # with the fault gone, the build goes through
    assert tree(project / "site") != before
    assert all(tree(project / "site")[name] == data for name, data in FOREIGN.items())


def test_a_file_system_mounted_in_the_spare_is_one_clear_line(
    last_good: Path, scratch: Path
) -> None:
    """The next build is assembled in the spare, in place: what is mounted there would be
    changed (here the output folder's own assets, which it would empty)."""
    project = scratch / "project"
    shutil.copytree(last_good, project, symlinks=True)
    notes = project / "source" / "palace.md"
    notes.write_text(EDITED, encoding="utf-8")
    finish(palace_build(project))  # the first build, swapped out, is now the spare
    spare = project / ".palace-cache" / "spare-site"
    notes.write_text(SMALL, encoding="utf-8")
    with mounted(spare / "assets", "--bind", source=str(project / "site" / "assets")):
        assert_refused(
            project,
            ".palace-cache/spare-site/assets: cannot write: a file system is mounted there "
            "(palace assembles the next build of the output folder in this one)",
        )
    finish(palace_build(project))  # unmounted, the build goes through


def test_a_locked_folder_in_the_spare_is_one_clear_line_naming_it(
    last_good: Path, scratch: Path
) -> None:
    """Something in the spare the build may not change is named where it is, not as the
    output file it would have become, and the spare stays where it is named."""
    project = scratch / "project"
    shutil.copytree(last_good, project, symlinks=True)
    notes = project / "source" / "palace.md"
    notes.write_text(EDITED, encoding="utf-8")
    finish(palace_build(project))  # the first build, swapped out, is now the spare
    notes.write_text(SMALL, encoding="utf-8")  # its study data, rendered again, go in assets/
    undo = chattr("+i", project / ".palace-cache" / "spare-site" / "assets")
    try:
        assert_refused(
            project,
            ".palace-cache/spare-site/assets: cannot write: the folder is immutable (chattr +i)",
        )
    finally:
        undo()
    finish(palace_build(project))


def test_a_read_only_file_system_is_one_clear_line(last_good: Path, scratch: Path) -> None:
    with _mount_small_disk(scratch / "disk", "8m") as disk:
        project = disk / "project"
        shutil.copytree(last_good, project, symlinks=True)
        (project / "source" / "palace.md").write_text(EDITED, encoding="utf-8")
        result = _run(["mount", "-o", "remount,ro", str(disk)])
        assert result.returncode == 0, result.stderr
        assert_refused(project, "site: cannot write: Read-only file system")
        assert_refused(project, "site: cannot write: Read-only file system", "--full")
        _run(["mount", "-o", "remount,rw", str(disk)])
        finish(palace_build(project))


def test_an_output_path_below_a_file_is_one_clear_line(last_good: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(last_good, project, symlinks=True)
    (project / "notes.txt").write_text("not a folder")
    assert_refused(
        project,
        "notes.txt: cannot write: a file is in the way (the build writes a folder there)",
        "--out",
        "notes.txt/site",
    )
    assert_refused(project, "notes.txt: the output path is not a folder", "--out", "notes.txt")


def _without_root_powers() -> tuple[str, ...]:
    """Run as root without the capabilities that let it ignore file modes (as a user would);
    nothing to add when not root."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        cannot("setpriv (util-linux) is not installed")
    return ("setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search,-fowner")


@pytest.mark.parametrize(
    ("folder", "line"),
    [
        ("site", "site: cannot write: Permission denied"),
        (".palace-cache", ".palace-cache: cannot write: Permission denied"),
    ],
)
def test_a_folder_without_write_permission_is_one_clear_line(
    last_good: Path, tmp_path: Path, folder: str, line: str
) -> None:
    project = tmp_path / "project"
    shutil.copytree(last_good, project, symlinks=True)
    (project / "source" / "palace.md").write_text(EDITED, encoding="utf-8")
    (project / folder).chmod(0o555)
    try:
        assert_refused(project, line, prefix=_without_root_powers())
    finally:
        (project / folder).chmod(0o755)
    finish(palace_build(project))
