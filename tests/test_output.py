"""Writing the output folder: safe places only, only changed bytes, foreign files kept."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ProjectMaker

from builder.cache import fingerprint
from builder.cache.fingerprint import record_file
from builder.cli import main
from builder.errors import OutputError
from builder.output import (
    MANIFEST,
    Output,
    WriteReport,
    cache,
    check_output_folder,
    guards,
    swap,
    write_output,
)


@pytest.fixture(autouse=True)
def _in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in `tmp_path`, the project folder, whose `.palace-cache/` the builds use."""
    monkeypatch.chdir(tmp_path)


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


def test_each_file_goes_into_the_staging_folder_as_it_is_put(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_output(out, {"index.html": b"home"})
    with Output(out) as output:
        output.put("a/b.html", b"room")
        output.put("index.html", b"home")
        assert (output.staging / "a" / "b.html").read_bytes() == b"room"
        assert not (out / "a").exists()
        report = output.finish()
    assert (report.written, report.unchanged) == (("a/b.html",), ("index.html",))
    assert (out / "a" / "b.html").read_bytes() == b"room"


def test_a_build_that_fails_before_the_swap_changes_nothing_and_leaves_no_staging(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    write_output(out, {"index.html": b"home", "old.html": b"old"})
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    with pytest.raises(RuntimeError, match="rendering failed"), Output(out) as output:
        output.put("index.html", b"new home")
        output.put("room/index.html", b"room")
        raise RuntimeError("rendering failed")
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert not cache.staging_folder(out).exists()
    assert write_output(out, {"index.html": b"home"}).removed == ("old.html",)


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


DANGEROUS = [
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
]


@pytest.mark.parametrize(("out", "message"), DANGEROUS)
def test_refuses_dangerous_output_folders(
    make_project: ProjectMaker, out: str, message: str
) -> None:
    make_project({"source/p.md": "- A: B\n", "notes.txt": "not a folder"})
    with pytest.raises(OutputError) as error:
        check_output_folder(Path(out), [Path("source")])
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("out", "message"),
    [
        *DANGEROUS,
        (
            "theirs",
            "theirs: the folder holds files and no Palace build; build into a new or empty "
            "folder, or build beside its files once with `palace build --out theirs --force` "
            "(they are kept as they are; serve and publish then build there too)",
        ),
    ],
)
def test_check_reports_the_output_folder_that_build_refuses(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], out: str, message: str
) -> None:
    root = make_project(
        {
            "source/p.md": "- A: B\n",
            "notes.txt": "not a folder",
            "theirs/thesis.tex": "mine",
            "palace.toml": f"out = {out!r}\n",
        }
    )
    before = snapshot(root)
    for command in ("check", "build"):
        assert main([command]) == 1, command
        assert capsys.readouterr() == ("", f"palace: error: {message}\n"), command
        # check writes nothing; build, its lock in the project's cache at most
        assert {k: v for k, v in snapshot(root).items() if cache.CACHE not in k} == before
        assert command == "build" or snapshot(root) == before


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("loop", "loop: a symbolic link loop, not a folder"),
        ("loop/site", "loop/site: a symbolic link loop, not a folder"),
        (
            "notes.txt/site",
            "notes.txt: cannot write: a file is in the way (the build writes a folder there)",
        ),
    ],
)
def test_an_output_path_that_cannot_be_a_folder_is_refused_by_check_and_build(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], out: str, message: str
) -> None:
    root = make_project({"source/p.md": "- A: B\n", "notes.txt": "not a folder"})
    (root / "loop").symlink_to("loop")
    (root / "palace.toml").write_text(f"out = {out!r}\n")
    for argv in (["check"], ["build"], ["build", "--out", out, "--force"]):
        assert main(argv) == 1, argv
        assert capsys.readouterr() == ("", f"palace: error: {message}\n"), argv
    assert sorted(path.name for path in root.iterdir()) == [
        "loop", "notes.txt", "palace.toml", "source",
    ]  # fmt: skip


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


# -- a build with nothing to do skips rendering (fingerprint.py) ------------------------------

NOTES = "# Test palace\n\n## Kitchen\n- Stove: Loss: how far off\n![stove](stove.png)\n"


