"""Headless Chromium for the site tests: Debian's `/usr/bin/chromium`, driven by Playwright.

Playwright's own browser download is never used (`playwright install` needs a network this
project does not have). A missing browser skips the browser tests on a developer's machine and
fails them in CI (`CI=true`), where `.ci/run` installs the Debian package first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = Path(os.environ.get("PALACE_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere, saying why."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests need Chromium: {reason}", pytrace=False)
    print(f"skipping browser tests: {reason}")
    pytest.skip(reason)


def _install_chromium() -> None:
    """Install Debian's chromium where it is missing and we may (root with apt-get): this is
    how the README's one test command works on a fresh machine."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    print("installing Debian's chromium for the browser tests (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        subprocess.run(argv, check=False, env=env, stdout=subprocess.DEVNULL)


def _present() -> bool:
    return CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is not None


def launch(playwright: Playwright) -> Browser:
    if not _present() and "PALACE_CHROMIUM" not in os.environ:
        _install_chromium()
    if not _present():
        unavailable(f"{CHROMIUM} not found (Debian: apt-get install chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


def axe_script() -> str:
    """axe-core's browser script, as shipped by the PyPI package axe-playwright-python."""
    from importlib import resources

    try:
        return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    except ModuleNotFoundError:
        unavailable("axe-core not found (pip install axe-playwright-python)")
        raise
