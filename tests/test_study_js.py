"""The study scripts' own tests (tests/browser/js/*.test.js), run by Node's test runner.

The scripts are tested as the site serves them (ts-fsrs with its licence in front, see
`assets.vendored_fsrs`), next to the study data of real palaces (what the search searches) and
the cases for the JavaScript fold, which must agree with `builder.notes.identity.fold` character for
character.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser.fixtures import GERMAN, HOSTILE, SEED, palaces
from browser.fixtures import SCRIPTS as MANY_SCRIPTS

from builder.notes.identity import fold
from builder.site.assets import SCRIPTS, collect_pictures, static_files
from builder.site.pages import room_views
from builder.site.study import study_script

JS_TESTS = Path(__file__).resolve().parent / "browser" / "js"

FOLD_CASES = [
    "Küche",
    "KÜCHE",
    "Torbogen",
    "Straße",
    "STRASSE",
    "ẞ",
    "Überanpassung",
    "Äpfel, Öfen, Übel",
    "façade",
    "Crème brûlée",
    "Ærø",
    "œuvre",
    "Łódź",
    "Đakovo",
    "São Paulo",
    "naïve café",
    "Ǽ",
    "İstanbul",
    "ﬁnal ﬂow",  # ligatures decompose
    "x²",
    "Ⅻ",
    "Tiếng Việt",
    "Ελληνικά άλφα ΣΑΣ",
    "Русский: Ёлка",
    "हिन्दी",  # Devanagari vowel signs are marks JavaScript's \p{M} has but Python keeps
    "日本語のテキスト",
    "emoji 🙂 👍🏽",
    "tab\tand\nnewline",
    "optimizer.zero_grad() # clear prev grads",
    "",
]


def node() -> str:
    """Node.js: installed with apt-get where it is missing and we may (root), as the browser
    tests install Chromium; missing, the test fails in CI and is skipped elsewhere."""
    if shutil.which("node") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "nodejs"]):
            subprocess.run(argv, check=False, env=env, stdout=subprocess.DEVNULL)
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the study scripts' tests need Node.js (node)", pytrace=False)
        pytest.skip("Node.js (node) is not installed")
    return found


def served_scripts(folder: Path) -> None:
    """The study scripts under their plain names, as the site serves them."""
    static = static_files()
    by_path = dict(static.files)
    for key, name in SCRIPTS.items():
        (folder / name).write_bytes(by_path[static.scripts[key]])
    found = palaces(SEED, GERMAN, HOSTILE, MANY_SCRIPTS)
    pictures, _ = collect_pictures(found)
    for palace in found:
        data = study_script(palace, room_views(palace), pictures)
        (folder / f"data-{palace.id}.js").write_bytes(data)
    cases = [[text, fold(text)] for text in FOLD_CASES]
    (folder / "fold-cases.json").write_text(json.dumps(cases), encoding="utf-8")


def test_study_scripts_pass_their_node_tests(tmp_path: Path) -> None:
    executable = node()
    served_scripts(tmp_path)
    tests = sorted(str(path) for path in JS_TESTS.glob("*.test.js"))
    assert len(tests) == 4
    # A zone with summer time and a date line far from UTC: "today" must be local.
    env = {**os.environ, "PALACE_ASSETS": str(tmp_path), "TZ": "America/St_Johns"}
    result = subprocess.run(
        [executable, "--test", "--test-reporter=spec", *tests],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.search(r"^ℹ pass (\d+)$", result.stdout, flags=re.M)
    assert passed is not None and int(passed.group(1)) >= 20, result.stdout


def test_fold_cases_cover_what_the_fold_treats_specially() -> None:
    folded = {fold(text) for text in FOLD_CASES}
    assert {"kuche", "strasse", "uberanpassung", "aero", "oeuvre", "lodz", "dakovo"} <= {
        word.strip(",") for text in folded for word in text.split()
    }
