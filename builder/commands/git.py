"""The git plumbing behind `palace publish`: a repository driven through `git` subprocesses.

Only plumbing commands are used (hash-object, mktree, commit-tree, update-ref, push), so the
working tree, the index and the checked-out branch are never touched.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.errors import PalaceError

# Identity of the publish commit when git has none configured (documented in README).
FALLBACK_NAME = "Palace"
FALLBACK_EMAIL = "palace@localhost"

# Files the build keeps in the output folder for itself, never published: its manifest
# (`.palace-manifest`), its record of the last build (`.palace-build.json`, which names paths on
# the owner's machine) and the temp files of an interrupted write (`.palace-*.tmp`).
BOOKKEEPING = ".palace-"
NOJEKYLL = ".nojekyll"  # tells Pages not to run Jekyll, which would drop `_`-prefixed files
FILE, EXECUTABLE, SYMLINK, TREE = "100644", "100755", "120000", "040000"  # git's entry modes
HASH_BATCH = 500  # paths per `git hash-object` call, far below any command-line limit


@dataclass(frozen=True, slots=True)
class Tips:
    """The target branch's commit here and on the remote (None: no such branch there)."""

    local: str | None
    remote: str | None
    parent: str | None  # the newer of the two: the next publish commit goes on top of it


class Git:
    """The repository around the current folder, driven through `git` subprocesses."""

    def __init__(self, top: Path) -> None:
        self.top = top

    @classmethod
    def here(cls) -> Git:
        result = _git(["rev-parse", "--show-toplevel"], Path.cwd())
        if result.returncode != 0:
            raise PalaceError(
                f"{Path.cwd().as_posix()}: not a git repository; run palace publish inside "
                "the repository of your notes (git init, then add a remote)"
            )
        return cls(Path(result.stdout.decode().strip()))

    def run(
        self,
        args: list[str],
        *,
        data: bytes | None = None,
        env: Mapping[str, str] | None = None,
        raw: bool = False,
    ) -> str:
        """Run git in the repository's top folder; its stdout, or PalaceError with its cause."""
        result = _git(args, self.top, data=data, env=env)
        if result.returncode != 0:
            raise PalaceError(f"git {args[0]} failed: {_cause(result.stderr)}")
        text = result.stdout.decode("utf-8", "surrogateescape")
        return text if raw else text.strip()

    def ok(self, args: list[str]) -> bool:
        return _git(args, self.top).returncode == 0

    def check_branch_name(self, branch: str) -> None:
        if branch.startswith("-") or not self.ok(["check-ref-format", "--branch", branch]):
            raise PalaceError(f"'{branch}' is not a valid branch name")

    def check_remote(self, remote: str) -> None:
        if remote.startswith("-") or not self.ok(["remote", "get-url", "--", remote]):
            remotes = self.run(["remote"]).split()
            known = f"its remotes are {', '.join(remotes)}" if remotes else "it has none"
            raise PalaceError(
                f"no remote '{remote}' in this repository ({known}); add it with "
                f"'git remote add {remote} URL' or choose one with --remote"
            )

    def current_branch(self) -> str | None:
        result = _git(["symbolic-ref", "-q", "--short", "HEAD"], self.top)
        return result.stdout.decode().strip() if result.returncode == 0 else None

    def head(self) -> str | None:
        """The short hash of the checked-out commit, None before the first commit."""
        return self.rev("HEAD", short=True)

    def rev(self, name: str, *, short: bool = False) -> str | None:
        args = [
            "rev-parse",
            "-q",
            "--verify",
            *(["--short"] if short else []),
            f"{name}^{{commit}}",
        ]
        result = _git(args, self.top)
        return result.stdout.decode().strip() if result.returncode == 0 else None

    def uncommitted(self, roots: Iterable[Path], *, exclude: Path) -> list[str]:
        """Files under `roots` that differ from the last commit (untracked ones too).

        Paths inside `exclude` (the output folder) are not the notes, whatever the roots.
        """
        pathspecs, outside = [], []
        for root in roots:
            resolved = root.resolve()
            if resolved.is_relative_to(self.top.resolve()):
                relative = resolved.relative_to(self.top.resolve()).as_posix()
                pathspecs.append(f":(top,literal){relative if relative != '.' else ''}")
            else:
                outside.append(f"{root.as_posix()}/ (outside the repository)")
        if not pathspecs:
            return outside
        status = self.run(
            ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *pathspecs], raw=True
        )
        excluded = exclude.resolve()
        changed = []
        entries = iter(status.split("\0"))
        for entry in entries:
            if not entry:
                continue
            path = entry[3:]
            if entry[0] in "RC":
                next(entries, None)  # the rename's original path follows
            if not (self.top / path).resolve().is_relative_to(excluded):
                changed.append(path)
        return outside + sorted(changed)

    def remote_tip(self, remote: str, branch: str) -> str | None:
        """The commit `branch` has on `remote`, None when the remote has no such branch."""
        result = _git(["ls-remote", "--exit-code", remote, f"refs/heads/{branch}"], self.top)
        if result.returncode == 2:
            return None
        if result.returncode != 0:
            raise PalaceError(f"cannot reach the remote '{remote}': {_cause(result.stderr)}")
        for line in result.stdout.decode().splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def branch_tip(self, remote: str, branch: str) -> Tips:
        """Where the branch is, here and on the remote, and the commit to publish on top of.

        Fetches the remote branch when this clone lacks its tip (say, the site was last
        published from another clone), so history continues instead of starting over.
        """
        local = self.rev(f"refs/heads/{branch}")
        theirs = self.remote_tip(remote, branch)
        return Tips(local, theirs, self._newer(remote, branch, local, theirs))

    def _newer(self, remote: str, branch: str, local: str | None, theirs: str | None) -> str | None:
        if theirs is None or theirs == local:
            return local
        if not self.ok(["cat-file", "-e", f"{theirs}^{{commit}}"]):
            self.run(
                [
                    "fetch",
                    "-q",
                    "--no-tags",
                    remote,
                    f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}",
                ]
            )
        if local is None or self.ok(["merge-base", "--is-ancestor", local, theirs]):
            return theirs
        if self.ok(["merge-base", "--is-ancestor", theirs, local]):
            return local  # the last publish was committed here but not pushed yet
        raise PalaceError(
            f"the local branch '{branch}' and '{branch}' on {remote} have diverged; "
            f"delete the local one ('git branch -D {branch}') to publish on top of {remote}'s"
        )

    def write_tree(self, folder: Path) -> tuple[str, int]:
        """Store every file of `folder` as blobs and trees; the root tree and the file count."""
        trees: dict[str, list[str]] = {"": []}  # folder → `mktree -z` lines of its entries
        files: list[tuple[str, str, str, Path]] = []  # (folder, mode, name, path)
        for parent, name, path, mode in _walk(folder):
            if mode == TREE:
                trees[_join(parent, name)] = []
            else:
                files.append((parent, mode, name, path))
        for (parent, mode, name, _), sha in zip(files, self._blobs(files), strict=True):
            trees[parent].append(f"{mode} blob {sha}\t{name}")
        count = len(files)
        if not any(line.endswith(f"\t{NOJEKYLL}") for line in trees[""]):
            sha = self.run(["hash-object", "-w", "--stdin"], data=b"")
            trees[""].append(f"{FILE} blob {sha}\t{NOJEKYLL}")
            count += 1
        # deepest folders first, so every subtree's hash is known when its parent is written
        for folder_name in sorted(trees, key=lambda f: f.count("/") + bool(f), reverse=True):
            lines = trees[folder_name]
            if folder_name and not lines:
                continue  # git keeps no empty folders
            data = "".join(f"{line}\0" for line in lines).encode("utf-8", "surrogateescape")
            sha = self.run(["mktree", "-z"], data=data)
            if not folder_name:
                return sha, count
            parent, _, name = folder_name.rpartition("/")
            trees[parent].append(f"{TREE} tree {sha}\t{name}")
        raise AssertionError("the root tree is always written")  # pragma: no cover

    def _blobs(self, files: list[tuple[str, str, str, Path]]) -> list[str]:
        """Write each file (a symlink: its target) as a blob, bytes as they are; their hashes."""
        regular = [str(path) for _, mode, _, path in files if mode != SYMLINK]
        hashed: list[str] = []
        for start in range(0, len(regular), HASH_BATCH):
            batch = regular[start : start + HASH_BATCH]
            hashed += self.run(["hash-object", "-w", "--no-filters", "--", *batch]).split()
        in_order = iter(hashed)
        hashes = []
        for _, mode, _, path in files:
            if mode == SYMLINK:
                target = os.fsencode(os.readlink(path))
                hashes.append(self.run(["hash-object", "-w", "--stdin"], data=target))
            else:
                hashes.append(next(in_order))
        return hashes

    def tree_of(self, commit: str) -> str:
        return self.run(["rev-parse", f"{commit}^{{tree}}"])

    def commit_tree(self, tree: str, parent: str | None, message: str) -> tuple[str, bool]:
        """Write the publish commit; also whether the fallback identity was used."""
        env, fallback = self.identity()
        parents = ["-p", parent] if parent else []
        sha = self.run(["commit-tree", tree, *parents, "-F", "-"], data=message.encode(), env=env)
        return sha, fallback

    def identity(self) -> tuple[dict[str, str], bool]:
        """Git's environment for the commit, with the fallback identity where git has none."""
        env: dict[str, str] = {}
        configured = {key: self.ok(["config", "--get", f"user.{key}"]) for key in ("name", "email")}
        for role in ("AUTHOR", "COMMITTER"):
            for key, fallback in (("name", FALLBACK_NAME), ("email", FALLBACK_EMAIL)):
                variable = f"GIT_{role}_{key.upper()}"
                from_env = os.environ.get(variable) or (key == "email" and os.environ.get("EMAIL"))
                if not configured[key] and not from_env:
                    env[variable] = fallback
        return env, bool(env)

    def move_branch(self, branch: str, new: str, old: str | None) -> None:
        self.run(["update-ref", "-m", "palace publish", f"refs/heads/{branch}", new, old or ""])

    def push(self, remote: str, branch: str) -> None:
        ref = f"refs/heads/{branch}"
        result = _git(["push", "-q", remote, f"{ref}:{ref}"], self.top)
        if result.returncode != 0:
            raise PalaceError(
                f"push to '{remote}' failed: {_cause(result.stderr)}; the new commit is on the "
                f"local branch '{branch}', so run palace publish again once that is fixed"
            )


