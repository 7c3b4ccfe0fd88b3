"""The `palace` command: turns arguments into calls of the library, and errors into exit codes."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import Diagnostic, NotesError, PalaceError
from .load import Notes, load_notes

SOURCE_HELP = "notes files or folders (default: source/)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="palace",
        description="Turn memory-palace notes into an Anki deck and a static study site.",
        epilog="example:\n  palace check            # read source/ and report problems\n"
        "  palace build            # source/ → site/\n"
        "run 'palace COMMAND --help' for the options of a command",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"palace {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("sources", nargs="*", metavar="SOURCE", help=SOURCE_HELP)
        sub.add_argument("--strict", action="store_true", help="treat warnings as errors")
        return sub

    command(
        "check",
        "read the notes and report every problem; writes nothing",
        "palace check source/ml-palace.md",
    )
    export = command(
        "export",
        "print the records of the notes as JSON or CSV",
        "palace export --format csv > loci.csv",
    )
    export.add_argument(
        "--format", choices=("json", "csv"), default="json", help="output format (default: json)"
    )
    build = command(
        "build", "build the decks and the study site from the notes", "palace build --out public/"
    )
    build.add_argument(
        "--out", default="site", metavar="DIR", help="output folder (default: site/)"
    )
    return parser


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    if errors or warnings:
        files = len({d.path for d in diagnostics})
        print(
            f"{_count(errors, 'error')}, {_count(warnings, 'warning')} in {_count(files, 'file')}",
            file=sys.stderr,
        )


def _count(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _summary(notes: Notes) -> str:
    rooms = sum(len(p.rooms) for p in notes.palaces)
    loci = sum(len(p.loci) for p in notes.palaces)
    stops = sum(len(p.walk) for p in notes.palaces)
    return (
        f"{_count(len(notes.palaces), 'palace')}, {_count(rooms, 'room')}, "
        f"{_count(loci, 'locus', 'loci')}, "
        f"{_count(stops - loci, 'step')}"
    )


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    notes = load_notes(args.sources)
    _print_diagnostics(notes.diagnostics)
    notes.require_ok(args.strict)
    if args.command == "check":
        print(f"ok: {_summary(notes)}")
    elif args.command == "export":
        from .export import to_csv, to_json

        sys.stdout.write(to_json(notes.palaces) if args.format == "json" else to_csv(notes.palaces))
    else:
        from .build import build

        report = build(notes, Path(args.out))
        print(f"built {args.out}: {_summary(notes)}")
        for line in report.lines():
            print(f"  {line}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except NotesError:
        return 1  # the diagnostics are printed already
    except PalaceError as error:
        print(f"palace: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("palace: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`palace export | head`); nothing to say
        return 0
    except Exception:  # an internal bug: one line for the user, the details on request
        if os.environ.get("PALACE_DEBUG"):
            traceback.print_exc()
        else:
            print(
                "palace: internal error (set PALACE_DEBUG=1 to see details); please report "
                "it with the notes that caused it",
                file=sys.stderr,
            )
        return 1
