"""`palace sync` killed with SIGKILL during a large sync (5,000 loci: every note updated, rooms
renamed, loci added and removed): the collection passes SQLite's integrity check and holds
either the old state of every note and card or the new state of every one, and the next sync
completes. The kills are timed from the moment the engine's backup appears, which is just
before the sync's one transaction begins, so they land before, inside and after it."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageRequest
from conftest import DEFAULT_OPTIONS, REPO, counts

from builder.deck import render_decks
from builder.notes.load import load_notes

LOCI = 5000
ROOM = 25  # loci per room
DELAYS = (0.0, 0.03, 0.06, 0.1, 0.15, 0.2, 0.25, 0.3, 0.6, 0.9)  # seconds after the backup
State = tuple[dict[str, tuple[str, str]], dict[tuple[str, int], tuple[str, int]]]


def palace(edited: bool) -> str:
    """A palace of LOCI loci; edited: every description changed, every tenth room renamed,
    every 50th locus removed and one added per ten rooms."""
    lines = ["# Big palace", ""]
    for room in range(LOCI // ROOM):
        renamed = edited and room % 10 == 0
        lines.append(f"## Room {room}{' renamed' if renamed else ''} {{#room-{room}}}")
        for k in range(ROOM):
            n = room * ROOM + k
            if edited and n % 50 == 7:
                continue
            lines.append(f"- Place {n}: Concept {n}: about {n}{' edited' if edited else ''}")
        if renamed:
            lines.append(f"- Extra {room}: Added {room}: new in this room")
    return "\n".join(lines) + "\n"


def state(path: Path) -> State:
    """Every note (GUID → fields, tags) and card ((GUID, ord) → deck, queue)."""
    col = Collection(str(path))
    try:
        assert col.db is not None
        decks = {int(d.id): d.name for d in col.decks.all_names_and_ids()}
        notes = {guid: (flds, tags) for guid, flds, tags in col.db.all(
            "SELECT guid, flds, tags FROM notes")}  # fmt: skip
        cards = {
            (guid, order): (decks[did], queue)
            for guid, order, did, queue in col.db.all(
                "SELECT n.guid, c.ord, c.did, c.queue FROM cards c JOIN notes n ON n.id = c.nid"
            )
        }
        return notes, cards
    finally:
        col.close()


def integrity(path: Path) -> str:
    """SQLite's integrity check of the file as the killed process left it (its WAL too)."""
    with sqlite3.connect(path) as db:
        # Anki's deck names index uses its case-insensitive collation
        db.create_collation(
            "unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())
        )
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
    db.close()
    return str(result)


def sync(folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "builder", "sync", "--collection", "anki/collection.anki2"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_sync_killed_midway_leaves_old_or_new_and_the_next_completes(tmp_path: Path) -> None:
    # the collection that imported the first deck
    first = tmp_path / "first"
    (first / "source").mkdir(parents=True)
    (first / "source" / "big.md").write_text(palace(False), encoding="utf-8")
    ((_, data),) = render_decks(load_notes([str(first / "source")]).palaces, None).files.items()
    (first / "big.apkg").write_bytes(data)
    (first / "anki").mkdir()
    col = Collection(str(first / "anki" / "collection.anki2"))
    request = ImportAnkiPackageRequest(
        package_path=str(first / "big.apkg"), options=DEFAULT_OPTIONS
    )
    assert counts(col.import_anki_package(request).log) == {"new": LOCI}
    col.close()
    (first / "source" / "big.md").write_text(palace(True), encoding="utf-8")
    old = state(first / "anki" / "collection.anki2")

    # the state a sync that runs to the end leaves
    whole = tmp_path / "whole"
    shutil.copytree(first, whole)
    started = time.perf_counter()
    assert sync(whole).wait() == 0
    seconds = time.perf_counter() - started
    new = state(whole / "anki" / "collection.anki2")
    assert new != old and len(new[0]) == LOCI + 20  # 20 added, 100 removed but kept (tagged)

    outcomes = []
    for number, delay in enumerate(DELAYS):
        folder = tmp_path / f"kill-{number}"
        shutil.copytree(first, folder)
        backups = folder / "anki" / "backups"
        process = sync(folder)
        while not (backups.is_dir() and any(backups.iterdir())) and process.poll() is None:
            time.sleep(0.001)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        collection = folder / "anki" / "collection.anki2"
        assert integrity(collection) == "ok"
        left = state(collection)
        assert left in (old, new), f"killed {delay} s after the backup: a mix of old and new"
        outcomes.append("new" if left == new else "old")
        # the next sync completes, to the same state as one never killed
        assert sync(folder).wait() == 0
        assert state(collection) == new
        assert integrity(collection) == "ok"
    print(f"\nsync of {LOCI} loci: {seconds:.1f} s; killed after the backup: {outcomes}")
    assert "old" in outcomes  # some kills landed before the transaction committed
