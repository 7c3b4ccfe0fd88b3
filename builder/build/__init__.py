"""The pipeline: settings → notes → records → outputs rendered in memory → written.

    0. unchanged?  the record of the last build into the folder still matches: nothing to do
    1. read        every notes file into records, every problem at once
    2. render      the decks (reading the previous build's decks) and the site, in memory
    3. write       only the files whose bytes changed; files the build never wrote are kept
    4. remember    what this build read and wrote, for step 0 of the next one

First gather everything from every notes file, then render every output in memory, and only
then touch the output folder: a build that fails anywhere before writing changes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from builder.build import fingerprint, memo
from builder.build.collector import collector_paused
from builder.config import Config, load_config
from builder.errors import Diagnostic, NotesError, OutputError
from builder.output import MANIFEST, WriteReport, check_output_folder, write_output
from builder.build.render import SavedDuringBuild, decks_beside

if TYPE_CHECKING:
    from builder.notes.load import Notes
    from builder.notes.records import Palace
    from builder.build.render import Beside

ATTEMPTS = 5  # builds tried while an editor keeps saving the notes during each
DEFAULT_SOURCE = "source"  # = load.DEFAULT_SOURCE (not imported: the no-op path skips load)
Progress = Callable[[str, float], None]  # (what the build is doing, fraction done)
# The share of a build's time each stage takes (10,000 loci), for the progress bar.
_STAGES = {
    "reading notes": 0.0,
    "rendering decks": 0.12,
    "rendering site": 0.55,
    "rendering decks and site": 0.12,
    "writing": 0.95,
}


@dataclasses.dataclass(frozen=True, slots=True)
class Counts:
    palaces: int
    rooms: int
    loci: int
    steps: int
    cards: int
    pages: int

    @classmethod
    def of(cls, palaces: Sequence[Palace], cards: int, pages: int) -> Counts:
        loci = sum(len(p.loci) for p in palaces)
        steps = sum(len(p.walk) for p in palaces) - loci
        return cls(len(palaces), sum(len(p.rooms) for p in palaces), loci, steps, cards, pages)

    def __str__(self) -> str:
        return ", ".join(
            _count(n, one, many)
            for n, one, many in (
                (self.palaces, "palace", "palaces"),
                (self.rooms, "room", "rooms"),
                (self.loci, "locus", "loci"),
                (self.steps, "step", "steps"),
                (self.cards, "card", "cards"),
                (self.pages, "page", "pages"),
            )
        )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclasses.dataclass(frozen=True, slots=True)
class BuildReport:
    decks: tuple[str, ...]  # what changed in each deck since the previous build
    written: WriteReport
    counts: Counts | None = None
    timings: tuple[tuple[str, float], ...] = ()  # seconds per stage

    def lines(self) -> list[str]:
        return [*self.decks, f"files: {self.written}"]


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What `build_project` did: `report` is None when nothing changed and nothing ran."""

    out: Path
    counts: Counts
    report: BuildReport | None
    diagnostics: tuple[Diagnostic, ...]  # the warnings (replayed when nothing changed)
    seconds: float
    reasons: tuple[str, ...]  # why it was built: what changed since the last build