def aged(root: Path) -> None:
    """The project's files (not what builds write) saved a minute ago: not "racily clean".
    Not the spare in `.palace-cache/` either: its files are the output folder's."""
    past = time.time() - 60
    for path in root.rglob("*"):
        if not {"site", cache.CACHE} & set(path.relative_to(root).parts):
            os.utime(path, (past, past), follow_symlinks=False)  # a link: itself


def built(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """`palace build -v`: its first line, or why it rebuilt."""
    assert main(["build", "-v", *argv]) == 0
    out = capsys.readouterr().out
    reasons = [line.strip() for line in out.splitlines() if line.startswith("  because ")]
    return "nothing changed" if "(nothing changed)" in out else "; ".join(reasons)


@pytest.fixture
def project(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    # The builder's own files are inputs too (see test_a_change_to_the_builder_rebuilds); left
    # out here, so that someone editing the builder while the tests run changes nothing.
    monkeypatch.setattr(fingerprint, "code_files", list)
    root = make_project({"source/p.md": NOTES, "source/stove.png": b"\x89PNG one"})
    aged(root)
    assert built(capsys) == "because no record of a previous build in this folder"
    assert built(capsys) == "nothing changed"
    return root


def test_touched_but_unchanged_files_count_as_unchanged(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = project / "source" / "p.md"
    os.utime(notes, (time.time() - 30, time.time() - 30))  # `touch`, or a checkout
    record = record_file(project / "site").read_bytes()
    assert built(capsys) == "nothing changed"
    assert record_file(project / "site").read_bytes() != record  # the new stat, remembered


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda root: (root / "source/p.md").write_text(NOTES + "- Sink: Softmax\n"), "p.md"),
        (lambda root: (root / "source/stove.png").write_bytes(b"\x89PNG two"), "stove.png"),
        (lambda root: (root / "source/q.md").write_text(NOTES), "added or removed"),
        (lambda root: (root / "site/index.html").write_text("mine"), "output changed"),
        (lambda root: (root / "site/p.apkg").unlink(), "output changed"),
        (lambda root: (root / "palace.toml").write_text("lang = 'de'\n"), "settings changed"),
    ],
    ids=["notes", "picture", "new notes file", "output edited", "deck deleted", "settings"],
)
def test_any_change_to_what_a_build_reads_or_wrote_rebuilds(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[Path], object],
    reason: str,
) -> None:
    change(project)
    aged(project)
    assert reason in built(capsys)
    assert built(capsys) == "nothing changed"


def test_a_notes_file_that_is_a_link_counts_as_what_it_leads_to_now(
    project: Path, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A link is recorded as the link, not as the file it led to: pointing it elsewhere, or
    its file going away (a drive unmounted) or coming back, rebuilds."""
    drive = tmp_path_factory.mktemp("drive")
    (drive / "a.md").write_text("## Hall\n- Door: Bias\n")
    (drive / "b.md").write_text("## Hall\n- Door: Variance\n")
    link = project / "source" / "linked.md"
    link.symlink_to(drive / "a.md")
    aged(project)
    aged(drive)
    assert "added or removed" in built(capsys)
    link.unlink()
    link.symlink_to(drive / "b.md")
    aged(project)
    assert "changed: " + str(link) in built(capsys)
    hall = project / "site" / "linked" / "hall" / "index.html"
    assert "Variance" in hall.read_text(encoding="utf-8")
    (drive / "b.md").rename(drive / "b.md.off")
    assert "changed: " + str(link) in built(capsys)
    assert not hall.exists()
    assert built(capsys) == "nothing changed"
    (drive / "b.md.off").rename(drive / "b.md")
    assert "changed: " + str(link) in built(capsys)
    assert "Variance" in hall.read_text(encoding="utf-8")
    assert built(capsys) == "nothing changed"


def test_a_change_to_the_builder_rebuilds(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    template = project / "template.html"
    template.write_text("<p>{{ x }}</p>")
    aged(project)
    monkeypatch.setattr(fingerprint, "code_files", lambda: [template])
    assert built(capsys, "--full") == "because --full"
    assert built(capsys) == "nothing changed"
    template.write_text("<p>{{ y }}</p>")
    aged(project)
    assert built(capsys) == f"because changed: {template.resolve()}"


def test_a_file_saved_during_the_build_counts_as_changed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its stat cannot tell the version read from an edit made while building."""
    notes = project / "source" / "p.md"
    notes.write_text(NOTES + "- Sink: Softmax\n")
    soon = time.time() + 5  # as if saved after the build began reading
    os.utime(notes, (soon, soon))
    assert "p.md" in built(capsys)
    record = json.loads(record_file(project / "site").read_bytes())
    assert record["inputs"][str(notes.resolve())][2] is None  # no hash: "racily clean"
    assert "p.md" in built(capsys)  # so it is read again
    aged(project)
    assert "p.md" in built(capsys)
    assert built(capsys) == "nothing changed"


def test_warnings_are_repeated_and_strict_still_fails_when_nothing_changed(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"source/p.md": NOTES.replace("![stove](stove.png)\n", "## Hall\n")})
    aged(root)
    assert main(["build"]) == 0
    warning = capsys.readouterr().err
    assert "warning:" in warning
    assert main(["build"]) == 0
    out, err = capsys.readouterr()
    assert "(nothing changed)" in out and err == warning
    assert main(["build", "--strict"]) == 1
    assert capsys.readouterr() == ("", warning)


