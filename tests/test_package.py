"""The wheel carries the templates, styles and scripts the decks and the site are made from;
the decks, written as streams, have the bytes of decks held whole."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.slow  # pip builds a wheel: ~6 s
def test_wheel_contains_package_data(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("palace_loci-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"builder/{path.relative_to(REPO / 'builder').as_posix()}"
        for folder in ("deck/cards", "site/templates", "site/static", "commands/starter")
        for path in (REPO / "builder" / folder).iterdir()
    }
    assert len(expected) >= 20
    assert expected <= names, sorted(expected - names)
    assert "builder/cli.py" in names and "builder/deck/model.py" in names


# -- the decks are written as streams: the same bytes as held whole ----------------------------


def test_a_deck_written_into_a_file_has_the_bytes_of_one_made_in_memory(tmp_path: Path) -> None:
    import contextlib
    import io
    from collections.abc import Iterator
    from typing import IO

    from conftest import REPO

    from builder.deck import render_decks
    from builder.deck.history import scratch_files
    from builder.deck.package import zipped
    from builder.notes.load import load_notes

    palaces = load_notes([str(REPO / "source")]).palaces
    written = tmp_path / "written"
    written.mkdir()

    @contextlib.contextmanager
    def write(name: str) -> Iterator[IO[bytes]]:
        with (written / name).open("w+b") as stream:
            yield stream

    held = render_decks(palaces, None, now=1_700_000_000)
    streamed = render_decks(palaces, None, now=1_700_000_000, write=write, scratch=tmp_path)
    assert streamed.files == {} and streamed.sizes == held.sizes
    for name, data in held.files.items():
        assert (written / name).read_bytes() == data
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            database = package.read("collection.anki2")
        # the collection, deflated from a file in pieces, as `writestr` deflates it whole
        with scratch_files(tmp_path) as scratch:
            file = scratch.new()
            file.write_bytes(database)
            rezipped = io.BytesIO()
            zipped(rezipped, file, ())
        whole = io.BytesIO()
        with zipfile.ZipFile(whole, "w") as other:
            for entry, content in (("collection.anki2", database), ("media", b"{}")):
                info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
                info.create_system, info.external_attr = 3, 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                other.writestr(info, content, compresslevel=1)
        assert rezipped.getvalue() == whole.getvalue()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []  # no scratch left


def test_a_previous_deck_read_outside_a_build_keeps_no_file(tmp_path: Path) -> None:
    from conftest import REPO

    from builder.deck import render_decks
    from builder.deck.history import read_previous, scratch_files
    from builder.notes.load import load_notes

    palaces = load_notes([str(REPO / "source")]).palaces
    for name, data in render_decks(palaces, None, now=1_700_000_000).files.items():
        (tmp_path / name).write_bytes(data)
    (deck,) = tmp_path.glob("*.apkg")
    read = read_previous(deck)
    assert read is not None and read.collection is None  # nothing left behind to patch
    with scratch_files(tmp_path) as scratch:
        read = read_previous(deck)
        assert read is not None and read.collection is not None
        assert read.collection.parent == tmp_path and read.collection.stat().st_size > 0
        assert scratch is not None
    assert not read.collection.exists()  # removed with the build's files
