"""The `palace` command: turns arguments into calls of the library, and errors into exit codes.

A command imports only what it needs: `palace --version`, or a `palace build` that finds nothing
changed, never imports the notes parser, the deck builder or the site renderer.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from builder import __version__, sync
from builder.console import Reporter
from builder.errors import NotesError, OutputError, PalaceError

SOURCE_HELP = "notes files or folders (default: source/)"
OUT_HELP = "output folder (default: 'out' in palace.toml or [tool.palace], else site/)"


def _non_empty(value: str) -> str:
    """An argument that must say something: `--out ""` or `-m ""` is a mistake, not a default."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="palace",
        description="Turn memory-palace notes into an Anki deck and a static study site.",
        epilog="example:\n  palace check            # read source/ and report problems\n"
        "  palace build            # source/ → site/\n"
        "  palace serve --open     # build, serve, rebuild and reload on every save\n"
        "run 'palace COMMAND --help' for the options of a command",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"palace {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, summary: str, example: str, talk: bool = False
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("sources", nargs="*", metavar="SOURCE", type=_non_empty, help=SOURCE_HELP)
        sub.add_argument("--strict", action="store_true", help="treat warnings as errors")
        if talk:
            how = sub.add_mutually_exclusive_group()
            how.add_argument("-q", "--quiet", action="store_true", help="print problems only")
            how.add_argument(
                "-v",
                "--verbose",
                action="store_true",
                help="also print why a build ran, the time of each stage and each file written",
            )
        return sub

    command(
        "check",
        "report every problem of the settings, the notes and the output folder that would "
        "stop a build; writes nothing",
        "palace check source/ml-palace.md",
        talk=True,
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
        "build",
        "build the decks and the study site from the notes",
        "palace build --out public/",
        talk=True,
    )
    build.add_argument("--out", metavar="DIR", type=_non_empty, help=OUT_HELP)
    build.add_argument(
        "--full",
        action="store_true",
        help="render everything from scratch, even what did not change since the last build",
    )
    build.add_argument(
        "--force",
        action="store_true",
        help="build into a folder that holds files but no Palace build; its files are kept "
        "as they are, and one where Palace writes its own stops the build",
    )
    serve = command(
        "serve",
        "build, serve the site on 127.0.0.1, and rebuild and reload it on every save",
        "palace serve --port 8001 --open",
        talk=True,
    )
    serve.add_argument("--out", metavar="DIR", type=_non_empty, help=OUT_HELP)
    serve.add_argument(
        "--port",
        type=_port,
        default=8000,
        metavar="N",
        help="port to serve on (default: 8000; 0: any free port)",
    )
    serve.add_argument("--open", action="store_true", help="open the site in the web browser")
    publish = command(
        "publish",
        "build, then commit the output folder to a branch and push it (like mkdocs gh-deploy)",
        "palace publish --remote origin --branch gh-pages",
    )
    publish.add_argument("--out", metavar="DIR", type=_non_empty, help=OUT_HELP)
    publish.add_argument("--remote", default="origin", help="remote to push to (default: origin)")
    publish.add_argument(
        "--branch", default="gh-pages", help="branch to publish to (default: gh-pages)"
    )
    publish.add_argument("--message", "-m", metavar="M", type=_non_empty, help="commit message")
    publish.add_argument(
        "--force", action="store_true", help="publish even with uncommitted changes to the notes"
    )
    sync.add_command(command)
    new = commands.add_parser(
        "new",
        help="create a ready palace project in a new folder",
        description="create a ready palace project in a new folder",
        epilog="example:\n  palace new my-palace --title 'My first palace'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("folder", metavar="DIR", help="the folder to create (must be new or empty)")
    new.add_argument("--title", metavar="T", help="the palace's title")
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def _build(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.build import build_project
    from builder.config import load_config

    config = load_config()
    out = Path(args.out or config.out)
    with _reporting(reporter), reporter.progress() as bar:
        outcome = build_project(
            args.sources,
            config,
            out=out,
            strict=args.strict,
            full=args.full,
            force=args.force,
            progress=bar.update,
        )
    reporter.diagnostics(outcome.diagnostics)
    reporter.outcome(outcome)
    return 0


def _publish(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.commands.publish import publish
    from builder.config import load_config

    config = load_config()
    with _reporting(reporter):
        published = publish(
            args.sources,
            config,
            Path(args.out or config.out),
            remote=args.remote,
            branch=args.branch,
            message=args.message,
            force=args.force,
            strict=args.strict,
        )
    reporter.diagnostics(published.built.diagnostics)
    reporter.outcome(published.built)
    for line in published.lines():
        reporter.say(line)
    return 0


@contextlib.contextmanager
def _reporting(reporter: Reporter) -> Iterator[None]:
    """Print the diagnostics of notes with errors (the build raises NotesError) before exit 1."""
    try:
        yield
    except NotesError as error:
        reporter.diagnostics(error.diagnostics)
        raise


def _serve(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.commands.serve import serve
    from builder.config import load_config

    config = load_config()
    out = Path(args.out or config.out)
    return serve(
        args.sources,
        config,
        reporter,
        out=out,
        port=args.port,
        open_browser=args.open,
        strict=args.strict,
    )


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "new":
        from builder.commands.new import new_project

        for line in new_project(Path(args.folder), args.title):
            print(line)
        return 0
    reporter = Reporter(getattr(args, "quiet", False), getattr(args, "verbose", False))
    if args.command == "build":
        return _build(args, reporter)
    if args.command == "serve":
        return _serve(args, reporter)
    if args.command == "publish":
        return _publish(args, reporter)
    if args.command == "sync":
        return sync.run_command(args, reporter)
    if args.command == "check":
        from builder.commands.check import check

        return check(args.sources, args.strict, reporter)
    from builder.notes.load import load_notes

    notes = load_notes(args.sources)
    reporter.diagnostics(notes.diagnostics)
    notes.require_ok(args.strict)
    if args.command == "export":
        from builder.commands.export import to_csv, to_json

        text = to_json(notes.palaces) if args.format == "json" else to_csv(notes.palaces)
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as error:  # e.g. `palace export > /dev/full`
            raise OutputError(f"cannot write the export: {error.strerror or error}") from None
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except NotesError:
        return 1  # the diagnostics are printed already
    except PalaceError as error:
        Reporter().problem(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        print("palace: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`palace export | head`); nothing to say
        return 0
    except Exception:  # an internal bug: one line for the user, the details on request
        if os.environ.get("PALACE_DEBUG"):
            import traceback

            traceback.print_exc()
        else:
            print(
                "palace: internal error (set PALACE_DEBUG=1 to see details); please report "
                "it with the notes that caused it",
                file=sys.stderr,
            )
        return 1
