"""Killed and concurrent builds never leave a mix of two builds in the output folder."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import palace_text

LOCI = 3000
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONHASHSEED": "0"}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def palace_build(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "builder", "build"],
        cwd=project,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    return out.decode()


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, dict, dict]:
    """A project, the notes of two versions, and the output folders they build to."""
    project = tmp_path_factory.mktemp("faults")
    notes = project / "source" / "palace.md"
    notes.parent.mkdir()
    old = palace_text(LOCI)
    new = old.replace("weights", "Gewichte", 40) + "\n## Neuer Raum\n\n- Tür 9999: Epoch: new\n"
    notes.write_text(old, encoding="utf-8")
    finish(palace_build(project))
    first = tree(project / "site")
    shutil.copytree(project / "site", project / "first-site")
    notes.write_text(new, encoding="utf-8")
    finish(palace_build(project))
    second = tree(project / "site")
    assert first != second and "palace.apkg" in first
    return project, old, new, first, second


def staging_dirs(project: Path) -> list[str]:
    cache = project / ".palace-cache"
    return sorted(p.name for p in cache.iterdir() if "staging" in p.name) if cache.is_dir() else []


def restore_first(project: Path) -> None:
    shutil.rmtree(project / "site")
    shutil.copytree(project / "first-site", project / "site")
    shutil.rmtree(project / ".palace-cache", ignore_errors=True)  # forget the last build


def test_kill_9_at_random_moments_leaves_one_whole_build(versions) -> None:
    project, _, new, first, second = versions
    (project / "source" / "palace.md").write_text(new, encoding="utf-8")
    rng = random.Random(8)
    seen = {"old": 0, "new": 0}
    for _ in range(12):
        restore_first(project)
        process = palace_build(project)
        time.sleep(rng.uniform(0.2, 2.0))
        process.send_signal(signal.SIGKILL)
        process.communicate()  # reap it and close its pipes
        now = tree(project / "site")
        assert now in (first, second), "the output folder mixes two builds"
        seen["old" if now == first else "new"] += 1
        output = finish(palace_build(project))  # the next build recovers by itself
        assert tree(project / "site") == second
        assert staging_dirs(project) == [], output
    print(f"kills: {seen['old']} left the previous build, {seen['new']} the new one")
    assert seen["old"] and seen["new"]  # kills landed both before and after the swap


def test_two_builds_at_once_both_succeed_and_leave_one_build(versions) -> None:
    project, _, new, _, second = versions
    (project / "source" / "palace.md").write_text(new, encoding="utf-8")
    restore_first(project)
    processes = [palace_build(project), palace_build(project)]
    for process in processes:
        finish(process)
    assert tree(project / "site") == second
    assert staging_dirs(project) == []


def test_ctrl_c_exits_130_with_one_line_and_one_whole_build(versions) -> None:
    project, _, new, first, second = versions
    (project / "source" / "palace.md").write_text(new, encoding="utf-8")
    rng = random.Random(130)
    interrupted = 0
    for _ in range(6):
        restore_first(project)
        process = palace_build(project)
        time.sleep(rng.uniform(0.25, 0.9))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        if b"built " in out:  # finished before the signal (or it hit Python's own shutdown,
            assert tree(project / "site") == second  # where Ctrl-C ends the process at once)
            continue
        assert (process.returncode, err.decode()) == (130, "palace: interrupted\n")
        assert tree(project / "site") in (first, second)
        assert staging_dirs(project) == []
        interrupted += 1
    assert interrupted >= 2


def _mount_small_disk(folder: Path, size: str) -> None:
    folder.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        reason = f"cannot mount a small tmpfs here: {result.stderr.strip() or result.returncode}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        print(f"skipping: {reason}")
        pytest.skip(reason)


def test_full_disk_is_one_clear_line_and_keeps_the_last_good_build(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    _mount_small_disk(disk, "1m")
    try:
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
        assert lines[0].startswith("palace: error: ")
        assert lines[0].endswith(": cannot write: No space left on device")
        assert tree(project / "site") == before
        assert staging_dirs(project) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)
