"""`palace publish` against a local bare repository standing in for GitHub.

Each test makes a project (notes committed on `main`, `site/` ignored) and a bare remote in
tmp_path; git reads no global or system configuration, and the identity comes from the
environment, so the tests see the same git on every machine.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from builder import __version__
from builder.cli import main

Capture = pytest.CaptureFixture[str]

NOTES = """\
# Test palace

## Hall
> The hall is long.
- Door: Overfitting: learns the noise
  > A door covered in every fingerprint.
- Window: Training step:
  - Sill: loss.backward() # gradients
  - Latch: optimizer.step() # update
"""


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("EMAIL", raising=False)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Ada Tester")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "ada@example.org")
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def remote(tmp_path: Path, isolated_git: None) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    return bare


@pytest.fixture
def project(tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    (folder / "source").mkdir(parents=True)
    (folder / "source" / "test.md").write_text(NOTES, encoding="utf-8")
    (folder / ".gitignore").write_text("site/\n", encoding="utf-8")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "notes")
    git(folder, "remote", "add", "origin", str(remote))
    monkeypatch.chdir(folder)
    return folder


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def published_tree(remote: Path, ref: str = "gh-pages") -> dict[str, str]:
    listing = git(remote, "ls-tree", "-r", "-z", ref)
    tree = {}
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        assert (mode, kind) == ("100644", "blob"), entry
        tree[path] = sha
    return tree


def folder_tree(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): blob_id(path.read_bytes())
        for path in folder.rglob("*")
        if path.is_file()
    }


def checkout_state(folder: Path) -> tuple[str, ...]:
    return (
        git(folder, "status", "--porcelain", "--untracked-files=all"),
        git(folder, "symbolic-ref", "HEAD"),
        git(folder, "rev-parse", "HEAD"),
        git(folder, "ls-files", "--stage"),
    )


def test_publish_pushes_exactly_the_built_site(
    project: Path, remote: Path, capsys: Capture
) -> None:
    (project / "site").mkdir()
    (project / "site" / "CNAME").write_text("palace.example.org\n", encoding="utf-8")
    before = checkout_state(project)
    code, out, err = run(capsys, "publish")
    assert (code, err) == (0, "")
    source = git(project, "rev-parse", "--short", "HEAD")
    tip = git(remote, "rev-parse", "gh-pages")
    expected = folder_tree(project / "site")
    for bookkeeping in [name for name in expected if name.startswith(".palace-")]:
        del expected[bookkeeping]  # the build's manifest and record are not published
    assert published_tree(remote) == expected
    assert {".nojekyll", "index.html", "test.apkg", "CNAME"} <= set(expected)
    assert git(remote, "log", "--format=%s|%an <%ae>", "gh-pages") == (
        f"Publish site from {source} (palace {__version__})|Ada Tester <ada@example.org>"
    )
    assert out.splitlines()[-1] == (
        f"published {len(expected)} files to origin gh-pages: {tip[:7]} "
        f"Publish site from {source} (palace {__version__})"
    )
    assert checkout_state(project) == before
    assert git(project, "rev-parse", "gh-pages") == tip


def test_working_tree_and_index_are_untouched(project: Path, capsys: Capture) -> None:
    """Staged and unstaged changes outside the notes survive a publish byte for byte."""
    (project / "todo.txt").write_text("staged\n", encoding="utf-8")
    git(project, "add", "todo.txt")
    (project / "todo.txt").write_text("staged, then edited\n", encoding="utf-8")
    (project / "scratch.txt").write_text("untracked\n", encoding="utf-8")
    run(capsys, "build")  # so that the publish's build changes nothing in site/
    before = checkout_state(project)
    assert run(capsys, "publish")[0] == 0
    assert checkout_state(project) == before
    assert (project / "todo.txt").read_text(encoding="utf-8") == "staged, then edited\n"


def test_second_publish_adds_one_commit_on_the_first(
    project: Path, remote: Path, capsys: Capture
) -> None:
    assert run(capsys, "publish")[0] == 0
    first = git(remote, "rev-parse", "gh-pages")
    notes = project / "source" / "test.md"
    notes.write_text(NOTES.replace("learns the noise", "learns the noise too"), encoding="utf-8")
    git(project, "commit", "-q", "-am", "edit")
    assert run(capsys, "publish", "--message", "Second edition")[0] == 0
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Second edition"
    expected = {
        name: blob
        for name, blob in folder_tree(project / "site").items()
        if not name.startswith(".palace-")
    }
    assert published_tree(remote) == expected
    # nothing changed since: no empty commit, nothing pushed
    code, out, _ = run(capsys, "publish")
    assert code == 0
    assert out.splitlines()[-1].endswith("already on origin gh-pages: nothing to publish")
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"


def test_history_continues_from_the_remote_when_the_branch_is_not_local(
    project: Path, remote: Path, capsys: Capture
) -> None:
    """Publishing from a fresh clone (no local gh-pages) builds on what was published."""
    assert run(capsys, "publish")[0] == 0
    first = git(remote, "rev-parse", "gh-pages")
    git(project, "branch", "-D", "gh-pages")
    git(project, "update-ref", "-d", "refs/remotes/origin/gh-pages")
    git(project, "reflog", "expire", "--expire=now", "--all")
    git(project, "gc", "-q", "--prune=now")
    assert subprocess.run(["git", "cat-file", "-e", first], cwd=project).returncode != 0
    (project / "source" / "test.md").write_text(NOTES + "- Roof: Dropout\n", encoding="utf-8")
    git(project, "commit", "-q", "-am", "roof")
    assert run(capsys, "publish")[0] == 0
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert git(project, "rev-parse", "origin/gh-pages") == git(remote, "rev-parse", "gh-pages")


def test_nothing_is_pushed_when_the_notes_have_errors(
    project: Path, remote: Path, capsys: Capture
) -> None:
    (project / "source" / "test.md").write_text(NOTES + "Gate\n", encoding="utf-8")
    git(project, "commit", "-q", "-am", "broken")
    code, out, err = run(capsys, "publish")
    assert (code, out) == (1, "")
    assert err.endswith("1 error, 0 warnings in 1 file\n")
    assert git(remote, "for-each-ref") == ""
    assert git(project, "branch", "--list", "gh-pages") == ""
    assert not (project / "site").exists()


def test_uncommitted_notes_are_refused_unless_forced(
    project: Path, remote: Path, capsys: Capture
) -> None:
    (project / "source" / "test.md").write_text(NOTES + "- Roof: Dropout\n", encoding="utf-8")
    (project / "source" / "new.md").write_text("- Gate: Bias\n", encoding="utf-8")
    assert run(capsys, "publish") == (
        1,
        "",
        "palace: error: uncommitted changes to the notes (source/new.md and 1 more): commit "
        "them first, or publish anyway with --force\n",
    )
    assert git(remote, "for-each-ref") == ""
    assert not (project / "site").exists()
    code, _, err = run(capsys, "publish", "--force")
    assert (code, err) == (0, "")
    source = git(project, "rev-parse", "--short", "HEAD")
    assert git(remote, "log", "--format=%s", "gh-pages") == (
        f"Publish site from {source}-dirty (palace {__version__})"
    )
    assert "new.apkg" in published_tree(remote)


def test_a_link_loop_among_the_notes_is_an_uncommitted_change_not_a_crash(
    project: Path, remote: Path, capsys: Capture
) -> None:
    (project / "source" / "loop.md").symlink_to("loop.md")  # the build skips it, and says so
    code, out, err = run(capsys, "publish")
    assert (code, out) == (1, "")
    assert err == (
        "palace: error: uncommitted changes to the notes (source/loop.md): commit them first, "
        "or publish anyway with --force\n"
    )
    assert run(capsys, "publish", "--force")[0] == 0
    assert "test.apkg" in published_tree(remote)


def test_changes_outside_the_notes_do_not_block(project: Path, capsys: Capture) -> None:
    (project / "README.md").write_text("draft\n", encoding="utf-8")
    assert run(capsys, "publish")[0] == 0


@pytest.mark.parametrize(
    ("setup", "argv", "message"),
    [
        (
            ["remote", "remove", "origin"],
            ["publish"],
            "no remote 'origin' in this repository (it has none); add it with "
            "'git remote add origin URL' or choose one with --remote",
        ),
        (
            [],
            ["publish", "--remote", "upstream"],
            "no remote 'upstream' in this repository (its remotes are origin); add it with "
            "'git remote add upstream URL' or choose one with --remote",
        ),
        (
            [],
            ["publish", "--branch", "main"],
            "the branch 'main' is checked out here; publishing replaces its whole tree, so "
            "switch to the branch of your notes first",
        ),
        ([], ["publish", "--branch", "bad..name"], "'bad..name' is not a valid branch name"),
    ],
)
def test_refusals_name_the_cause(
    project: Path,
    remote: Path,
    capsys: Capture,
    setup: list[str],
    argv: list[str],
    message: str,
) -> None:
    if setup:
        git(project, *setup)
    assert run(capsys, *argv) == (1, "", f"palace: error: {message}\n")
    assert git(remote, "for-each-ref") == ""


@pytest.mark.parametrize("where", ["here", "remote only"])
def test_the_branch_of_the_notes_is_never_published_over(
    project: Path, remote: Path, capsys: Capture, where: str
) -> None:
    """On another branch, `--branch main` would replace the notes' whole tree with the site."""
    git(project, "push", "-q", "origin", "main")
    git(project, "switch", "-q", "-c", "draft")
    if where == "remote only":
        git(project, "branch", "-D", "main")
    notes_tip = git(remote, "rev-parse", "main")
    assert run(capsys, "publish", "--branch", "main") == (
        1,
        "",
        "palace: error: the branch 'main' holds your notes (source/test.md): publishing "
        "replaces its whole tree with the site; publish to a branch of its own (the default, "
        "gh-pages)\n",
    )
    assert git(remote, "rev-parse", "main") == notes_tip
    assert git(remote, "for-each-ref", "--format=%(refname)") == "refs/heads/main"
    assert not (project / "site").exists(), "refused before building"


