"""The tools an owner would use instead, set up in their own virtual environments.

mkdocs builds the site half (the same loci as one page per room); md2anki builds the deck half
(one note per stop). Both get the same generated loci as Palace, converted from its records.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.notes.load import load_notes
from builder.notes.records import Palace

MKDOCS = "mkdocs==1.6.1"
MD2ANKI = "md2anki==3.1.0"
PYTHON_312 = sorted(Path.home().glob(".pyenv/versions/3.1[2-9]*/bin/python3"))


@dataclass(frozen=True)
class Peer:
    name: str
    executable: Path
    args: tuple[str, ...]
    prepare_input: Callable[[tuple[Palace, ...], Path], None]
    timeout: float
    max_runs_over_1000: int  # slow peers: fewer runs at big sizes

    def prepare(self, source: Path, folder: Path) -> Path:
        """Convert the generated notes into this peer's input in `folder`."""
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.prepare_input(load_notes([str(source)]).palaces, folder)
        return folder

    def command(self, folder: Path) -> list[str]:
        return [str(self.executable), *self.args]

    def runs(self, runs: int, size: int) -> int:
        return runs if size <= 1000 else min(runs, self.max_runs_over_1000)


def mkdocs_input(palaces: tuple[Palace, ...], folder: Path) -> None:
    docs = folder / "docs"
    docs.mkdir()
    for palace in palaces:
        for number, room in enumerate(palace.rooms, start=1):
            page = f"{palace.id}-{number:03d}-{room.id}.md"
            lines = [f"# {room.name}", ""]
            for stop in palace.walk:
                if stop.room is room:
                    lines += [
                        f"## {stop.number}. {stop.place}",
                        "",
                        f"**{stop.concept}**: {stop.description}",
                        "",
                    ]
            (docs / page).write_text("\n".join(lines), encoding="utf-8")
    (docs / "index.md").write_text("# Palaces\n", encoding="utf-8")
    (folder / "mkdocs.yml").write_text("site_name: Palaces\n", encoding="utf-8")


def md2anki_input(palaces: tuple[Palace, ...], folder: Path) -> None:
    lines = ["# Palaces", ""]
    for palace in palaces:
        for stop in palace.walk:
            lines += [f"## {stop.place}: {stop.concept}", "", stop.description or "-", ""]
    (folder / "deck.md").write_text("\n".join(lines), encoding="utf-8")


def _venv(folder: Path, python: str, requirement: str, executable: str) -> Path | None:
    binary = folder / "bin" / executable
    if binary.exists():
        return binary
    created = subprocess.run([python, "-m", "venv", str(folder)], capture_output=True)
    if created.returncode == 0:
        installed = subprocess.run(
            [str(folder / "bin" / "pip"), "install", "-q", requirement],
            capture_output=True,
            text=True,
        )
        if installed.returncode == 0 and binary.exists():
            return binary
        print(f"cannot install {requirement}: {installed.stderr[-500:]}", file=sys.stderr)
    return None


def peers(work: Path) -> list[Peer]:
    """The peers that could be set up here; says on stderr why one is missing."""
    found = []
    mkdocs = _venv(work / "venv-mkdocs", sys.executable, MKDOCS, "mkdocs")
    if mkdocs:
        found.append(Peer("mkdocs", mkdocs, ("build", "--quiet"), mkdocs_input, 600, 5))
    if PYTHON_312:
        md2anki = _venv(work / "venv-md2anki", str(PYTHON_312[0]), MD2ANKI, "md2anki")
        if md2anki:
            found.append(
                Peer("md2anki", md2anki, ("deck.md", "-o-anki", "deck.apkg"), md2anki_input, 120, 1)
            )
    else:
        print("md2anki needs Python ≥ 3.12 (pyenv): not found", file=sys.stderr)
    return found
