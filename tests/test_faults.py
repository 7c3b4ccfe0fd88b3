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
        staging = [p.name for p in (project / ".palace-cache").iterdir() if "staging" in p.name]
        assert staging == [], output
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
    assert (
        sorted(p.name for p in (project / ".palace-cache").iterdir() if "staging" in p.name) == []
    )
