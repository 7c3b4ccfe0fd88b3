"""The `palace` command: exit codes, exact messages, and the export formats."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, ProjectMaker

from builder.cli import main
from builder.console import ProgressBar, Reporter, Style
from builder.errors import listed

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


@pytest.mark.parametrize("command", ["check", "export", "build", "serve"])
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
    assert capsys.readouterr().out == "palace 0.2.0\n"


NOTES = "# Test palace\n\n## Kitchen\n- Stove: Loss: how far off\n  - Knob: turn() # slowly\n"
SUMMARY = "1 palace, 1 room, 1 locus, 1 step, 6 cards"


def built_files(site: Path) -> tuple[int, int]:
    """Pages and files of a built site (how many: the site's business)."""
    owned = (site / ".palace-manifest").read_text().split()
    return sum(1 for name in owned if name.endswith(".html")), len(owned)


def timeless(text: str) -> str:
    return re.sub(r" in \d+\.\d\d s\n", " in 0.12 s\n", text)


def test_build_prints_one_summary_line_then_what_changed(
    make_project: ProjectMaker, capsys: Capture
) -> None:
    root = make_project({"source/p.md": NOTES})
    past = time.time() - 10  # saved a while ago: not "racily clean" (see fingerprint.py)
    os.utime(root / "source" / "p.md", (past, past))
    code, out, err = run(capsys, "build")
    assert (code, err) == (0, "")
    pages, files = built_files(root / "site")
    assert timeless(out) == (
        f"built site: {SUMMARY}, {pages} pages in 0.12 s\n"
        "  p.apkg: 2 added, 0 changed, 0 unchanged, 0 removed\n"
        f"  files: {files} written, 0 unchanged, 0 removed\n"
    )
    code, out, err = run(capsys, "build")
    assert (code, timeless(out), err) == (
        0,
        f"site is up to date (nothing changed): {SUMMARY}, {pages} pages in 0.12 s\n",
        "",
    )


def test_quiet_prints_problems_only_and_verbose_says_why(
    make_project: ProjectMaker, capsys: Capture
) -> None:
    root = make_project({"source/p.md": NOTES + "\n## Hall\n"})
    code, out, err = run(capsys, "build", "-q")
    assert (code, out) == (0, "")
    assert err.startswith("source/p.md:7:1: warning: ")  # its wording: the parser's tests
    assert err.endswith("\n0 errors, 1 warning in 1 file\n")
    (root / "source" / "p.md").write_text(NOTES.replace("Loss", "Cost"), encoding="utf-8")
    code, out, _ = run(capsys, "build", "--verbose")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith(f"built site: {SUMMARY}, ")
    assert f"  because changed: {(root / 'source' / 'p.md').resolve()}" in lines
    assert any(re.fullmatch(r"  time: reading notes \d+\.\d\d s, .*", line) for line in lines)
    assert "  wrote p/kitchen/index.html" in lines
    assert run(capsys, "check", "-q")[:2] == (0, "")


def test_quiet_and_verbose_exclude_each_other(capsys: Capture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "-q", "-v"])
    assert exit_info.value.code == 2
    assert "argument -v/--verbose: not allowed with argument -q/--quiet" in capsys.readouterr().err


def test_port_must_be_a_port_number(capsys: Capture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "http"])
    assert exit_info.value.code == 2
    assert "argument --port: 'http' is not a port number (0 to 65535)" in capsys.readouterr().err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "no_color", "painted"),
    [(Terminal(), None, True), (Terminal(), "1", False), (io.StringIO(), None, False)],
    ids=["terminal", "NO_COLOR", "pipe"],
)
def test_colours_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, no_color: str | None, painted: bool
) -> None:
    monkeypatch.delenv("TERM", raising=False)
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    line = "source/p.md:2:1: error: expected 'Locus: Concept: description'\n    2 | x\n      | ^"
    shown = Style(stream).diagnostic(line)
    if painted:
        assert shown == (
            "\x1b[1msource/p.md:2:1\x1b[0m: \x1b[31merror:\x1b[0m expected 'Locus: Concept: "
            "description'\n    2 | x\n      | ^"
        )
    else:
        assert shown == line
    reporter = Reporter(stdout=stream, stderr=stream)
    reporter.problem("nope")
    assert stream.getvalue().endswith(
        "palace: \x1b[31merror:\x1b[0m nope\n" if painted else "palace: error: nope\n"
    )


