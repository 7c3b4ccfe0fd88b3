"""`palace check`: every problem that would stop `palace build`, found without writing anything:
the settings, the notes, and the output folder the settings name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from builder.config import load_config
from builder.console import Reporter, count
from builder.errors import OutputError
from builder.notes.load import Notes, load_notes
from builder.output.guards import check_claimable, check_output_folder


def check(sources: Sequence[str], strict: bool, reporter: Reporter) -> int:
    """Report every problem; the exit code: 0 when a build would go ahead, else 1."""
    config = load_config()  # a wrong setting stops here, with exit 2, as it stops a build
    notes = load_notes(sources)
    reporter.diagnostics(notes.diagnostics)
    out = Path(config.out)
    try:
        check_output_folder(out, {notes_file.root for notes_file in notes.files})
        check_claimable(out, force=False)
    except OutputError as error:
        reporter.problem(str(error))
        return 1
    if notes.failed(strict):
        return 1
    reporter.say(f"ok: {summary(notes)}")
    return 0


def summary(notes: Notes) -> str:
    """`1 palace, 7 rooms, 30 loci, 5 steps`."""
    rooms = sum(len(p.rooms) for p in notes.palaces)
    loci = sum(len(p.loci) for p in notes.palaces)
    stops = sum(len(p.walk) for p in notes.palaces)
    return (
        f"{count(len(notes.palaces), 'palace')}, {count(rooms, 'room')}, "
        f"{count(loci, 'locus', 'loci')}, {count(stops - loci, 'step')}"
    )