def test_not_a_git_repository(
    tmp_path: Path, isolated_git: None, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    folder = tmp_path / "plain"
    (folder / "source").mkdir(parents=True)
    (folder / "source" / "test.md").write_text(NOTES, encoding="utf-8")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert run(capsys, "publish") == (
        1,
        "",
        f"palace: error: {folder.as_posix()}: not a git repository; run palace publish "
        "inside the repository of your notes (git init, then add a remote)\n",
    )


def test_unreachable_remote(project: Path, remote: Path, capsys: Capture) -> None:
    git(project, "remote", "set-url", "origin", str(remote.parent / "gone.git"))
    code, out, err = run(capsys, "publish")
    assert (code, out) == (1, "")
    assert err.startswith("palace: error: cannot reach the remote 'origin': fatal: ")
    assert err.count("\n") == 1


def test_rejected_push_names_the_cause(project: Path, remote: Path, capsys: Capture) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'no publishing today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    assert run(capsys, "publish") == (
        1,
        "",
        "palace: error: push to 'origin' failed: ! [remote rejected] gh-pages -> gh-pages "
        "(pre-receive hook declined); the new commit is on the local branch 'gh-pages', "
        "so run palace publish again once that is fixed\n",
    )
    assert git(remote, "for-each-ref") == ""
    hook.unlink()
    code, out, _ = run(capsys, "publish")  # the commit made before is pushed, not a new one
    assert code == 0
    assert "pushed it to origin gh-pages" in out.splitlines()[-1]
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"


