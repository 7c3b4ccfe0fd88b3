"""How palace talks on a terminal: colours only there (and never with `NO_COLOR`), and a
progress bar for a build that is still running after a second.

Piped or redirected output stays plain text, byte for byte the same on every machine.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from builder.errors import visible

if TYPE_CHECKING:
    from builder.build import Outcome
    from builder.errors import Diagnostic

RED, GREEN, YELLOW, BOLD = "31", "32", "33", "1"
PROGRESS_DELAY = 1.0  # seconds: shorter builds never show the bar
_BAR_WIDTH = 24


def wants_colour(stream: TextIO) -> bool:
    """Colours on a terminal only; `NO_COLOR` set to anything (https://no-color.org) or
    `TERM=dumb` turns them off."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Style:
    """Paints text for one stream: SGR codes when it wants colour, the text unchanged when not."""

    def __init__(self, stream: TextIO) -> None:
        self.enabled = wants_colour(stream)

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text

    def diagnostic(self, text: str) -> str:
        """`path:line:col: error: message` (and its echoed line) with the place in bold and
        the severity in red or yellow."""
        if not self.enabled:
            return text
        head, newline, rest = text.partition("\n")
        for severity, code in (("error", RED), ("warning", YELLOW)):
            where, marker, message = head.partition(f": {severity}: ")
            if marker:
                head = f"{self.paint(where, BOLD)}: {self.paint(severity + ':', code)} {message}"
                break
        return head + newline + rest


class ProgressBar:
    """`[=======>      ] 45% rendering site  2.1 s` on `stream`, redrawn in place, once the build
    has run for `delay` seconds; erased when done. Does nothing unless `stream` is a terminal.

    Used as a context manager; `update` is the build's progress callback."""

    def __init__(self, stream: TextIO, delay: float = PROGRESS_DELAY) -> None:
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
        self.stream = stream
        self.delay = delay
        self.stage = "starting"
        self.fraction = 0.0
        self._drawn = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0

    def update(self, stage: str, fraction: float) -> None:
        self.stage, self.fraction = stage, min(max(fraction, 0.0), 1.0)

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            if self._drawn:
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self._draw()
            self._stop.wait(0.1)

    def _draw(self) -> None:
        filled = round(self.fraction * _BAR_WIDTH)
        bar = "=" * max(filled - 1, 0) + (">" if filled else "") + " " * (_BAR_WIDTH - filled)
        seconds = time.monotonic() - self._started
        self.stream.write(f"\r\x1b[K[{bar}] {self.fraction:4.0%} {self.stage}  {seconds:.1f} s")
        self.stream.flush()
        self._drawn = True


class Reporter:
    """Everything a command prints: results on stdout, problems on stderr.

    `quiet`: problems only. `verbose`: also why a build ran, the time of each stage and every
    file written or removed."""

    def __init__(
        self,
        quiet: bool = False,
        verbose: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.out_style, self.err_style = Style(self.stdout), Style(self.stderr)

    def say(self, line: str) -> None:
        if not self.quiet:
            self._write(self.stdout, line)

    def problem(self, message: str) -> None:
        """`palace: error: message` on stderr, a line for each line of `message` (a file
        with several problems)."""
        error = self.err_style.paint("error:", RED)
        for line in message.split("\n"):
            self._write(self.stderr, f"palace: {error} {visible(line)}")

    def diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Every diagnostic, then a count: `2 errors, 1 warning in 1 file`."""
        for diagnostic in diagnostics:
            self._write(self.stderr, self.err_style.diagnostic(diagnostic.format()))
        errors = sum(1 for d in diagnostics if d.is_error)
        warnings = len(diagnostics) - errors
        if errors or warnings:
            files = len({d.path for d in diagnostics})
            self._write(
                self.stderr,
                f"{count(errors, 'error')}, {count(warnings, 'warning')} in {count(files, 'file')}",
            )

    def outcome(self, outcome: Outcome) -> None:
        """`built site: 1 palace, … in 0.41 s` and the deck and file lines under it."""
        where = visible(outcome.out.as_posix())
        seconds = f"{outcome.seconds:.2f} s"
        report = outcome.report
        if report is None:
            done = self.out_style.paint(f"{where} is up to date", GREEN)
            self.say(f"{done} (nothing changed): {outcome.counts} in {seconds}")
            return
        self.say(f"{self.out_style.paint('built', GREEN)} {where}: {outcome.counts} in {seconds}")
        for line in report.lines():
            self.say(f"  {line}")
        if self.verbose:
            for reason in outcome.reasons:
                self.say(f"  because {reason}")
            stages = ", ".join(f"{name} {time:.2f} s" for name, time in report.timings)
            self.say(f"  time: {stages}")
            for name in report.written.written:
                self.say(f"  wrote {name}")
            for name in report.written.removed:
                self.say(f"  removed {name}")

    def progress(self) -> ProgressBar:
        bar = ProgressBar(self.stderr)
        bar.enabled = bar.enabled and not self.quiet
        return bar

    @staticmethod
    def _write(stream: TextIO, line: str) -> None:
        stream.write(line + "\n")
        stream.flush()


def count(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"
