"""The package people install: `python -m build` → sdist and wheel → a fresh venv → a palace.

The wheel is built from the sdist (what `python -m build` does), so a file missing from the
sdist fails here too. The last test runs the README's "Start your own palace" and "Publish from
a branch" steps as written, in an empty folder holding the wheel, with one substitution: the
GitHub address in `git remote add origin …` becomes a local bare repository. Its venv
installs the wheel's dependencies from PyPI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from builder import __version__

README = (REPO / "README.md").read_text(encoding="utf-8")
STAND_IN_REMOTE = "https://github.com/YOUR-NAME/my-palace.git"
# building an sdist and a wheel, and a venv that installs from PyPI, take ~20 s
pytestmark = pytest.mark.slow

DIST = "palace_loci"  # the distribution `palace-loci`, as wheel and sdist file names spell it
PACKAGE_DATA = ("deck/cards", "site/templates", "site/static", "commands/starter")


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    return out


def the(folder: Path, pattern: str) -> Path:
    (path,) = folder.glob(pattern)
    return path


def test_twine_check_passes_on_both(dists: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *sorted(map(str, dists.iterdir()))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_both_carry_the_package_data_and_the_licence(dists: Path) -> None:
    expected = {
        f"builder/{path.relative_to(REPO / 'builder').as_posix()}"
        for folder in PACKAGE_DATA
        for path in (REPO / "builder" / folder).iterdir()
        if path.is_file()
    }
    wheel = set(zipfile.ZipFile(the(dists, f"{DIST}-{__version__}-*.whl")).namelist())
    assert expected <= wheel, sorted(expected - wheel)
    assert f"{DIST}-{__version__}.dist-info/licenses/LICENSE" in wheel
    with tarfile.open(the(dists, f"{DIST}-{__version__}.tar.gz")) as sdist:
        root = f"{DIST}-{__version__}/"
        names = {name.removeprefix(root) for name in sdist.getnames()}
    assert expected | {"LICENSE", "README.md", "pyproject.toml"} <= names
    metadata = zipfile.ZipFile(the(dists, "*.whl")).read(f"{DIST}-{__version__}.dist-info/METADATA")
    assert b"Name: palace-loci\n" in metadata
    assert b"License-Expression: MIT" in metadata
    assert b"Project-URL: Repository, https://github.com/" in metadata


def readme_steps(*sections: str) -> str:
    """The ```sh blocks of the README's sections, as one script (a user's terminal session)."""
    blocks = []
    for section in sections:
        body = README.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
        found = re.findall(r"```sh\n(.*?)```", body, flags=re.S)
        assert found, f"no ```sh block in '{section}'"
        blocks += found
    return "".join(blocks)


def test_readme_steps_work_from_an_empty_folder(dists: Path, tmp_path: Path) -> None:
    """pip install the wheel, palace new, palace build, palace publish: as README says."""
    script = readme_steps("Start your own palace", "Publish from a branch")
    assert script.count(STAND_IN_REMOTE) == 1
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    script = script.replace(STAND_IN_REMOTE, str(remote))
    user = tmp_path / "user"
    user.mkdir()
    shutil.copy(the(dists, "*.whl"), user)
    result = subprocess.run(
        ["sh", "-eu", "-c", script],
        cwd=user,
        env=user_environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    palace = user / "my-palace"
    version = subprocess.run(
        [user / ".venv" / "bin" / "palace", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env=user_environment(tmp_path),
    ).stdout
    assert version == f"palace {__version__}\n"
    assert "built site: 1 palace, 2 rooms, 5 loci, 3 steps" in result.stdout
    assert (palace / "site" / "index.html").is_file()
    assert (palace / "site" / "my-memory-palace.apkg").is_file()
    published = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "gh-pages"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {".nojekyll", "index.html", "my-memory-palace.apkg"} <= set(published)
    assert ".palace-manifest" not in published
    log = subprocess.run(
        ["git", "log", "--format=%s", "gh-pages"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.fullmatch(rf"Publish site from [0-9a-f]{{7,}} \(palace {__version__}\)\n", log)


def user_environment(tmp_path: Path) -> dict[str, str]:
    """A user's shell: git knows their name; nothing of the test run's Python leaks in.

    PATH stays as it is: the steps activate their venv first, which puts its `palace` ahead.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PYTHON", "VIRTUAL_ENV", "PIP_"))
    }
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = New User\n\temail = new@example.org\n", "utf-8")
    env.update(
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    return env