def test_a_failed_build_keeps_the_record_and_the_site(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    (project / "source" / "p.md").write_text(NOTES + "broken\n")
    assert main(["build"]) == 1
    assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == before
    (project / "source" / "p.md").write_text(NOTES)  # the same bytes as the last good build
    aged(project)
    capsys.readouterr()
    assert built(capsys) == "nothing changed"


def test_a_damaged_record_means_a_full_build(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_file(project / "site").write_text("{not json")
    assert built(capsys) == "because no record of a previous build in this folder"
    assert not [p for p in project.rglob("*") if p.name.endswith(".tmp")]


def test_files_kept_from_the_previous_build_stay_owned_and_untouched(tmp_path: Path) -> None:
    """The writer's side of an incremental build: pages not rendered again are kept."""
    out = tmp_path / "site"
    write_output(out, {"index.html": b"home", "room.html": b"room", "old.html": b"old"})
    os.utime(out / "room.html", (1_000_000, 1_000_000))
    report = write_output(out, {"index.html": b"new home"}, keep=["room.html", "stranger.html"])
    assert (report.written, report.unchanged, report.removed) == (
        ("index.html",),
        ("room.html",),
        ("old.html",),
    )
    assert (out / "room.html").stat().st_mtime == 1_000_000
    assert (out / MANIFEST).read_text() == "index.html\nroom.html\n"  # never owned: not kept


def test_the_record_is_kept_beside_the_output_and_git_ignores_it(project: Path) -> None:
    assert record_file(project / "site") == project.resolve() / ".palace-cache" / "site.json"
    assert (project / ".palace-cache" / ".gitignore").read_text().endswith("\n*\n")
    assert not [p for p in (project / "site").rglob(".palace-*") if p.name != ".palace-manifest"]


def test_a_record_damaged_by_hand_means_a_full_build(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = json.loads(record_file(project / "site").read_bytes())
    record["outputs"]["index.html"] = "not a stat"
    record_file(project / "site").write_text(json.dumps(record))
    assert built(capsys) == "because the record of the last build is damaged"
    assert built(capsys) == "nothing changed"


# -- what killed builds leave, and writes that fail (the real faults: test_faults.py) ----------


def test_a_build_killed_mid_fallback_swap_is_rolled_back_not_deleted(tmp_path: Path) -> None:
    """Killed between the two renames of the swap used where no atomic exchange exists."""
    out = tmp_path / "site"
    write_output(out, {"index.html": b"home"})
    (out / "CNAME").write_text("palace.example.org\n")
    os.rename(out, tmp_path / cache.CACHE / "staging-site-old")
    (tmp_path / cache.CACHE / "staging-site-4242").mkdir()  # the new build, half assembled
    report = write_output(out, {"index.html": b"new home"})
    assert report.cleaned == ((tmp_path / ".palace-cache/staging-site-4242").as_posix(),)
    assert (out / "CNAME").exists() and (out / "index.html").read_bytes() == b"new home"
    assert not any(p.name.startswith("staging-") for p in (tmp_path / cache.CACHE).iterdir())


def test_temp_files_of_dead_processes_are_cleaned_and_said(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_output(out, {"index.html": b"home"})
    folder = tmp_path / cache.CACHE
    gone = folder / ".palace-999999999-x1.tmp"  # no such process
    alive = folder / f"{cache.temp_prefix()}x2.tmp"  # this one: still writing it
    for temp in (gone, alive):
        temp.write_text("half a record")
    (folder / "notes.tmp").write_text("not ours")
    report = write_output(out, {"index.html": b"home"})
    assert report.cleaned == (gone.as_posix(),)
    assert f"cleaned up after an interrupted build: {gone.as_posix()}" in str(report)
    assert not gone.exists() and alive.exists() and (folder / "notes.tmp").exists()


def test_the_cache_ignores_itself_even_after_a_kill_between_its_two_files(tmp_path: Path) -> None:
    (tmp_path / cache.CACHE).mkdir()  # killed before .gitignore was written
    write_output(tmp_path / "site", {"index.html": b"home"})
    assert (tmp_path / cache.CACHE / ".gitignore").read_text() == cache.IGNORE_ALL


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda out: (out / "deck.apkg").mkdir(),
            "site/deck.apkg: cannot write: a folder is in the way (the build writes a file there)",
        ),
        (
            lambda out: (out / "rooms").write_text("mine"),
            "site/rooms: cannot write: a file is in the way (the build writes a folder there)",
        ),
    ],
    ids=["folder where a file goes", "file where a folder goes"],
)
def test_a_write_that_fails_names_the_output_path_not_the_staging_one(
    make_project: ProjectMaker, make: Callable[[Path], object], message: str
) -> None:
    root = make_project({})
    files = {"index.html": b"home", "deck.apkg": b"deck", "rooms/a.html": b"a"}
    out = Path("site")
    out.mkdir()
    make(root / "site")
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    with pytest.raises(OutputError) as error:
        write_output(out, files, force=True)  # beside the owner's folder or file
    assert str(error.value) == message
    after = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    assert [p for p in after if "staging" in p] == []
    assert set(before) <= set(after)


def test_mount_points_are_read_with_their_escapes(tmp_path: Path) -> None:
    out = tmp_path / "my site"
    table = tmp_path / "mountinfo"
    escaped = str(out).replace(" ", "\\040")
    table.write_text(
        f"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
        f"40 22 0:5 / {escaped}/deck\\040one.apkg rw - tmpfs tmpfs rw\n"
        f"41 22 0:6 / {escaped}-other rw - tmpfs tmpfs rw\n"
    )
    assert guards.mount_points(out, table) == [out / "deck one.apkg"]


def test_a_report_says_what_it_could_not_clean() -> None:
    report = WriteReport(("a",), (), (), (), (".palace-cache/staging-site-7",))
    assert str(report) == (
        "1 written, 0 unchanged, 0 removed; could not remove what an interrupted build left: "
        ".palace-cache/staging-site-7"
    )


def test_a_read_only_file_in_a_writable_folder_is_replaced(tmp_path: Path) -> None:
    """As `mv` would: the folder's permission decides, not the file's (README)."""
    out = tmp_path / "site"
    write_output(out, {"deck.apkg": b"old deck"})
    (out / "deck.apkg").chmod(0o444)
    assert write_output(out, {"deck.apkg": b"new deck"}).written == ("deck.apkg",)
    assert (out / "deck.apkg").read_bytes() == b"new deck"


# -- the spare: the folder the last build swapped out, where the next one is assembled ----------

V1 = {
    "index.html": b"home",
    "deck.apkg": b"deck 1",
    "room/a/index.html": b"a",
    "hall/index.html": b"hall",
    "garden/index.html": b"garden",
    "gone.html": b"x",
}
V2 = {**V1, "deck.apkg": b"deck 2", "room/b/index.html": b"b"}
V3 = {**V2, "index.html": b"home 3", "deck.apkg": b"deck 3", "room/c/index.html": b"c"}
del V3["gone.html"]


def owners_files(out: Path) -> None:
    """What a build never wrote: a file beside the pages and in a room, an empty folder, a
    symbolic link."""
    (out / "CNAME").write_text("palace.example.org\n")
    (out / "room" / "mine.txt").write_text("the owner's")
    (out / "drafts").mkdir()
    (out / "latest").symlink_to("room/a")


def snapshot(out: Path) -> dict[str, object]:
    """All a build decides about a folder: bytes of files, targets of links, folders and their
    permissions."""
    found: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.is_symlink():
            found[name] = ("link", os.readlink(path))
        elif path.is_dir():
            found[name] = ("folder", oct(path.stat().st_mode & 0o7777))
        else:
            found[name] = path.read_bytes()
    return found


def spare_of(out: Path) -> Path:
    return out.parent / cache.CACHE / f"spare-{out.name}"


def link(path: Path, to: Path) -> None:
    """`path` becomes a hard link to `to`, whatever was there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.link(to, path)


def replace(path: Path, make: Callable[[Path], object]) -> None:
    shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    make(path)


# How the spare (V1 and the owner's files, as hard links) can be found; each on other files,
# so that all of them can be at once. The next build (V3) must make exactly its output from
# it, and never write into a file the spare shares with the output folder.
SPARE_DAMAGE: dict[str, Callable[[Path, Path], object]] = {
    "files and folders too many": lambda spare, out: (
        (spare / "stray.html").write_bytes(b"stray"),
        (spare / "room" / "z").mkdir(),
        (spare / "room" / "z" / "index.html").write_bytes(b"z"),
        (spare / "empty").mkdir(),
    ),
    "a kept file with other bytes, sharing no inode": lambda spare, out: replace(
        spare / "room" / "a" / "index.html", lambda path: path.write_bytes(b"stale")
    ),
    "a kept file with the same bytes, sharing no inode": lambda spare, out: replace(
        spare / "CNAME", lambda path: path.write_text("palace.example.org\n")
    ),
    "a folder missing": lambda spare, out: shutil.rmtree(spare / "hall"),
    "an empty folder missing": lambda spare, out: (spare / "drafts").rmdir(),
    "a hard link to another file of the output folder": lambda spare, out: link(
        spare / "room" / "mine.txt", out / "room" / "a" / "index.html"
    ),
    "a hard link to the output folder's file that gets new bytes": lambda spare, out: link(
        spare / "index.html", out / "index.html"
    ),
    "a hard link to the output folder's deck, where a kept page goes": lambda spare, out: link(
        spare / "room" / "b" / "index.html", out / "deck.apkg"
    ),
    "a folder where a file goes": lambda spare, out: replace(
        spare / "deck.apkg", lambda path: (path.mkdir(), (path / "x").write_bytes(b"x"))
    ),
    "a file where a folder goes": lambda spare, out: (spare / "room" / "c").write_bytes(b"c"),
    "a symbolic link to the output folder's own folder": lambda spare, out: replace(
        spare / "garden", lambda path: path.symlink_to(out / "garden", target_is_directory=True)
    ),
    "the owner's symbolic link pointing elsewhere": lambda spare, out: replace(
        spare / "latest", lambda path: path.symlink_to("elsewhere")
    ),
    "a folder with other permissions": lambda spare, out: (spare / "room").chmod(0o700),
}
WHOLE_SPARE_DAMAGE: dict[str, Callable[[Path, Path], object]] = {
    "the spare a symbolic link to the output folder": lambda spare, out: replace(
        spare, lambda path: path.symlink_to(out, target_is_directory=True)
    ),
    "the spare a file": lambda spare, out: replace(spare, lambda path: path.write_bytes(b"x")),
    "the spare empty": lambda spare, out: replace(spare, Path.mkdir),
}


def live_files(out: Path) -> dict[str, tuple[int, bytes, int]]:
    """Inode, bytes and modification time of every file of `out`."""
    return {
        p.relative_to(out).as_posix(): (p.lstat().st_ino, p.read_bytes(), p.lstat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def damaged(tmp_path: Path) -> Callable[[list[str]], tuple[Path, Path]]:
    """An output folder built from V1 (with the owner's files) then V2, and its spare damaged;
    beside it the same built from scratch, without a spare, for V3."""

    def make(damages: list[str]) -> tuple[Path, Path]:
        out, scratch = tmp_path / "site", tmp_path / "scratch" / "site"
        write_output(out, V1)
        owners_files(out)
        write_output(out, V2)
        assert spare_of(out).is_dir()
        for damage in damages:
            {**SPARE_DAMAGE, **WHOLE_SPARE_DAMAGE}[damage](spare_of(out), out)
        write_output(scratch, V1)
        owners_files(scratch)
        assert not spare_of(scratch).exists()  # so V3 is built in a new folder
        write_output(scratch, V3)
        return out, scratch

    return make


DAMAGES = [*SPARE_DAMAGE, *WHOLE_SPARE_DAMAGE, "all"]


@pytest.mark.parametrize("damage", DAMAGES, ids=DAMAGES)
def test_a_damaged_spare_is_corrected_and_the_output_is_as_if_built_from_scratch(
    damaged: Callable[[list[str]], tuple[Path, Path]], damage: str
) -> None:
    out, scratch = damaged(list(SPARE_DAMAGE) if damage == "all" else [damage])
    before = live_files(out)
    report = write_output(out, V3)
    assert snapshot(out) == snapshot(scratch)
    assert report.written == ("deck.apkg", "index.html", "room/c/index.html")
    assert report.removed == ("gone.html",)
    after = live_files(out)
    for name in ("CNAME", "room/mine.txt", "room/a/index.html", "room/b/index.html"):
        assert after[name] == before[name]  # the very same file: kept, not copied
    assert after["deck.apkg"][0] not in {inode for inode, _, _ in before.values()}


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two renames"])
def test_no_file_of_the_output_folder_is_written_into_before_the_swap(
    damaged: Callable[[list[str]], tuple[Path, Path]],
    monkeypatch: pytest.MonkeyPatch,
    exchange: bool,
) -> None:
    """The spare shares its files with the output folder: a build that wrote into one would
    change the last good build. Checked with the spare in every damaged state at once."""
    out, _ = damaged(list(SPARE_DAMAGE))
    before = live_files(out)
    real = swap._exchange
    swaps = []

    def checked(first: Path, second: Path) -> bool:
        assert live_files(out) == before  # inode, bytes and time of every file
        swaps.append(second)
        return real(first, second) if exchange else False

    monkeypatch.setattr(swap, "_exchange", checked)
    write_output(out, V3)
    assert swaps == [out]
    assert live_files(spare_of(out)) == before  # the last good build, now the spare


def test_the_spare_is_the_build_before_sharing_the_files_that_stayed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_output(out, V1)
    assert not spare_of(out).exists()  # nothing was swapped out
    first = snapshot(out)
    write_output(out, V2)
    spare = spare_of(out)
    assert snapshot(spare) == first
    assert (spare / "index.html").stat().st_ino == (out / "index.html").stat().st_ino
    assert (spare / "deck.apkg").stat().st_ino != (out / "deck.apkg").stat().st_ino


def test_a_killed_builds_folder_becomes_the_spare_and_is_said(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_output(out, V1)
    write_output(out, V2)
    killed = tmp_path / cache.CACHE / "staging-site-4242"
    os.rename(spare_of(out), killed)  # killed while assembling its folder in the spare
    (killed / "index.html").unlink()
    (killed / "index.html").write_bytes(b"half written")
    report = write_output(out, V3)
    assert report.cleaned == (killed.as_posix(),)
    assert snapshot(out)["index.html"] == b"home 3" and not killed.exists()
    folders = [p.name for p in (tmp_path / cache.CACHE).iterdir() if p.is_dir()]
    assert folders == ["spare-site"]


def test_a_file_written_as_a_stream_is_kept_only_when_its_bytes_changed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_output(out, {"deck.apkg": b"deck", "index.html": b"home"})
    os.utime(out / "deck.apkg", (1_000_000, 1_000_000))
    with Output(out) as output:
        with output.writing("deck.apkg") as stream:
            stream.write(b"de")
            stream.write(b"ck")  # the same bytes, written in pieces
        with output.writing("decks/new.apkg") as stream:
            stream.write(b"new")
        output.put("index.html", b"home")
        report = output.finish()
    assert report.written == ("decks/new.apkg",)
    assert report.unchanged == ("deck.apkg", "index.html")
    assert (out / "deck.apkg").stat().st_mtime == 1_000_000
    assert (out / "decks" / "new.apkg").read_bytes() == b"new"
    with Output(out) as output:
        with output.writing("deck.apkg") as stream:
            stream.write(b"deck, changed")
        report = output.finish()
    assert report.written == ("deck.apkg",) and report.removed == ("decks/new.apkg", "index.html")
    assert (out / "deck.apkg").read_bytes() == b"deck, changed"


def test_a_stream_that_fails_names_the_output_file_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_output(out, {"deck.apkg": b"deck"})
    before = (out / "deck.apkg").stat().st_ino
    with (
        pytest.raises(OutputError) as error,
        Output(out) as output,
        output.writing("deck.apkg"),
    ):
        raise OSError(28, "No space left on device")
    assert str(error.value) == f"{out.as_posix()}/deck.apkg: cannot write: No space left on device"
    assert (out / "deck.apkg").stat().st_ino == before
    assert not cache.staging_folder(out.resolve()).exists()
