"""The linters and the type checker configured in pyproject.toml pass on the whole project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.parametrize(
    "argv",
    [
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_passes(argv: list[str], tmp_path: Path) -> None:
    if argv == ["mypy"]:
        argv = [*argv, "--cache-dir", str(tmp_path / "mypy")]  # not .mypy_cache in the repo
    result = subprocess.run(
        [sys.executable, "-m", *argv], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _imports_between_packages() -> dict[str, set[str]]:
    """Which top-level part of `builder` imports which other, from every import in the code
    (those inside functions too)."""
    import ast

    def part(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for file in (REPO / "builder").rglob("*.py"):
        module = ".".join(file.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                target = node.module
                if target.startswith("builder.") and part(target) != part(module):
                    edges.setdefault(part(module), set()).add(part(target))
    return edges


def test_the_stages_import_each_other_without_a_cycle() -> None:
    edges = _imports_between_packages()
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"import cycle: {' → '.join((*path, node))}"
        if node not in done:
            for target in sorted(edges.get(node, ())):
                visit(target, (*path, node))
            done.add(node)

    for node in sorted(edges):
        visit(node, ())


def test_the_package_reads_as_the_pipeline() -> None:
    top = sorted(p.name for p in (REPO / "builder").glob("*.py"))
    assert len(top) <= 8, top
    packages = {p.name for p in (REPO / "builder").iterdir() if (p / "__init__.py").is_file()}
    assert packages >= {"notes", "markup", "deck", "site", "build", "output", "commands"}
    too_long = [
        f"{p.relative_to(REPO)}: {n}"
        for p in (REPO / "builder").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300
    ]
    assert too_long == []