def build_project(
    sources: Sequence[str] = (),
    config: Config | None = None,
    *,
    out: Path | None = None,
    strict: bool = False,
    full: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Build the notes in `sources` (default `source/`) into `out` (default: the configured
    output folder), unless nothing changed since the last build there. Only what changed is
    rendered again (see `memo.py`); `full` renders everything from scratch.

    Raises NotesError (carrying every diagnostic) when the notes have errors, or warnings under
    `strict`; the output folder is then untouched.
    """
    started, since_ns = time.perf_counter(), time.time_ns()
    config = load_config() if config is None else config
    sources = tuple(sources) or (DEFAULT_SOURCE,)
    out = Path(config.out) if out is None else out
    settings = fingerprint.settings_of(config.values(), sources)
    # 0. unchanged? compare with the record of the last build into `out`
    previous = fingerprint.read(out)
    reasons, refreshed = (
        (["--full"], False)
        if full
        else fingerprint.changes(previous, out, settings, _lister(sources))
    )
    replayed = _replay(previous) if previous is not None and not reasons else None
    if previous is not None and replayed is not None:
        counts, diagnostics = replayed
        if strict and diagnostics:
            raise NotesError(diagnostics)
        if refreshed:
            fingerprint.save(out, previous)  # the new stats of files touched but unchanged
        return Outcome(out, counts, None, diagnostics, time.perf_counter() - started, ())
    from builder.notes.load import load_notes

    stamp = memo.stamp(settings, fingerprint.code_stamps())
    for attempt in range(1, ATTEMPTS + 1):
        if progress:
            progress("reading notes", _STAGES["reading notes"])
        # what the last build rendered from the same inputs, kept for this one
        remembered = memo.Memo(stamp) if full else memo.load(out, stamp)
        reuse = memo.Reuse({} if full else fingerprint.intact_keys(previous, out, stamp))
        # big notes: the decks render in a child from here on, which reads the notes itself
        beside = decks_beside(sources, out, config, remembered, reuse, strict)
        try:
            with beside or contextlib.nullcontext():
                # 1. read: every notes file into records
                notes = load_notes(sources)
                notes.require_ok(strict)
                # 2.-3. render and write
                report = build(
                    notes,
                    out,
                    config,
                    progress=progress,
                    started=started,
                    remembered=remembered,
                    reuse=reuse,
                    stable=notes.changed_since_read,
                    beside=beside,
                )
            break
        except SavedDuringBuild as saved:
            reasons.append(f"saved again during the build, so built again: {saved}")
            if attempt == ATTEMPTS:
                raise OutputError(
                    f"{saved}: saved again during each of {ATTEMPTS} builds; "
                    f"{out.as_posix()} is unchanged: build again once saving is done"
                ) from None
    # 4. remember what was read and written
    assert report.counts is not None
    pictures = [
        picture.file
        for palace in notes.palaces
        for room in palace.rooms
        for picture in (room.picture, *(locus.picture for locus in room.loci))
        if picture is not None
    ]
    record = fingerprint.Fingerprint(
        settings,
        fingerprint.inputs([f.file for f in notes.files], pictures, previous, since_ns),
        fingerprint.folder_stamps([Path(s) for s in sources if Path(s).is_dir()], since_ns),
        [f.display for f in notes.files],
        fingerprint.output_stamps(out, (*report.written.files, MANIFEST)),
        dataclasses.asdict(report.counts),
        [dataclasses.asdict(d) for d in notes.diagnostics],
        stamp,
        {name: reuse.keys[name] for name in report.written.files if name in reuse.keys},
    )
    memo.save(out, remembered)
    fingerprint.save(out, record)
    seconds = time.perf_counter() - started
    return Outcome(out, report.counts, report, notes.diagnostics, seconds, tuple(reasons))


def _replay(previous: fingerprint.Fingerprint) -> tuple[Counts, tuple[Diagnostic, ...]] | None:
    """What the last build reported, to say again; None if the record cannot tell."""
    try:
        diagnostics = tuple(Diagnostic(**d) for d in previous.diagnostics)
        return Counts(**previous.summary), diagnostics
    except TypeError:
        return None


def _lister(sources: Sequence[str]) -> Callable[[], list[str]]:
    def notes_files() -> list[str]:
        from builder.notes.load import find_notes

        return [found.display for found in find_notes(sources)]

    return notes_files


def build(
    notes: Notes,
    out: Path,
    config: Config | None = None,
    *,
    progress: Progress | None = None,
    started: float | None = None,
    remembered: memo.Memo | None = None,
    reuse: memo.Reuse | None = None,
    stable: Callable[[], Sequence[str]] | None = None,
    beside: Beside | None = None,
) -> BuildReport:
    """Build every output for `notes` into `out`: one deck per palace and the study site.

    `config` None: the settings of the project in the current folder. `remembered` holds what
    earlier builds rendered, `reuse` which of their files may be kept as they are (see
    `memo.py`); without them everything is rendered. `stable` names the notes files saved
    since they were read; asked just before writing, any name stops the build, unwritten.
    `beside` renders the decks in a child (`render.decks_beside`)."""
    from builder.markup import remembering
    from builder.build.render import render_outputs

    config = load_config() if config is None else config
    marks = [("reading notes" if started else "checking", started or time.perf_counter())]

    def stage(name: str) -> None:
        marks.append((name, time.perf_counter()))
        if progress and name in _STAGES:
            progress(name, _STAGES[name])

    # 1. where: refuse an output folder that would overwrite the notes
    check_output_folder(out, {notes_file.root for notes_file in notes.files})
    # 2. render: every output in memory; the decks read the previous build's decks in `out`
    remembered = memo.Memo() if remembered is None else remembered
    reuse = memo.Reuse() if reuse is None else reuse
    with collector_paused(), remembering(remembered.table("inline")):
        decks, site = render_outputs(notes.palaces, out, config, remembered, reuse, stage, beside)
    # 3. write: only files whose bytes changed; keep files the build never wrote
    saved = stable() if stable else ()
    if saved:
        raise SavedDuringBuild(", ".join(saved))
    stage("writing")
    fingerprint.forget(out)  # until the new record is written: a crash leaves none
    written = write_output(out, {**site, **decks.files}, keep=reuse.kept)
    stage("done")
    timings = tuple((name, end - start) for (name, start), (_, end) in itertools.pairwise(marks))
    pages = sum(1 for name in (*site, *reuse.kept) if name.endswith(".html"))
    counts = Counts.of(notes.palaces, decks.cards, pages)
    return BuildReport(tuple(decks.summary_lines()), written, counts, timings)