def test_progress_bar_only_on_a_terminal_after_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERM", raising=False)
    fast = Terminal()
    with ProgressBar(fast) as bar:  # done well before a second: never drawn
        bar.update("rendering site", 0.5)
    assert fast.getvalue() == ""
    slow = Terminal()
    with ProgressBar(slow, delay=0.01) as bar:
        bar.update("rendering site", 0.55)
        time.sleep(0.3)
    drawn = slow.getvalue()
    assert "\r\x1b[K[============>           ]  55% rendering site  0." in drawn
    assert drawn.endswith("\r\x1b[K")  # erased when done
    piped = io.StringIO()
    with ProgressBar(piped, delay=0.0) as bar:
        time.sleep(0.1)
    assert piped.getvalue() == ""


LAZY_CHECK = """
import sys
from builder.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("jinja2", "genanki", "markdown", "builder.notes.parse", "builder.site",
                           "builder.deck", "watchfiles") if m in sys.modules)
print("imported:", heavy)
sys.exit(code)
"""


def test_check_and_a_build_with_nothing_to_do_import_no_renderer(
    make_project: ProjectMaker,
) -> None:
    make_project({"source/p.md": NOTES})

    def imported(*argv: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", LAZY_CHECK, *argv],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.splitlines()[-1]

    assert imported("build", "-q") != "imported: []"  # the first build renders
    assert imported("build", "-q") == "imported: []"
    assert imported("check") == "imported: ['builder.notes.parse']"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["build", "--out", ""], "argument --out: must not be empty"),
        (["serve", "--out", " "], "argument --out: must not be empty"),
        (["publish", "-m", ""], "argument --message/-m: must not be empty"),
    ],
)
def test_empty_arguments_are_refused(
    make_project: ProjectMaker, capsys: Capture, argv: list[str], message: str
) -> None:
    make_project({"source/p.md": "- Gate: Overfitting\n"})
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err.rstrip().endswith(message)


def test_export_to_a_full_disk_says_so(make_project: ProjectMaker) -> None:
    folder = make_project({"source/p.md": "- Gate: Overfitting\n"})
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "builder", "export", "--format", "json"],
            cwd=folder,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (result.returncode, result.stderr) == (
        1,
        "palace: error: cannot write the export: No space left on device\n",
    )


@pytest.mark.parametrize("control", ["\x1b[2J", "\x1b]0;owned\x07", "\x9b31m", "\x7f", "\r"])
def test_no_control_character_of_the_notes_reaches_the_terminal(
    make_project: ProjectMaker, capsys: Capture, control: str
) -> None:
    make_project({f"source/p{control}.md": f"Gate {control} here\n"})
    code, _, err = run(capsys, "check")
    assert code == 1
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in err), repr(err)
    assert "    1 | Gate " in err


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("[a](" * 20_000, "error: a field of 80,000 characters: at most 10,000"),
        ("[a](" * 60, "error: more than 50 links ('](') in one field"),
        ("`a" * 6_000, "error: a field of 12,000 characters: at most 10,000"),
    ],
)
def test_pathological_fields_are_refused_at_once(
    make_project: ProjectMaker, capsys: Capture, description: str, message: str
) -> None:
    make_project({"source/p.md": f"- Gate: Overfitting: {description}\n- Door: Tensor\n"})
    start = time.process_time()
    code, _, err = run(capsys, "build")
    assert time.process_time() - start < 2
    assert code == 1 and f"source/p.md:1:1: {message}" in err
    assert not Path("site").exists()


@pytest.mark.parametrize("command", ["check", "build", "export", "serve", "publish"])
def test_an_empty_source_argument_is_a_mistake_not_the_current_folder(
    make_project: ProjectMaker, capsys: Capture, command: str
) -> None:
    make_project({"source/p.md": "- Gate: Overfitting\n"})
    with pytest.raises(SystemExit) as exit_:
        main([command, ""])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        f"palace {command}: error: argument SOURCE: must not be empty\n"
    )


