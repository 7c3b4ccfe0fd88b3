"""The pipeline: notes → records → outputs rendered in memory → written to the output folder.

First gather everything from every notes file, then render every output in memory, and only
then touch the output folder: a build that fails anywhere before writing changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .load import Notes
from .output import WriteReport, check_output_folder, write_output


@dataclass(frozen=True, slots=True)
class BuildReport:
    decks: tuple[str, ...]  # what changed in each deck since the previous build
    written: WriteReport

    def lines(self) -> list[str]:
        return [*self.decks, f"files: {self.written}"]


def build(notes: Notes, out: Path) -> BuildReport:
    """Build every output for `notes` into `out`: one deck per palace and the study site."""
    from .deck import render_decks  # imported here: genanki costs ~95 ms to import
    from .site import render_site

    # 1. where: refuse an output folder that would overwrite the notes
    check_output_folder(out, {notes_file.root for notes_file in notes.files})
    # 2. render: every output in memory; the decks read the previous build's decks in `out`
    decks = render_decks(notes.palaces, out)
    site = render_site(notes.palaces, decks.files)
    # 3. write: only files whose bytes changed; keep files the build never wrote
    written = write_output(out, {**site, **decks.files})
    return BuildReport(tuple(decks.summary_lines()), written)
