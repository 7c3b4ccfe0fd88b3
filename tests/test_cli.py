"""The `palace` command: exit codes, exact messages, and the export formats."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, ProjectMaker

from builder.cli import main

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_clean_source(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    monkeypatch.chdir(REPO)
    assert run(capsys, "check") == (0, "ok: 1 palace, 7 rooms, 30 loci, 5 steps\n", "")


def test_strict_turns_warnings_into_failure(make_project: ProjectMaker, capsys: Capture) -> None:
    make_project({"source/p.md": "- TV: PCA:\n"})
    code, out, err = run(capsys, "check", "--strict")
    assert (code, out) == (1, "")
    assert err.endswith("0 errors, 1 warning in 1 file\n")
    assert run(capsys, "check")[0] == 0


def test_errors_exit_1_and_name_every_file(make_project: ProjectMaker, capsys: Capture) -> None:
    make_project({"source/a.md": "Gate\n", "source/b.md": "- Gate: Overfitting\n- Door\n"})
    code, out, err = run(capsys, "check")
    assert (code, out) == (1, "")
    assert err == (
        "source/a.md:1:1: error: expected 'Locus: Concept: description'\n"
        "    1 | Gate\n"
        "      | ^\n"
        "source/b.md:2:3: error: expected 'Locus: Concept: description'\n"
        "    2 | - Door\n"
        "      |   ^\n"
        "2 errors, 0 warnings in 2 files\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "nowhere"], "palace: error: nowhere: no such file or folder\n"),
        (
            ["check", "notes.rst"],
            "palace: error: notes.rst: not a notes file: expected a .md or .txt file\n",
        ),
    ],
)
def test_usage_errors_exit_2(
    make_project: ProjectMaker, capsys: Capture, argv: list[str], message: str
) -> None:
    make_project({"notes.rst": "x"})
    assert run(capsys, *argv) == (2, "", message)


def test_folder_without_notes(make_project: ProjectMaker, capsys: Capture) -> None:
    make_project({"source/readme.rst": "x"})
    assert run(capsys, "check") == (
        1,
        "",
        "palace: error: source: no notes here: expected .md or .txt files\n",
    )


def test_unknown_option_exits_2(capsys: Capture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "xml"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'xml' (choose from 'json', 'csv')" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "export", "build"])
def test_every_command_has_help_with_an_example(command: str, capsys: Capture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: palace {command} ")
    assert "\nexample:\n  palace " in out


def test_export_json_of_the_seed_palace(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run(capsys, "export", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    (palace,) = data["palaces"]
    assert (palace["title"], palace["source"]) == ("Machine learning palace", "source/ml-palace.md")
    assert len(palace["rooms"]) == 7
    assert palace["rooms"][6] == {
        "id": "bedroom",
        "name": "Bedroom",
        "note": None,
        "image": None,
        "line": 72,
        "loci": [
            {
                "id": "bed",
                "locus": "Bed",
                "concept": "Model.train()",
                "description": "before training, impacts: dropout and batch_norm",
                "note": None,
                "image": None,
                "line": 74,
                "steps": [],
            },
            {
                "id": "bedroom-tv",
                "locus": "TV",
                "concept": "model.eval()",
                "description": "after training",
                "note": None,
                "image": None,
                "line": 75,
                "steps": [],
            },
        ],
    }
    street = palace["rooms"][5]["loci"][0]["steps"][2]
    assert street == {
        "id": "window--street",
        "locus": "Street",
        "concept": "optimizer.zero_grad()",
        "description": "clear prev grads",
        "line": 68,
    }


def test_export_csv_has_one_row_per_stop(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    monkeypatch.chdir(REPO)
    code, out, _ = run(capsys, "export", "--format", "csv")
    rows = out.splitlines()
    assert code == 0 and len(rows) == 36
    assert (
        rows[0] == "palace,room,number,id,parent,locus,concept,description,note,image,source,line"
    )
    assert rows[31] == (
        "Machine learning palace,View from the window,31,window--street,window,"
        "Street,optimizer.zero_grad(),clear prev grads,,,source/ml-palace.md,68"
    )


def test_python_dash_m_builder_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "builder", "check", str(REPO / "source")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "ok: 1 palace, 7 rooms, 30 loci, 5 steps\n",
        "",
    )


def test_version(capsys: Capture) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out == "palace 0.1.0\n"