def _special_entries(folder: Path) -> None:
    os.mkfifo(folder / "fifo.md")
    (folder / "broken.md").symlink_to("nowhere.md")
    (folder / "folder.md").mkdir()
    (folder / "loop-a.md").symlink_to("loop-b.md")
    (folder / "loop-b.md").symlink_to("loop-a.md")


def test_entries_that_are_not_files_are_skipped_and_said(
    make_project: ProjectMaker, capsys: Capture
) -> None:
    folder = make_project({"source/p.md": "- Gate: Overfitting\n"})
    _special_entries(folder / "source")
    code, out, err = run(capsys, "check")
    assert (code, out) == (0, "ok: 1 palace, 1 room, 1 locus, 0 steps\n")
    assert err == (
        "source/broken.md:1:1: warning: skipped: a symbolic link to nothing\n"
        "source/fifo.md:1:1: warning: skipped: a FIFO (named pipe)\n"
        "source/folder.md:1:1: warning: skipped: a folder\n"
        "source/loop-a.md:1:1: warning: skipped: a symbolic link loop\n"
        "source/loop-b.md:1:1: warning: skipped: a symbolic link loop\n"
        "0 errors, 5 warnings in 5 files\n"
    )
    assert run(capsys, "check", "--strict")[0] == 1


@pytest.mark.parametrize("command", ["build", "export"])
def test_entries_that_check_skips_stop_no_other_command(
    make_project: ProjectMaker, command: str
) -> None:
    """What `check` skips, no command opens: reading the FIFO would wait forever (the build's
    record of what it read once did). Child processes with a timeout, so a hang fails."""
    folder = make_project({"source/p.md": "- Gate: Overfitting\n"})
    _special_entries(folder / "source")
    outputs = []
    for _ in range(2 if command == "build" else 1):  # a build, then the no-op after it
        result = subprocess.run(
            [sys.executable, "-m", "builder", command],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "source/fifo.md:1:1: warning: skipped: a FIFO (named pipe)" in result.stderr
        outputs.append(result.stdout)
    if command == "build":
        assert outputs[1].startswith("site is up to date (nothing changed)"), outputs[1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("fifo.md", "source/fifo.md: a FIFO (named pipe), not a notes file"),
        ("broken.md", "source/broken.md: a symbolic link to nothing"),
        ("loop-a.md", "source/loop-a.md: a symbolic link loop"),
        ("a/" * 2500 + "x.md", "the name is too long for the file system"),
    ],
)
def test_notes_named_that_cannot_be_read_say_why(
    make_project: ProjectMaker, capsys: Capture, name: str, message: str
) -> None:
    folder = make_project({"source/p.md": "- Gate: Overfitting\n"})
    _special_entries(folder / "source")
    code, out, err = run(capsys, "check", f"source/{name}")
    assert (code, out) == (2, "")
    assert err.startswith("palace: error: ") and err.rstrip().endswith(message)
    assert len(err) < 400


def test_a_source_folder_that_cannot_be_read_says_so(make_project: ProjectMaker) -> None:
    import shutil

    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed")
    folder = make_project({"source/p.md": "- Gate: Overfitting\n"})
    (folder / "source").chmod(0)
    try:
        result = subprocess.run(
            [
                "setpriv",
                "--inh-caps=-all",
                "--bounding-set=-dac_override,-dac_read_search,-fowner",
                sys.executable,
                "-m",
                "builder",
                "check",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        (folder / "source").chmod(0o755)
    assert (result.returncode, result.stderr) == (
        1,
        "palace: error: source: cannot read this folder: Permission denied\n",
    )


def test_listed_names_the_first_few_then_how_many_more() -> None:
    assert listed([], 3) == ""
    assert listed(["a", "b", "c"], 3) == "a, b, c"
    assert listed(["a", "b", "c", "d", "e"], 3) == "a, b, c and 2 more"
    assert listed(["x", "y"], 1, " or ") == "x and 1 more"
