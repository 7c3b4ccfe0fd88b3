"""The output folder belongs to Palace only as far as its manifest says: a folder of someone's
is refused unless forced; then, and in every later build, what Palace did not write keeps its
bytes, modes (special bits too), owners and times; a file of the owner's where Palace writes
one is an error; a symbolic link to the output folder stays a link; the cache is in the
project's `.palace-cache/`, never in a folder the owner did not choose."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from conftest import ProjectMaker

from builder.cli import main
from builder.errors import OutputError
from builder.output import MANIFEST, cache, write_output

NOTES = "# Test palace\n\n## Kitchen\n- Stove: Loss: how far off\n- Sink: Bias: how skewed\n"
ROOT = os.geteuid() == 0
OTHER = 1234  # a uid and gid of someone else, for folders and files chown'ed as root

Status = tuple[bytes | None, int, int, int, int]


def owners_things(out: Path) -> list[str]:
    """Fill `out` with the owner's files and folders, odd modes and owners included; their
    names, relative to `out`."""
    out.mkdir(exist_ok=True)
    (out / ".ssh").mkdir(mode=0o700)
    (out / ".ssh" / "id_ed25519").write_bytes(b"secret")
    (out / ".ssh" / "id_ed25519").chmod(0o600)
    (out / "shared").mkdir()
    (out / "shared").chmod(0o1777)  # sticky
    (out / "shared" / "note.txt").write_bytes(b"shared note")
    (out / "team").mkdir()
    (out / "team").chmod(0o2750)  # setgid
    (out / "team" / "plan.txt").write_bytes(b"plan")
    (out / "empty").mkdir(mode=0o705)
    (out / "CNAME").write_bytes(b"palace.example.org\n")
    (out / "run.sh").write_bytes(b"#!/bin/sh\n")
    (out / "run.sh").chmod(0o4755 if ROOT else 0o755)
    (out / "latest").symlink_to("shared/note.txt")
    names = [".ssh", ".ssh/id_ed25519", "shared", "shared/note.txt", "team", "team/plan.txt"]
    names += ["empty", "CNAME", "run.sh", "latest"]
    if ROOT:
        for name in ("shared", "shared/note.txt", "team"):
            os.chown(out / name, OTHER, OTHER)
        (out / "shared").chmod(0o1777)
        (out / "team").chmod(0o2750)  # chown clears the setgid bit
    past = 1_600_000_000_000_000_000
    for name in names:  # folders last: setting a file's time does not change its folder's
        os.utime(out / name, ns=(past, past), follow_symlinks=False)
    for name in reversed(names):
        if (out / name).is_dir() and not (out / name).is_symlink():
            os.utime(out / name, ns=(past, past))
    return names


def status(out: Path, names: list[str]) -> dict[str, Status]:
    """Bytes (of a file), mode, uid, gid and modification time of each of `names`."""
    found = {}
    for name in names:
        path = out / name
        info = path.lstat()
        data = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
        mode = stat.S_IMODE(info.st_mode)
        found[name] = (data, mode, info.st_uid, info.st_gid, info.st_mtime_ns)
    return found


def test_a_folder_of_someones_is_refused_in_one_line_and_left_as_it_is(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"source/p.md": NOTES, "dest/index.html": "mine"})
    names = owners_things(root / "dest")
    before = status(root / "dest", [*names, "index.html"])
    assert main(["build", "--out", "dest"]) == 1
    assert capsys.readouterr().err == (
        "palace: error: dest: the folder holds files and no Palace build; build into a new or "
        "empty folder, or build beside its files once with `palace build --out dest --force` "
        "(they are kept as they are; serve and publish then build there too)\n"
    )
    assert status(root / "dest", [*names, "index.html"]) == before
    assert sorted(p.name for p in (root / "dest").iterdir()) == sorted(
        [".ssh", "shared", "team", "empty", "CNAME", "run.sh", "latest", "index.html"]
    )


def test_force_is_documented_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    assert "--force" in capsys.readouterr().out
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "--force" in readme and "holds files but no Palace\n  build" in readme


@pytest.mark.parametrize("where", ["dest", "../outside/dest"])
def test_the_owners_things_survive_every_build_with_force(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    root = make_project({"source/p.md": NOTES})
    out = root / where
    out.parent.mkdir(parents=True, exist_ok=True)
    names = owners_things(out)
    before = status(out, names)
    assert main(["build", "--out", where, "--force"]) == 0
    assert (out / "index.html").is_file() and (out / MANIFEST).is_file()
    assert status(out, names) == before
    # later builds need no --force: the folder holds a Palace build now
    (root / "source" / "p.md").write_text(NOTES + "- Tap: Noise: how random\n")
    assert main(["build", "--out", where]) == 0
    assert status(out, names) == before
    assert main(["build", "--out", where]) == 0  # nothing to do
    assert main(["build", "--out", where, "--full"]) == 0
    assert status(out, names) == before
    (root / "source" / "p.md").write_text(NOTES)
    assert main(["build", "--out", where]) == 0
    assert status(out, names) == before
    if where.startswith(".."):
        assert sorted(p.name for p in out.parent.iterdir()) == ["dest"]  # no cache beside it


def test_the_output_folder_keeps_its_own_mode_and_owner(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"source/p.md": NOTES})
    out = root / "dest"
    out.mkdir()
    out.chmod(0o2771)
    if ROOT:
        os.chown(out, OTHER, OTHER)
        out.chmod(0o2771)
    for _ in range(3):
        assert main(["build", "--out", "dest", "--full"]) == 0
        info = out.stat()
        assert stat.S_IMODE(info.st_mode) == 0o2771
        assert (info.st_uid, info.st_gid) == (
            (OTHER, OTHER) if ROOT else (os.geteuid(), info.st_gid)
        )


@pytest.mark.parametrize("name", ["index.html", "palace.apkg", "assets/site.css"])
def test_a_file_of_the_owners_where_palace_writes_one_is_an_error_naming_it(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    root = make_project({"source/p.md": NOTES})
    assert main(["build", "--out", "probe"]) == 0
    written = (root / "probe" / MANIFEST).read_text().splitlines()
    target = name if name in written else next(w for w in written if w.endswith(name[-4:]))
    out = root / "dest"
    (out / target).parent.mkdir(parents=True)
    (out / target).write_bytes(b"the owner's")
    capsys.readouterr()
    assert main(["build", "--out", "dest", "--force"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"palace: error: dest/{target}: cannot write: a file palace did not write is in "
        "the way (palace never overwrites it: move it away)\n"
    )
    assert (out / target).read_bytes() == b"the owner's"
    assert not (out / MANIFEST).exists()


def test_the_same_bytes_are_no_excuse_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "dest"
    out.mkdir()
    (out / "index.html").write_bytes(b"home")
    with pytest.raises(OutputError, match="a file palace did not write is in the way"):
        write_output(out, {"index.html": b"home"}, force=True)
    write_output(out, {"other.html": b"x"}, force=True)
    assert (out / MANIFEST).read_text() == "other.html\n"


def test_a_pages_folder_with_the_owners_nojekyll_and_cname_is_built_into_as_it_is(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder set up for GitHub Pages holds `.nojekyll` (any bytes: Pages reads only that it
    is there) and `CNAME`: no --force needed, both stay the owner's, and the build writes its
    own `.nojekyll` only once the owner's is gone."""
    root = make_project({"source/p.md": NOTES})
    out = root / "docs"
    out.mkdir()
    (out / ".nojekyll").write_bytes(b"kept by hand\n")
    (out / "CNAME").write_bytes(b"palace.example.org\n")
    before = status(out, [".nojekyll", "CNAME"])
    past = time.time() - 60  # not "racily clean": the second build is a no-op
    for path in (root / "source", root / "source" / "p.md"):
        os.utime(path, (past, past))
    assert main(["build", "--out", "docs"]) == 0
    assert main(["build", "--out", "docs"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert status(out, [".nojekyll", "CNAME"]) == before
    owned = (out / MANIFEST).read_text().splitlines()
    assert ".nojekyll" not in owned and "CNAME" not in owned
    (out / ".nojekyll").unlink()
    assert main(["build", "--out", "docs"]) == 0
    assert (out / ".nojekyll").read_bytes() == b""
    assert ".nojekyll" in (out / MANIFEST).read_text().splitlines()


def test_an_owners_nojekyll_stands_in_for_the_one_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "dest"
    out.mkdir()
    (out / ".nojekyll").write_bytes(b"mine")
    write_output(out, {".nojekyll": b"", "index.html": b"home"})
    assert (out / ".nojekyll").read_bytes() == b"mine"
    assert (out / MANIFEST).read_text() == "index.html\n"


def test_an_empty_or_new_folder_needs_no_force(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"source/p.md": NOTES})
    (root / "empty").mkdir()
    assert main(["build", "--out", "empty"]) == 0
    assert main(["build", "--out", "new/deeper"]) == 0
    assert (root / "new" / "deeper" / "index.html").is_file()


@pytest.mark.parametrize("absolute", [False, True], ids=["relative link", "absolute link"])
def test_a_symlinked_output_folder_is_built_into_its_target_and_stays_a_link(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], absolute: bool
) -> None:
    root = make_project({"source/p.md": NOTES})
    project = root / "project"
    (project / "source").mkdir(parents=True)
    (project / "source" / "p.md").write_text(NOTES)
    target = root / "elsewhere" / "pub"
    target.mkdir(parents=True)
    os.chdir(project)
    (project / "site").symlink_to(target if absolute else Path("../elsewhere/pub"))
    for notes in (NOTES, NOTES + "- Tap: Noise: how random\n", NOTES):
        (project / "source" / "p.md").write_text(notes)
        assert main(["build"]) == 0
        assert (project / "site").is_symlink()
        assert os.readlink(project / "site") == str(target if absolute else "../elsewhere/pub")
        assert (target / "index.html").is_file() and (target / MANIFEST).is_file()
        assert sorted(p.name for p in project.iterdir()) == [cache.CACHE, "site", "source"]
        assert sorted(p.name for p in target.parent.iterdir()) == ["pub"]
    assert main(["build", "--full"]) == 0
    assert (project / "site").is_symlink()


