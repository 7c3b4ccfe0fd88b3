"""The pipeline: settings → notes → records → decks and site, rendered and written file by file.

    0. unchanged?  the record of the last build into the folder still matches: nothing to do
    1. read        every notes file into records, every problem at once
    2. render      the decks (reading the previous build's decks), then the site, each file
                   written into the next output folder as it comes (only those whose bytes
                   changed), so that the build never holds them all
    3. swap        the next output folder in, at once; files the build never wrote are kept
    4. remember    what this build read and wrote, for step 0 of the next one

First gather everything from every notes file, then render; the output folder changes only at
the swap: a build that fails anywhere before it changes nothing.
`palace build`, `palace serve` and `palace publish` all build through `build_project`.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from builder.build.report import BuildReport, Counts, Outcome
from builder.cache import fingerprint, memo
from builder.collector import collector_paused
from builder.config import Config, load_config
from builder.errors import Diagnostic, NotesError, OutputError
from builder.output import MANIFEST, Output, check_output_folder
from builder.output.cache import cache_folder
from builder.output.guards import NOJEKYLL, check_output_path

if TYPE_CHECKING:
    from builder.notes.load import Notes

__all__ = ["ATTEMPTS", "DEFAULT_SOURCE", "BuildReport", "Counts", "Outcome", "build_project"]

ATTEMPTS = 5  # builds tried while an editor keeps saving the notes during each
DEFAULT_SOURCE = "source"  # = load.DEFAULT_SOURCE (not imported: the no-op path skips load)
Progress = Callable[[str, float], None]  # (what the build is doing, fraction done)
# About how far a build has come when each stage starts, for the progress bar.
_STAGES = {"reading notes": 0.0, "rendering decks": 0.12, "rendering site": 0.55, "writing": 0.95}


class SavedDuringBuild(Exception):
    """Notes files were saved while the build read and rendered them: build again."""


def build_project(
    sources: Sequence[str] = (),
    config: Config | None = None,
    *,
    out: Path | None = None,
    strict: bool = False,
    full: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Build the notes in `sources` (default `source/`) into `out` (default: the configured
    output folder), unless nothing changed since the last build there. Only what changed is
    rendered again (see `memo.py`); `full` renders everything from scratch. `force` builds into
    a folder that holds files but no Palace build (they are kept as they are).

    Raises NotesError (carrying every diagnostic) when the notes have errors, or warnings under
    `strict`; the output folder is then untouched.
    """
    started, since_ns = time.perf_counter(), time.time_ns()
    config = load_config() if config is None else config
    sources = tuple(sources) or (DEFAULT_SOURCE,)
    out = Path(config.out) if out is None else out
    check_output_path(out)  # before the record beside it is looked for
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
        remembered = memo.load(out, stamp, remembered=not full)
        reuse = memo.Reuse({} if full else fingerprint.intact_keys(previous, out, stamp))
        try:
            # 1. read: every notes file into records
            notes = load_notes(sources)
            notes.require_ok(strict)
            # 2.-3. render, write and swap
            report = _render_and_write(
                notes, out, config, remembered, reuse, progress, started, force
            )
            break
        except BaseException as error:
            remembered.close()  # what it began to write for the next build goes
            if not isinstance(error, SavedDuringBuild):
                raise
            reasons.append(f"saved again during the build, so built again: {error}")
            if attempt == ATTEMPTS:
                raise OutputError(
                    f"{error}: saved again during each of {ATTEMPTS} builds; "
                    f"{out.as_posix()} is unchanged: build again once saving is done"
                ) from None
    # 4. remember what was read and written
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
        # an owner's `.nojekyll` stands in for ours (`Output.put`): if it goes, build
        fingerprint.output_stamps(out, (*report.written.files, MANIFEST, NOJEKYLL)),
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


def _render_and_write(
    notes: Notes,
    out: Path,
    config: Config,
    remembered: memo.Memo,
    reuse: memo.Reuse,
    progress: Progress | None,
    started: float,
    force: bool = False,
) -> BuildReport:
    """Steps 2 and 3: one deck per palace and the study site, rendered from the records and
    written into the next output folder file by file, then swapped into `out`. `remembered`
    holds what earlier builds rendered, `reuse` which of their files may be kept as they are
    (see `memo.py`). Raises SavedDuringBuild, before the swap, when a notes file was saved
    since it was read."""
    from builder.deck import render_decks  # here: the no-op build never needs them
    from builder.markup import remembering
    from builder.site import site_files

    marks = [("reading notes", started)]

    def stage(name: str) -> None:
        marks.append((name, time.perf_counter()))
        if progress and name in _STAGES:
            progress(name, _STAGES[name])

    # refuse an output folder that would overwrite the notes, before rendering anything
    check_output_folder(out, {notes_file.root for notes_file in notes.files})
    pages = 0  # rendered, then kept
    with Output(out, force) as output, collector_paused(), remembering(remembered.table("inline")):
        # 2. render and write: the decks read the previous build's decks in `out`, and the
        # site shows each deck's size
        stage("rendering decks")
        decks = render_decks(
            notes.palaces,
            out,
            kinds=frozenset(config.card_kinds),
            deck_prefix=config.deck_prefix,
            memo=remembered,
            reuse=reuse,
            owned=output.previous,
            write=output.writing,
            scratch=cache_folder(out),
        )
        stage("rendering site")
        for path, data in site_files(
            notes.palaces,
            decks.sizes,
            config.lang,
            site_title=config.title,
            base_url=config.base_url,
            new_cards_per_day=config.new_cards_per_day,
            card_kinds=config.card_kinds,
            memo=remembered,
            reuse=reuse,
        ):
            output.put(path, data)
            pages += path.endswith(".html")
        # 3. swap, unless a notes file changed since it was read
        saved = notes.changed_since_read()
        if saved:
            raise SavedDuringBuild(", ".join(saved))
        stage("writing")
        fingerprint.forget(out)  # until the new record is written: a crash leaves none
        written = output.finish(keep=reuse.kept)
    stage("done")
    pages += sum(1 for name in reuse.kept if name.endswith(".html"))
    timings = tuple((name, end - start) for (name, start), (_, end) in itertools.pairwise(marks))
    counts = Counts.of(notes.palaces, decks.cards, pages)
    return BuildReport(tuple(decks.summary_lines()), written, counts, timings)
