"""`palace serve`: build, serve the output folder, rebuild on every save, reload open pages.

    build → serve on 127.0.0.1 → watch the notes, pictures and settings → rebuild → reload

The build is the one `palace build` runs, into the same folder, so the served files are
byte for byte what `palace build` writes (the reload script is added to responses only, see
`devserver`). A build that fails changes nothing on disk: the last good site stays served, and
open pages show the problems over it until a build succeeds.

Watching uses `watchfiles` (Rust `notify`: inotify, FSEvents, ReadDirectoryChangesW; changes
are batched until 20 ms pass without another, so an editor's save is one rebuild). The settings
files are looked at (two `stat`s) whenever the watcher has been idle for half a second, rather
than watching the whole project folder with its output and `.git`. Run from a checkout of
palace, the builder's own code, templates and static files are watched too; a change to them
restarts the process (compiled templates and imported code cannot be refreshed in place).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from builder.build import DEFAULT_SOURCE, build_project
from builder.cache.fingerprint import BUILDER
from builder.commands.devserver import DevServer, LiveState
from builder.config import PALACE_TOML, PYPROJECT, Config, load_config
from builder.console import Reporter, count
from builder.errors import Diagnostic, NotesError, PalaceError, listed

RESTART_PORT = "PALACE_SERVE_PORT"  # set for the process a code change restarts: same port
_SETTLE_MS = 20  # a batch of changes ends after this long without another
_IDLE_MS = 500  # how often the settings files are looked at
_CODE_SUFFIXES = (".py", ".html", ".css", ".js", ".svg")


def serve(
    sources: Sequence[str],
    config: Config,
    reporter: Reporter,
    *,
    out: Path,
    port: int = 8000,
    open_browser: bool = False,
    strict: bool = False,
) -> int:
    """Serve until Ctrl-C (or SIGTERM); returns the exit code, 0."""
    try:
        import watchfiles  # noqa: F401  (used by `_Session.watch`; checked before serving)
    except ModuleNotFoundError as error:
        raise PalaceError(
            "palace serve needs the watchfiles package: python3 -m pip install watchfiles"
        ) from error
    from builder.deck.history import keep_written
    from builder.notes.known import remember_rooms

    keep_written()  # each rebuild reads the deck the last one wrote: from memory
    remember_rooms()  # and the rooms of the notes whose lines are the same
    restarted = os.environ.get(RESTART_PORT)
    live = _Session(tuple(sources) or (DEFAULT_SOURCE,), config, reporter, out, strict)
    server = DevServer(out, int(restarted) if restarted else port, live.state)
    try:
        with _StopOnSignals() as stop:
            live.rebuild("", first=True)
            server.start()
            reporter.say(f"serving {out.as_posix()} at {server.url} (Ctrl-C to stop)")
            if open_browser and not restarted:
                import webbrowser

                threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
            live.watch(stop, server)
    finally:
        server.stop()
        keep_written(False)  # removes the collections kept for the next build
        remember_rooms(False)
    reporter.say("stopped")
    return 0


class _Session:
    """The rebuild loop: what to watch, and what a change means."""

    def __init__(
        self,
        sources: tuple[str, ...],
        config: Config,
        reporter: Reporter,
        out: Path,
        strict: bool,
    ) -> None:
        self.sources, self.config, self.reporter = sources, config, reporter
        self.out, self.strict = out, strict
        self.state = LiveState()
        self.settings = _settings_files()
        self.code = BUILDER if _is_checkout(BUILDER) else None
        self.roots = sorted(
            {Path(os.path.realpath(p if p.is_dir() else p.parent)) for p in map(Path, sources)}
        )
        self.started_with = _snapshot(self.roots)  # taken before the first build

    def watch(self, stop: threading.Event, server: DevServer) -> None:
        import watchfiles

        roots = self.roots
        out = self.out.resolve()
        paths = [*roots, *([self.code] if self.code else [])]
        default = watchfiles.DefaultFilter()
        catch_up = True

        def wanted(change: watchfiles.Change, path: str) -> bool:
            file = Path(path)
            if file.is_relative_to(out) or file.name.startswith(".") or not default(change, path):
                return False
            if self.code and file.is_relative_to(self.code):
                return file.suffix in _CODE_SUFFIXES
            return True

        for changes in watchfiles.watch(
            *paths,
            watch_filter=wanted,
            debounce=1600,
            step=_SETTLE_MS,
            rust_timeout=_IDLE_MS,
            yield_on_timeout=True,
            stop_event=stop,
            raise_interrupt=False,
        ):
            if stop.is_set():
                return
            if catch_up:  # the watcher runs now: was anything saved while it started?
                catch_up = False
                self.reporter.say(f"watching {_describe(paths, '')} for changes")
                if _snapshot(roots) != self.started_with:
                    self.rebuild("saved while starting")
            changed = sorted({Path(path) for _, path in changes})
            settings = _settings_files()
            changed += [Path(name) for name in settings if settings[name] != self.settings[name]]
            self.settings = settings
            if not changed:
                continue
            code = [path for path in changed if self.code and path.is_relative_to(self.code)]
            if code:
                self.restart(code, server)
            else:
                self.rebuild(_describe(changed))

    def rebuild(self, why: str, first: bool = False) -> None:
        """Build; on success open pages reload, on failure they show the problems."""
        reporter = self.reporter
        if why:
            reporter.say(f"{time.strftime('%H:%M:%S')} {why}: rebuilding")
        try:
            config = load_config()
            if config.out != self.config.out and not first:
                reporter.say(
                    f"  the output folder is now {config.out}: restart palace serve to use it"
                )
            outcome = build_project(self.sources, config, out=self.out, strict=self.strict)
        except NotesError as error:
            reporter.diagnostics(error.diagnostics)
            self.failed(error.diagnostics)
        except PalaceError as error:
            if first:
                raise  # a missing folder, a wrong setting: nothing the notes can fix
            reporter.problem(str(error))
            self.state.failed("palace serve: the build failed", [_problem(str(error))])
        except Exception as error:  # a bug, or a template being edited: keep serving
            if os.environ.get("PALACE_DEBUG"):
                traceback.print_exc()
            message = f"internal error: {type(error).__name__}: {error}"
            reporter.problem(message + " (set PALACE_DEBUG=1 to see details)")
            self.state.failed("palace serve: the build failed", [_problem(message)])
        else:
            report = outcome.report
            reporter.diagnostics(outcome.diagnostics)
            reporter.outcome(outcome)
            self.state.succeeded(
                bool(report and (report.written.written or report.written.removed))
            )

    def failed(self, diagnostics: Sequence[Diagnostic]) -> None:
        problems = sum(1 for d in diagnostics if d.is_error) or len(diagnostics)  # or --strict
        title = f"The notes have {count(problems, 'problem')}: this page shows the last good build."
        self.reporter.say("  serving the last good build until the notes are fixed")
        found = [
            {
                "where": f"{d.path}:{d.line}:{d.col}",
                "severity": d.severity,
                "message": d.message,
                "line": d.line,
                "text": d.text,
            }
            for d in diagnostics
        ]
        self.state.failed(title, found)

    def restart(self, changed: Iterable[Path], server: DevServer) -> None:
        """Restart the process on the builder's new code, if that code can be imported."""
        names = ", ".join(path.relative_to(self.code or Path()).as_posix() for path in changed)
        self.reporter.say(f"{time.strftime('%H:%M:%S')} builder changed ({names}): restarting")
        probe = subprocess.run(
            [sys.executable, "-c", "import builder.cli, builder.build, builder.deck, builder.site"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode != 0:
            last = (probe.stderr.strip().splitlines() or ["cannot import the builder"])[-1]
            self.reporter.problem(f"not restarting: {last}")
            self.state.failed("palace serve: the builder's code is broken", [_problem(last)])
            return
        server.stop()
        sys.stdout.flush()
        sys.stderr.flush()
        env = {**os.environ, RESTART_PORT: str(server.port)}
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)


def _problem(message: str) -> dict[str, Any]:
    return {"where": "", "severity": "error", "message": message, "line": None, "text": None}


def _describe(paths: Sequence[Path], verb: str = " changed") -> str:
    here = Path.cwd()
    paths = [path for path in paths if path.exists()] or paths  # not an editor's temp file
    names = [p.relative_to(here).as_posix() if p.is_relative_to(here) else str(p) for p in paths]
    return f"{listed(names, 3)}{verb}"


def _snapshot(roots: Iterable[Path]) -> set[tuple[str, int, int]]:
    """Every file under the source folders, with its size and time."""
    found = set()
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                try:
                    stat = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                found.add((os.path.join(folder, name), stat.st_size, stat.st_mtime_ns))
    return found


def _settings_files() -> dict[str, tuple[int, int] | None]:
    found: dict[str, tuple[int, int] | None] = {}
    for name in (PALACE_TOML, PYPROJECT):
        try:
            stat = os.stat(name)
            found[name] = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            found[name] = None
    return found


def _is_checkout(package: Path) -> bool:
    """Run from a source checkout (or an editable install), not from an installed wheel."""
    return (package.parent / "pyproject.toml").is_file() and "site-packages" not in package.parts


class _StopOnSignals:
    """Ctrl-C or SIGTERM: finish the build under way, then stop. A second Ctrl-C stops at once
    (the output folder is still whole: every file is replaced atomically)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> threading.Event:
        for number in (signal.SIGINT, signal.SIGTERM):
            self._previous[number] = signal.signal(number, self._handle)
        return self.stop

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self.stop.is_set():
            raise KeyboardInterrupt
        self.stop.set()
