"""The output folder → a git tree, for `palace publish`: every file as a blob, bytes as built
(`git hash-object -w --no-filters`), each folder as a tree (`git mktree`), deepest first.
The build's bookkeeping files are left out; a `.nojekyll` is always in.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from builder.commands.git import Git
from builder.errors import PalaceError
from builder.output.guards import NOJEKYLL

# Files the build keeps in the output folder for itself, never published: its manifest
# (`.palace-manifest`) and the temp files of an interrupted write (`.palace-*.tmp`).
BOOKKEEPING = ".palace-"
FILE, EXECUTABLE, SYMLINK, TREE = "100644", "100755", "120000", "040000"  # git's entry modes
HASH_BATCH = 500  # paths per `git hash-object` call, far below any command-line limit


def write_tree(git: Git, folder: Path) -> tuple[str, int]:
    """Store every file of `folder` (but the build's bookkeeping) as blobs and trees, with a
    `.nojekyll`; the root tree and the file count."""
    trees: dict[str, list[str]] = {"": []}  # folder → `mktree -z` lines of its entries
    files: list[tuple[str, str, str, Path]] = []  # (folder, mode, name, path)
    for parent, name, path, mode in _walk(folder):
        if mode == TREE:
            trees[_join(parent, name)] = []
        else:
            files.append((parent, mode, name, path))
    for (parent, mode, name, _), sha in zip(files, _blobs(git, files), strict=True):
        trees[parent].append(f"{mode} blob {sha}\t{name}")
    count = len(files)
    if not any(line.endswith(f"\t{NOJEKYLL}") for line in trees[""]):
        sha = git.run(["hash-object", "-w", "--stdin"], data=b"")
        trees[""].append(f"{FILE} blob {sha}\t{NOJEKYLL}")
        count += 1
    # deepest folders first, so every subtree's hash is known when its parent is written
    for folder_name in sorted(trees, key=lambda f: f.count("/") + bool(f), reverse=True):
        lines = trees[folder_name]
        if folder_name and not lines:
            continue  # git keeps no empty folders
        data = "".join(f"{line}\0" for line in lines).encode("utf-8", "surrogateescape")
        sha = git.run(["mktree", "-z"], data=data)
        if not folder_name:
            return sha, count
        parent, _, name = folder_name.rpartition("/")
        trees[parent].append(f"{TREE} tree {sha}\t{name}")
    raise AssertionError("the root tree is always written")  # pragma: no cover


def _blobs(git: Git, files: list[tuple[str, str, str, Path]]) -> list[str]:
    """Write each file (a symlink: its target) as a blob, bytes as they are; their hashes."""
    regular = [str(path) for _, mode, _, path in files if mode != SYMLINK]
    hashed: list[str] = []
    for start in range(0, len(regular), HASH_BATCH):
        batch = regular[start : start + HASH_BATCH]
        hashed += git.run(["hash-object", "-w", "--no-filters", "--", *batch]).split()
    in_order = iter(hashed)
    hashes = []
    for _, mode, _, path in files:
        if mode == SYMLINK:
            target = os.fsencode(os.readlink(path))
            hashes.append(git.run(["hash-object", "-w", "--stdin"], data=target))
        else:
            hashes.append(next(in_order))
    return hashes


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
