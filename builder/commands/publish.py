"""`palace publish`: build, then commit the output folder as the whole tree of a branch and push it.

What `mkdocs gh-deploy` (ghp-import) does, through git's plumbing only, so the working tree, the
index and the checked-out branch are never touched:

    git hash-object -w --no-filters -- FILE...   the output folder's files → blobs, bytes as built
    git mktree -z                                each folder, deepest first → trees
    git commit-tree TREE -p TIP -F -             one commit per publish, on top of the branch's tip
    git update-ref refs/heads/BRANCH NEW TIP     moves the branch only if it is still at TIP
    git push REMOTE refs/heads/BRANCH            a fast-forward: published history is kept

The branch's previous tip is fetched first when the remote has commits this clone lacks, so
history continues from wherever it was last published. The build's bookkeeping files in the
output folder (`.palace-*`) are left out of the published tree; `.nojekyll` is always in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builder import __version__
from builder.build import Outcome, build_project
from builder.commands.git import FALLBACK_EMAIL, FALLBACK_NAME, Git
from builder.commands.gittree import write_tree
from builder.config import Config
from builder.errors import PalaceError, listed
from builder.notes.load import find_notes


@dataclass(frozen=True, slots=True)
class Published:
    """What one `palace publish` did: the build, and the commit now on the remote branch."""

    built: Outcome
    remote: str
    branch: str
    tip: str  # the branch's commit after publishing
    committed: bool  # False when the site was unchanged since the last publish
    pushed: bool  # False when the remote already had `tip`
    files: int
    message: str
    identity_fallback: bool

    def lines(self) -> list[str]:
        """What was published (the build is reported as `palace build` reports it)."""
        lines = []
        where = f"{self.remote} {self.branch}"
        short = self.tip[:7]
        if self.committed:
            subject = self.message.splitlines()[0] if self.message else ""
            lines.append(f"published {self.files} files to {where}: {short} {subject}")
        elif self.pushed:
            lines.append(f"site unchanged since {short}; pushed it to {where}")
        else:
            lines.append(f"site unchanged since {short}, already on {where}: nothing to publish")
        if self.identity_fallback:
            lines.append(
                f"  committed as {FALLBACK_NAME} <{FALLBACK_EMAIL}>: "
                "git has no user.name/user.email configured"
            )
        return lines


def publish(
    sources: Sequence[str],
    config: Config,
    out: Path,
    *,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    force: bool = False,
    strict: bool = False,
) -> Published:
    """Build the notes in `sources` into `out` as `palace build` does (`build_project`), commit
    `out` as the whole tree of `branch`, push it to `remote`.

    Refuses (PalaceError, nothing built or pushed) when the notes' folders have uncommitted
    changes (unless `force`), when `branch` is the checked-out branch or holds the notes, or
    when `remote` is not a remote of the repository; NotesError (nothing pushed) when the
    notes have errors.
    """
    git = Git.here()
    # 1. refuse early: everything that can be checked before building and pushing
    git.check_branch_name(branch)
    git.check_remote(remote)
    if git.current_branch() == branch:
        raise PalaceError(
            f"the branch '{branch}' is checked out here; publishing replaces its whole tree, "
            "so switch to the branch of your notes first"
        )
    source = git.head()
    found = find_notes(sources)
    dirty = git.uncommitted(sorted({notes_file.root for notes_file in found}), exclude=out)
    if dirty and not force:
        raise PalaceError(
            f"uncommitted changes to the notes ({listed(dirty, 1)}): commit them first, "
            "or publish anyway with --force"
        )
    if source is None and not force:
        raise PalaceError(
            "the repository has no commit yet: commit your notes first, "
            "or publish anyway with --force"
        )
    tips = git.branch_tip(remote, branch)  # fetches the remote branch when needed
    notes = [notes_file.file for notes_file in found]
    held = git.held(tips.parent, notes) if tips.parent is not None else []
    if held:  # the branch of the notes, not of a site: its whole tree would be replaced
        raise PalaceError(
            f"the branch '{branch}' holds your notes ({listed(held, 1)}): publishing replaces "
            "its whole tree with the site; publish to a branch of its own (the default, gh-pages)"
        )
    # 2. build, exactly as `palace build` does (nothing, when nothing changed since)
    built = build_project(sources, config, out=out, strict=strict)
    # 3. commit the output folder as the branch's whole tree, unless it is unchanged
    tree, files = write_tree(git, out)
    text = message if message is not None else default_message(source, bool(dirty))
    fallback = False
    if tips.parent is not None and git.tree_of(tips.parent) == tree:
        tip, committed = tips.parent, False
    else:
        tip, fallback = git.commit_tree(tree, tips.parent, text)
        committed = True
    if tip != tips.local:
        git.move_branch(branch, tip, tips.local)
    # 4. push, unless the remote has that commit already
    pushed = tips.remote != tip
    if pushed:
        git.push(remote, branch)
    return Published(built, remote, branch, tip, committed, pushed, files, text, fallback)


def default_message(source: str | None, dirty: bool) -> str:
    """`Publish site from 1a2b3c4 (palace 0.2.0)`; `-dirty` marks uncommitted notes (--force)."""
    if source is None:
        return f"Publish site (palace {__version__})"
    return f"Publish site from {source}{'-dirty' if dirty else ''} (palace {__version__})"
