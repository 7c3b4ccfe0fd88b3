"""The Anki engine (PyPI `anki`, the library Anki's desktop app runs on), imported only by
`palace sync`: opening a learner's collection, its backup, one transaction around the sync.

Every change goes through the engine's own operations, so the collection stays one Anki
understands, and the next sync with AnkiWeb is an ordinary incremental one.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from builder.errors import PalaceError

if TYPE_CHECKING:
    from anki.collection import Collection

INSTALL = "pip install 'palace-loci[anki]'"
BACKUPS = "backups"  # beside the collection, as in an Anki profile folder


class EngineMissing(PalaceError):
    """The optional `anki` package is not installed."""


def require_engine() -> str:
    """The engine's version; raises EngineMissing, with how to install it, when it is absent."""
    try:
        from anki.buildinfo import version
    except ImportError:
        raise EngineMissing(
            f"palace sync needs the Anki engine (the Python package 'anki'): {INSTALL}"
        ) from None
    return version


@contextlib.contextmanager
def opened(path: Path, *, copy: bool = False) -> Iterator[Collection]:
    """The collection at `path`, closed at the end; `copy`: a private copy of it, for a dry
    run (the engine upgrades a collection of an older Anki as it opens it). Raises PalaceError,
    with one line, when Anki has it open, when it is newer than this engine, or when it cannot
    be read."""
    version = require_engine()
    from anki.collection import Collection
    from anki.errors import BackendError, DBError

    shown = path.as_posix()
    with tempfile.TemporaryDirectory(prefix="palace-sync-") as folder:
        target = path
        if copy:
            _refuse_if_open(path)
            target = Path(folder) / path.name
            for suffix in ("", "-wal"):
                if Path(f"{path}{suffix}").is_file():
                    shutil.copyfile(f"{path}{suffix}", f"{target}{suffix}")
        try:
            col = Collection(str(target))
        except DBError as error:
            raise PalaceError(_cannot_open(shown, str(error), version)) from None
        try:
            yield col
        except BackendError as error:  # its transaction is rolled back: nothing changed
            raise PalaceError(f"{shown}: the Anki engine stopped the sync: {error}") from None
        finally:
            col.close()


def _refuse_if_open(path: Path) -> None:
    """Raise PalaceError when another process (Anki) has the collection open: it holds it
    locked, so even reading it fails at once. Only read: the connection, the last to close,
    takes away the write-ahead log files that reading a collection in WAL mode makes."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=0)) as db:
            db.execute("SELECT ver FROM col").fetchone()
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            raise PalaceError(_cannot_open(path.as_posix(), "already open", "")) from None
    except sqlite3.DatabaseError:
        pass  # not a collection: the engine says so


def _cannot_open(shown: str, text: str, version: str) -> str:
    """One line for a collection the engine cannot open (`text`: its error)."""
    if "already open" in text:
        return (
            f"{shown}: Anki has this collection open (or is syncing its media): close Anki, "
            "then run palace sync again; nothing was changed"
        )
    if "FileTooNew" in text:
        return (
            f"{shown}: made by a newer Anki than this engine (anki {version}) understands: "
            "upgrade it with pip install -U anki; nothing was changed"
        )
    if "FileTooOld" in text:
        return (
            f"{shown}: made by an Anki too old for this engine: open it once in a current "
            "Anki; nothing was changed"
        )
    if "NotADatabase" in text:
        return f"{shown}: not an Anki collection (not a database); nothing was changed"
    return f"{shown}: cannot open the collection ({text})"


def backup(col: Collection) -> Path | None:
    """A backup made by the engine (Anki's own `.colpkg`, which File → Import restores) in the
    `backups` folder beside the collection, where Anki keeps a profile's backups; the newest
    backup there (the engine makes none when the collection is unchanged since the last)."""
    folder = Path(col.path).parent / BACKUPS
    folder.mkdir(exist_ok=True)
    col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
    made = sorted(folder.glob("backup-*.colpkg"), key=lambda path: path.stat().st_mtime_ns)
    return made[-1] if made else None


def in_one_transaction(col: Collection, change: Callable[[], None]) -> None:
    """Run `change` (several engine operations) as one SQLite transaction: killed midway, the
    collection is as it was before. Each operation nests its own savepoint inside it."""
    assert col.db is not None
    col.db.transact(change)
