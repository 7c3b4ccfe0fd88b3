"""The Pages workflows (this repo's and the one `palace new` copies) and the Dependabot config
are valid, pass the offline security audit, and pin every action to a commit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
STARTER = REPO / "builder" / "commands" / "starter" / "pages.yml"
DEPENDABOT = REPO / ".github" / "dependabot.yml"
BIN = Path(sys.executable).parent
# `uses: owner/action@<commit>  # vMAJOR.MINOR.PATCH`: the comment names the tag of that commit
PINNED = re.compile(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})  # (v\d+\.\d+\.\d+)$")


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=REPO)


def pins(path: Path) -> list[tuple[str, str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    found = [PINNED.search(line) for line in lines]
    assert all(found), [line for line, match in zip(lines, found, strict=True) if not match]
    return [match.groups() for match in found if match]


@pytest.mark.parametrize("path", [WORKFLOW, STARTER], ids=["repo", "starter"])
def test_workflow_matches_the_github_schema(path: Path) -> None:
    result = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok -- validation done")


def test_dependabot_config_matches_its_schema() -> None:
    result = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(DEPENDABOT)
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok -- validation done")


def test_workflows_and_dependabot_pass_zizmor_offline() -> None:
    result = run(str(BIN / "zizmor"), "--offline", str(WORKFLOW), str(STARTER), str(DEPENDABOT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_every_action_is_pinned_to_a_commit_named_by_its_tag() -> None:
    actions = [action for action, _, _ in pins(WORKFLOW)]
    assert actions == [
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]
    assert pins(STARTER) == pins(WORKFLOW)  # a new palace starts with the same actions


def test_dependabot_keeps_actions_and_python_dependencies_current() -> None:
    text = DEPENDABOT.read_text(encoding="utf-8")
    for ecosystem in ("github-actions", "pip"):
        assert f"- package-ecosystem: {ecosystem}\n" in text
    assert text.count("interval: weekly") == 2


def test_workflow_builds_with_the_readme_command_and_deploys_site() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "run: python3 -m pip install . && palace build" in text
    assert "path: site\n" in text
    assert "needs: build" in text and "name: github-pages" in text
    assert "cancel-in-progress: false" in text


def test_starter_workflow_installs_palace_from_requirements() -> None:
    text = STARTER.read_text(encoding="utf-8")
    assert "run: python3 -m pip install -r requirements.txt && palace build" in text
    expected = WORKFLOW.read_text(encoding="utf-8").replace(
        "pip install . &&", "pip install -r requirements.txt &&"
    )
    assert text == expected
