"""The git plumbing behind `palace publish`: a repository driven through `git` subprocesses.

Only plumbing commands are used (hash-object, mktree, commit-tree, update-ref, push), so the
working tree, the index and the checked-out branch are never touched. `gittree.py` turns the
output folder into a tree.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.errors import PalaceError

# Identity of the publish commit when git has none configured (documented in README).
FALLBACK_NAME = "Palace"
FALLBACK_EMAIL = "palace@localhost"


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
            resolved = Path(os.path.realpath(root))  # (`resolve` raises for a link loop)
            if resolved.is_relative_to(top := Path(os.path.realpath(self.top))):
                relative = resolved.relative_to(top).as_posix()
                pathspecs.append(f":(top,literal){relative if relative != '.' else ''}")
            else:
                outside.append(f"{root.as_posix()}/ (outside the repository)")
        if not pathspecs:
            return outside
        status = self.run(
            ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *pathspecs], raw=True
        )
        excluded = Path(os.path.realpath(exclude))
        changed = []
        entries = iter(status.split("\0"))
        for entry in entries:
            if not entry:
                continue
            path = entry[3:]
            if entry[0] in "RC":
                next(entries, None)  # the rename's original path follows
            if not Path(os.path.realpath(self.top / path)).is_relative_to(excluded):
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

    def held(self, commit: str, files: Iterable[Path]) -> list[str]:
        """Which of `files` (inside the repository) the tree of `commit` holds."""
        top = Path(os.path.realpath(self.top))
        paths = [Path(os.path.realpath(f)) for f in files]
        inside = [path.relative_to(top).as_posix() for path in paths if path.is_relative_to(top)]
        if not inside:
            return []
        listing = self.run(["ls-tree", "-r", "-z", "--name-only", commit, "--", *inside], raw=True)
        return [name for name in listing.split("\0") if name]

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