def test_out_outside_the_project_leaves_no_cache_beside_it(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"project/source/p.md": NOTES})
    os.chdir(root / "project")
    (root / "some" / "where").mkdir(parents=True)
    for _ in range(2):
        assert main(["build", "--out", "../some/where/dest"]) == 0
    assert sorted(p.name for p in (root / "some" / "where").iterdir()) == ["dest"]
    project_cache = sorted(p.name for p in (root / "project" / cache.CACHE).iterdir())
    assert [n for n in project_cache if n.endswith(".json")] == [
        f"{cache.folder_name(root / 'some' / 'where' / 'dest')}.json"
    ]


def test_two_outputs_of_the_same_name_share_no_files(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"source/p.md": NOTES})
    assert main(["build", "--out", "a/site"]) == 0
    assert main(["build", "--out", "b/site"]) == 0
    assert main(["build"]) == 0
    names = {cache.folder_name(root / f) for f in ("a/site", "b/site", "site")}
    assert len(names) == 3 and "site" in names
    listing = {p.name for p in (root / cache.CACHE).iterdir()}
    for name in names:
        assert {f"{name}.json", f"{name}.memo", f"{name}.lock"} <= listing
    capsys.readouterr()
    (root / "source" / "p.md").write_text(NOTES + "- Tap: Noise: how random\n")
    past = time.time() - 60  # not "racily clean": a build can tell it is unchanged
    os.utime(root / "source" / "p.md", (past, past))
    os.utime(root / "source", (past, past))
    assert main(["build", "--out", "a/site"]) == 0
    assert "up to date" not in capsys.readouterr().out
    assert main(["build", "--out", "b/site"]) == 0  # a's build is no record of b's
    assert "up to date" not in capsys.readouterr().out
    assert main(["build", "--out", "b/site"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_the_default_site_keeps_its_cache_names(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"source/p.md": NOTES})
    assert main(["build"]) == 0
    assert main(["build", "--full"]) == 0
    listing = sorted(p.name for p in (root / cache.CACHE).iterdir())
    assert listing == [".gitignore", "site.json", "site.lock", "site.memo", "spare-site"]
    assert cache.work_folder(root / "site") == root.resolve() / cache.CACHE


def test_on_another_file_system_the_spare_is_beside_the_output_folder(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The swap needs the staging folder on the output folder's file system: when the project's
    `.palace-cache/` is on another, staging and spare go beside the output folder; the record
    and the memo stay in the project's."""
    root = make_project({"project/source/p.md": NOTES})
    os.chdir(root / "project")
    disk = root / "disk"
    disk.mkdir()
    real = cache._device
    monkeypatch.setattr(cache, "_device", lambda p: -2 if disk in (p, *p.parents) else real(p))
    for _ in range(2):
        assert main(["build", "--full", "--out", "../disk/dest"]) == 0
    name = cache.folder_name(disk / "dest")
    assert sorted(p.name for p in (disk / cache.CACHE).iterdir()) == [".gitignore", f"spare-{name}"]
    assert {f"{name}.json", f"{name}.memo"} <= {
        p.name for p in (root / "project" / cache.CACHE).iterdir()
    }
    assert (disk / "dest" / "index.html").is_file()
