"""`palace new`: a project that builds at once, and the starter files it is made from."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import REPO

from builder import __version__
from builder.cli import main
from builder.commands.new import TEMPLATES, project_files
from builder.config import KEYS, Config, load_config
from builder.notes.load import load_notes

Capture = pytest.CaptureFixture[str]
STARTER = REPO / "builder" / "commands" / "starter"
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
BIN = Path(sys.executable).parent
# The one line in which a new project's workflow differs from this repository's: a new
# project has no package to install, so it installs the Palace named in requirements.txt.
REPO_INSTALL = "run: python3 -m pip install . && palace build"
STARTER_INSTALL = "run: python3 -m pip install -r requirements.txt && palace build"


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_project_builds_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "new", "my-palace", "--title", "My memory palace") == (
        0,
        "created the palace 'My memory palace' in my-palace/:\n"
        "  .github/workflows/pages.yml\n"
        "  .gitignore\n"
        "  README.md\n"
        "  palace.toml\n"
        "  requirements.txt\n"
        "  source/my-memory-palace.md\n"
        "  source/pictures/front-door.svg\n"
        "next: cd my-palace && palace build    (then open site/index.html)\n",
        "",
    )
    monkeypatch.chdir(tmp_path / "my-palace")
    assert run(capsys, "check", "--strict") == (0, "ok: 1 palace, 2 rooms, 5 loci, 3 steps\n", "")
    code, out, err = run(capsys, "build")
    assert (code, err) == (0, "")
    assert out.startswith("built site: 1 palace, 2 rooms, 5 loci, 3 steps")
    site = tmp_path / "my-palace" / "site"
    assert (site / "index.html").is_file() and (site / ".nojekyll").is_file()
    assert (site / "my-memory-palace.apkg").stat().st_size > 1000
    assert list((site / "pictures").glob("*.svg"))


def test_example_palace_shows_every_feature_of_the_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, data in project_files("Example").items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    notes = load_notes([])
    assert notes.diagnostics == ()
    (palace,) = notes.palaces
    text = (tmp_path / "source" / "example.md").read_text(encoding="utf-8")
    assert palace.title == "Example" and text.startswith("# Example\n")
    assert len(palace.rooms) >= 2
    assert any(room.note for room in palace.rooms), "a room note"
    loci = [locus for room in palace.rooms for locus in room.loci]
    assert any(room.picture for room in palace.rooms) or any(locus.picture for locus in loci)
    assert sum(1 for locus in loci if locus.note) >= 3, "mnemonic notes"
    stepped = [locus for locus in loci if locus.steps]
    assert stepped and all(step.description for step in stepped[0].steps), "steps with ' # '"
    assert "coats" in {locus.id for locus in loci}, "a pinned id"
    assert "<!--" in text and "*" in text and "`" in text, "a comment and inline Markdown"


def test_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / ".keep").write_text("mine\n", encoding="utf-8")
    assert run(capsys, "new", "taken") == (
        2,
        "",
        "palace: error: taken: the folder is not empty; choose a new or empty folder "
        "(palace new never overwrites files)\n",
    )
    assert [path.name for path in (tmp_path / "taken").iterdir()] == [".keep"]
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert run(capsys, "new", "file") == (
        2,
        "",
        "palace: error: file: is a file; choose a new folder for the palace\n",
    )


def test_an_empty_folder_and_the_default_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    (tmp_path / "my-palace").mkdir()
    monkeypatch.chdir(tmp_path / "my-palace")
    code, out, _ = run(capsys, "new", ".")
    assert code == 0
    assert out.splitlines()[0] == "created the palace 'My palace' in ./:"
    assert (
        (tmp_path / "my-palace" / "source" / "my-palace.md")
        .read_text(encoding="utf-8")
        .startswith("# My palace\n")
    )


@pytest.mark.parametrize(
    ("title", "notes"),
    [
        ('Gedächtnis "Palast" \\ 2', "source/gedachtnis-palast-2.md"),
        ("記憶の宮殿", "source/記憶の宮殿.md"),
    ],
)
def test_any_title_gives_valid_files(title: str, notes: str) -> None:
    files = project_files(title)
    assert files[notes].decode("utf-8").startswith(f"# {title}\n")
    assert tomllib.loads(files["palace.toml"].decode("utf-8")) == {"title": title}
    assert files["README.md"].decode("utf-8").startswith(f"# {title}\n")


@pytest.mark.parametrize(("title", "problem"), [("  ", "is empty"), ("a\nb", "must be one line")])
def test_bad_titles_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture, title: str, problem: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "new", "p", "--title", title)
    assert (code, out) == (2, "")
    assert err.startswith("palace: error: --title: the title ") and problem in err
    assert not (tmp_path / "p").exists()


def test_shipped_workflow_is_the_repositorys_but_for_the_install_line() -> None:
    repo = WORKFLOW.read_text(encoding="utf-8")
    assert repo.count(REPO_INSTALL) == 1
    shipped = project_files("P")[".github/workflows/pages.yml"].decode("utf-8")
    assert shipped == repo.replace(REPO_INSTALL, STARTER_INSTALL)


def test_shipped_workflow_is_valid_and_passes_zizmor(tmp_path: Path) -> None:
    workflow = tmp_path / "pages.yml"
    workflow.write_bytes(project_files("P")[".github/workflows/pages.yml"])
    schema = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (schema.returncode, schema.stdout.strip()) == (0, "ok -- validation done")
    audit = subprocess.run(
        [BIN / "zizmor", "--offline", workflow], capture_output=True, text=True, check=False
    )
    assert audit.returncode == 0 and "No findings to report" in audit.stdout, audit.stdout


def test_config_sets_only_the_title_and_explains_every_key(tmp_path: Path) -> None:
    """palace.toml names every setting palace knows, and each one, uncommented, is valid."""
    text = project_files("P")["palace.toml"].decode("utf-8")
    (tmp_path / "palace.toml").write_text(text, encoding="utf-8")
    assert load_config(tmp_path) == Config(title="P", file=(tmp_path / "palace.toml").as_posix())
    lines = text.splitlines()
    commented = {}
    for number, line in enumerate(lines):
        setting = line.removeprefix("# ")
        if " = " in setting and not setting.startswith("#"):
            commented[setting.split(" = ", 1)[0]] = number
            assert lines[number - 1].startswith("# "), f"no comment above: {line}"
    assert set(commented) == set(KEYS)
    for number in commented.values():
        uncommented = [*lines[:number], lines[number].removeprefix("# "), *lines[number + 1 :]]
        (tmp_path / "palace.toml").write_text("\n".join(uncommented), encoding="utf-8")
        load_config(tmp_path)  # raises ConfigError on a value palace would refuse


def test_requirements_install_this_version() -> None:
    requirements = project_files("P")["requirements.txt"].decode("utf-8")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "palace-loci"
    assert requirements.splitlines()[-1] == (
        f"palace-loci @ git+https://github.com/palace-notes/palace@v{__version__}"
    )


def test_gitignore_keeps_the_site_committed() -> None:
    ignored = project_files("P")[".gitignore"].decode("utf-8").splitlines()
    assert ".venv/" in ignored
    assert not [line for line in ignored if "site" in line and not line.startswith("#")]


def test_every_starter_file_is_used_and_filled() -> None:
    """A template nobody copies would ship stale; a placeholder nobody fills would show."""
    assert set(TEMPLATES) == {path.name for path in STARTER.iterdir() if path.is_file()}
    for name, data in project_files("P").items():
        assert not re.search(r"\{[a-z_]+\}", data.decode("utf-8")), name
