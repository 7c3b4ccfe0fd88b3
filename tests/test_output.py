"""Writing the output folder: safe places only, only changed bytes, foreign files kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import ProjectMaker

from builder.cli import main
from builder.errors import OutputError
from builder.output import MANIFEST, check_output_folder, write_output


def test_writes_files_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = write_output(out, {"index.html": b"home", "a/b.html": b"room"})
    assert report.written == ("a/b.html", "index.html") and report.removed == ()
    assert (out / "a" / "b.html").read_bytes() == b"room"
    assert (out / MANIFEST).read_text() == "a/b.html\nindex.html\n"
    assert sorted(p.name for p in out.rglob("*")) == [MANIFEST, "a", "b.html", "index.html"]


def test_unchanged_files_keep_bytes_and_mtime(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_output(out, {"index.html": b"home", "x.html": b"x"})
    os.utime(out / "index.html", (1_000_000, 1_000_000))
    report = write_output(out, {"index.html": b"home", "x.html": b"changed"})
    assert (report.written, report.unchanged) == (("x.html",), ("index.html",))
    assert (out / "index.html").stat().st_mtime == 1_000_000


def test_removes_what_it_wrote_before_and_keeps_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_output(out, {"index.html": b"home", "old/room.html": b"gone soon"})
    (out / "CNAME").write_text("palace.example.org\n")
    (out / "old" / "mine.txt").write_text("the owner's file")
    report = write_output(out, {"index.html": b"home"})
    assert report.removed == ("old/room.html",)
    assert (out / "CNAME").read_text() == "palace.example.org\n"
    assert (out / "old" / "mine.txt").exists() and not (out / "old" / "room.html").exists()


def test_manifest_cannot_make_the_build_delete_outside(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (tmp_path / "precious.txt").write_text("keep")
    (out / MANIFEST).write_text("../precious.txt\n/etc/passwd\n")
    write_output(out, {"index.html": b"home"})
    assert (tmp_path / "precious.txt").read_text() == "keep"


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            "source",
            "source: the output folder contains the notes in source; choose another "
            "folder (the build would overwrite them)",
        ),
        (
            ".",
            ".: the output folder contains the notes in source; choose another folder (the "
            "build would overwrite them)",
        ),
        (
            "source/site",
            "source/site: the output folder is inside the notes folder source; "
            "choose a folder outside it",
        ),
        ("notes.txt", "notes.txt: the output path is not a folder"),
    ],
)
def test_refuses_dangerous_output_folders(
    make_project: ProjectMaker, out: str, message: str
) -> None:
    make_project({"source/p.md": "- A: B\n", "notes.txt": "not a folder"})
    with pytest.raises(OutputError) as error:
        check_output_folder(Path(out), [Path("source")])
    assert str(error.value) == message


def test_build_cli_refuses_with_exit_1_and_writes_nothing(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"source/p.md": "- A: B\n"})
    assert main(["build", "--out", "source/site"]) == 1
    assert capsys.readouterr().err == (
        "palace: error: source/site: the output folder is inside the notes folder source; "
        "choose a folder outside it\n"
    )
    assert sorted(p.name for p in root.rglob("*")) == ["p.md", "source"]


def test_build_with_broken_notes_changes_nothing(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"source/p.md": "- A: B\n"})
    assert main(["build"]) == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / "source" / "p.md").write_text("- A: B\nbroken\n")
    assert main(["build"]) == 1
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
    assert "source/p.md:2:1: error: expected 'Locus: Concept: description'" in (
        capsys.readouterr().err
    )
