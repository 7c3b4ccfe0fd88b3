"""`palace sync`: the palaces written straight into a learner's Anki collection.

    1. read      the notes, as `palace build` does; the settings' card kinds and deck prefix
    2. render    each palace's notes and room decks with `builder.deck`, as the `.apkg` has them
    3. open      the collection with the Anki engine (refused while Anki has it open)
    4. plan      added, updated, moved, removed (plan.py); a dry run stops here
    5. back up   with the engine's own backup, before the first change
    6. apply     every change in one transaction (apply.py): killed midway, nothing changed

Importing the `.apkg` stays the ordinary way; `sync` also does what an import cannot: moving
cards after room renames and moves, and dealing with removed loci. This module is what the
command line needs, and imports nothing else: every `palace` command loads it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from builder.console import Reporter

REMOVED_TAG = "palace::removed"  # the tag of loci no longer in the notes
SUMMARY = (
    "write the palaces straight into your Anki collection while Anki is closed: add, update, "
    "move cards to their rooms' decks, deal with removed loci"
)


def add_command(command: Callable[[str, str, str], argparse.ArgumentParser]) -> None:
    """The `sync` subcommand, made by the CLI's `command(name, summary, example)`."""
    sync = command("sync", SUMMARY, "palace sync --profile 'User 1' --dry-run")
    where = sync.add_mutually_exclusive_group(required=True)
    where.add_argument("--profile", metavar="NAME", help="the Anki profile to sync into")
    where.add_argument("--collection", metavar="PATH", help="the collection file to sync into")
    sync.add_argument("--dry-run", action="store_true", help="print the changes, make none")
    sync.add_argument(
        "--delete-removed",
        action="store_true",
        help=f"delete removed loci (default: tag them {REMOVED_TAG}, suspend their cards)",
    )


def run_command(args: argparse.Namespace, reporter: Reporter) -> int:
    """`palace sync`: sync, then say what changed."""
    from builder.config import load_config
    from builder.errors import NotesError, visible
    from builder.sync.report import run_sync

    config = load_config()
    try:
        warnings, lines = run_sync(
            args.sources,
            config,
            profile=args.profile,
            collection=args.collection,
            dry_run=args.dry_run,
            delete=args.delete_removed,
            strict=args.strict,
        )
    except NotesError as error:
        reporter.diagnostics(error.diagnostics)
        raise
    reporter.diagnostics(warnings)
    for line in lines:
        reporter.say(visible(line))  # names from the notes: no escape sequence reaches a terminal
    return 0