def _walk(folder: Path, parent: str = "") -> Iterable[tuple[str, str, Path, str]]:
    """(parent folder, name, path, git mode) of everything to publish, sorted, folders first."""
    try:
        children = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        raise PalaceError(f"{folder.as_posix()}: cannot read: {error.strerror}") from error
    for entry in children:
        if not _published(entry.name):
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            yield parent, entry.name, path, SYMLINK
        elif entry.is_dir():
            yield parent, entry.name, path, TREE
            yield from _walk(path, _join(parent, entry.name))
        elif entry.is_file():
            executable = entry.stat().st_mode & stat.S_IXUSR
            yield parent, entry.name, path, EXECUTABLE if executable else FILE


def _published(name: str) -> bool:
    # git refuses trees that hold a `.git`; `.palace-*` files are the build's bookkeeping
    return name != ".git" and not name.startswith(BOOKKEEPING)


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def _git(
    args: list[str],
    cwd: Path,
    *,
    data: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            env={**os.environ, **env} if env else None,
            check=False,
        )
    except FileNotFoundError as error:
        raise PalaceError("git is not installed (palace publish needs it on the PATH)") from error


def _cause(stderr: bytes) -> str:
    """The line of git's complaint that names the cause, e.g. `! [rejected] … (fetch first)`."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line and not line.startswith("hint:")]
    for marker in ("[rejected]", "[remote rejected]", "fatal:", "error:"):
        for line in lines:
            if marker in line:
                return " ".join(line.split())
    return lines[-1] if lines else "no reason given"
