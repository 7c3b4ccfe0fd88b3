"""The Pages workflow is valid and passes the offline security audit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
BIN = Path(sys.executable).parent


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=REPO)


def test_workflow_matches_the_github_schema() -> None:
    result = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok -- validation done")


def test_workflow_passes_zizmor_offline() -> None:
    result = run(str(BIN / "zizmor"), "--offline", str(WORKFLOW))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_workflow_builds_with_the_readme_command_and_deploys_site() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "run: python3 -m pip install . && palace build" in text
    assert "path: site\n" in text
    assert "needs: build" in text and "name: github-pages" in text
    assert "cancel-in-progress: false" in text