def test_diverged_branches_are_refused(project: Path, remote: Path, capsys: Capture) -> None:
    assert run(capsys, "publish")[0] == 0
    git(project, "branch", "-f", "gh-pages", "main")  # a local gh-pages unrelated to the remote's
    code, _, err = run(capsys, "publish")
    assert code == 1
    assert err == (
        "palace: error: the local branch 'gh-pages' and 'gh-pages' on origin have diverged; "
        "delete the local one ('git branch -D gh-pages') to publish on top of origin's\n"
    )


def test_fallback_identity_when_git_has_none(
    project: Path, remote: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{role}_NAME")
        monkeypatch.delenv(f"GIT_{role}_EMAIL")
    code, out, _ = run(capsys, "publish")
    assert code == 0
    assert git(remote, "log", "--format=%an <%ae>|%cn <%ce>", "gh-pages") == (
        "Palace <palace@localhost>|Palace <palace@localhost>"
    )
    assert out.splitlines()[-1] == (
        "  committed as Palace <palace@localhost>: git has no user.name/user.email configured"
    )
    assert "user." not in git(project, "config", "--list")


def test_configured_identity_is_used(
    project: Path, remote: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{role}_NAME")
        monkeypatch.delenv(f"GIT_{role}_EMAIL")
    git(project, "config", "user.name", "Grace")
    git(project, "config", "user.email", "grace@example.org")
    assert run(capsys, "publish")[0] == 0
    assert git(remote, "log", "--format=%an <%ae>", "gh-pages") == "Grace <grace@example.org>"


def test_tree_is_the_folder_plus_nojekyll_without_the_manifest(project: Path) -> None:
    """Any output folder: nested, empty and executable entries, and names git would choke on."""
    from builder.commands.git import Git
    from builder.commands.gittree import BOOKKEEPING, write_tree
    from builder.output import MANIFEST

    assert MANIFEST.startswith(BOOKKEEPING)

    folder = project / "out"
    files = {
        "index.html": b"<p>home</p>",
        "_data/x y.json": b"{}",
        "a/b/c/deep.txt": b"deep",
        "a/.palace-123.tmp": b"left by an interrupted write",
        ".palace-manifest": b"index.html\n",
        ".palace-build.json": b'{"inputs": {"/home/owner/notes/source/p.md": []}}',
        "a/.nojekyll-not": b"",
        "run.sh": b"#!/bin/sh\n",
    }
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "run.sh").chmod(0o755)
    (folder / "empty").mkdir()
    tree, count = write_tree(Git.here(), folder)
    listing = git(project, "ls-tree", "-r", tree).splitlines()
    entries = {line.split("\t")[1]: line.split()[0] for line in listing}
    assert entries == {
        ".nojekyll": "100644",
        "_data/x y.json": "100644",
        "a/.nojekyll-not": "100644",
        "a/b/c/deep.txt": "100644",
        "index.html": "100644",
        "run.sh": "100755",
    }
    assert count == len(entries)
    assert git(project, "cat-file", "blob", f"{tree}:a/b/c/deep.txt") == "deep"
    assert git(project, "status", "--porcelain") == "?? out/"


def test_a_build_after_a_publish_has_nothing_to_do(project: Path, capsys: Capture) -> None:
    """`palace publish` builds as `palace build` does, leaving the record of the build."""
    notes = project / "source" / "test.md"
    os.utime(notes, ns=(notes.stat().st_mtime_ns - 10**10,) * 2)  # not saved during the build
    assert run(capsys, "publish")[0] == 0
    site = project / "site"
    before = {path: path.stat().st_mtime_ns for path in site.rglob("*")}
    code, out, err = run(capsys, "build")
    assert (code, err) == (0, "")
    assert out.startswith("site is up to date (nothing changed): 1 palace")
    assert {path: path.stat().st_mtime_ns for path in site.rglob("*")} == before
    code, out, _ = run(capsys, "publish")
    assert out.splitlines()[0].startswith("site is up to date (nothing changed)")
    assert out.splitlines()[-1].endswith("already on origin gh-pages: nothing to publish")
