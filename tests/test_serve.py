"""`palace serve` in a subprocess on a free port: edits show within 2 s, a broken edit shows the
problems over the last good site, fixing clears them, Ctrl-C exits 0 and leaves no temp files.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium
from conftest import REPO

from builder.commands.devserver import LiveState
from builder.commands.livereload import RELOAD_JS

NOTES = """# Test palace

## Kitchen
- Stove: Loss functions: how far predictions are from labels
- Sink: Softmax: activations that add up to 1
"""
ROOM = "test-palace/kitchen/index.html"
DEADLINE = 2.0  # seconds from saving the notes to seeing the result
EPOCH = "1700000000"  # decks built by serve and by build get the same note times


class Served:
    """A `palace serve` process and its URL."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-m", "builder", "serve", "--port", "0", *args],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        )
        assert self.process.stdout is not None
        self.lines: list[str] = []
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("serving "):
                self.url = line.split(" at ", 1)[1].split()[0]
            if line.startswith("watching "):  # from now on, every save is seen
                break
        else:
            message = "serve ended: " + "".join(self.lines) + self.stderr()
            self.close()
            raise AssertionError(message)

    def stderr(self) -> str:
        assert self.process.stderr is not None
        return self.process.stderr.read() if self.process.poll() is not None else ""

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def state(self) -> dict[str, Any]:
        status, body = self.get("__palace__/state.json")
        assert status == 200
        return dict(json.loads(body))

    def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=10)
        return self.process.returncode, "".join(self.lines) + out, err

    def close(self) -> None:
        """However a test ended: no process, no open pipe left behind."""
        if self.process.poll() is None:
            self.process.kill()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None and not stream.closed:
                stream.close()
        self.process.wait()


def write(path: Path, text: str) -> None:
    """Save as an editor does: a new file moved over the old one."""
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def within(seconds: float, check: Callable[[], bool]) -> float:
    """Wait until `check()`; return how long it took (fail after `seconds`)."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - start


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "test-palace.md").write_text(NOTES, encoding="utf-8")
    return tmp_path


@pytest.fixture
def served(project: Path) -> Iterator[Served]:
    server = Served(project)
    yield server
    server.close()


def test_an_edit_shows_within_two_seconds(served: Served, project: Path) -> None:
    assert b"Loss functions" in served.get(ROOM)[1]
    before = served.state()
    assert before["problems"] is None
    write(project / "source" / "test-palace.md", NOTES.replace("Loss functions", "Cost function"))
    within(DEADLINE, lambda: b"Cost function" in served.get(ROOM)[1])
    # open pages are told to reload (right after the new site is in place)
    within(DEADLINE, lambda: served.state()["generation"] != before["generation"])


def vim_save(path: Path, text: str) -> None:
    """As vim saves: a probe file made and removed, the file renamed to a backup, a new file
    written, the backup removed."""
    probe = path.with_name("4913")
    probe.touch()
    probe.unlink()
    backup = path.with_name(path.name + "~")
    os.replace(path, backup)
    path.write_text(text, encoding="utf-8")
    backup.unlink()


def in_place(path: Path, text: str) -> None:
    """As editors that write over the file save: truncated, then written."""
    path.write_text(text, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("save", [write, vim_save, in_place])
def test_each_save_an_editor_makes_is_one_rebuild(
    project: Path, save: Callable[[Path, str], None]
) -> None:
    notes = project / "source" / "test-palace.md"
    server = Served(project)
    time.sleep(0.2)  # past the look for saves made while it started (then one more rebuild)
    try:
        for n in range(2):
            save(notes, NOTES.replace("Loss functions", f"Cost {n}"))
            within(DEADLINE, lambda: f"Cost {n}".encode() in server.get(ROOM)[1])  # noqa: B023
            time.sleep(0.3)  # whatever else the save did has been seen
        code, out, _ = server.stop()
    finally:
        server.close()
    assert code == 0 and out.count(": rebuilding") == 2, out


def test_a_broken_edit_shows_its_problem_and_keeps_the_last_good_site(
    served: Served, project: Path
) -> None:
    notes = project / "source" / "test-palace.md"
    write(notes, NOTES + "- Fridge <script>alert(1)</script>\n")
    within(DEADLINE, lambda: served.state()["problems"] is not None)
    state = served.state()
    assert state["title"] == "The notes have 1 problem: this page shows the last good build."
    assert state["problems"] == [
        {
            "where": "source/test-palace.md:6:3",
            "severity": "error",
            "message": "expected 'Locus: Concept: description'",
            "line": 6,
            "text": "- Fridge <script>alert(1)</script>",  # shown with textContent: inert
        }
    ]
    status, page = served.get(ROOM)
    assert status == 200 and b"Loss functions" in page  # the last good build
    # Fixing it clears the problem and shows the fix.
    write(notes, NOTES + "- Fridge: Dropout: switch off units at random\n")
    within(DEADLINE, lambda: served.state()["problems"] is None)
    within(DEADLINE, lambda: b"Dropout" in served.get(ROOM)[1])


def test_served_pages_are_the_built_files_plus_the_reload_script(
    served: Served, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = project / "site"
    other = tmp_path_factory.mktemp("built") / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    subprocess.run(
        [sys.executable, "-m", "builder", "build", "--out", str(other), "-q"],
        cwd=project,
        check=True,
        env=env,
    )
    built = {p.relative_to(other) for p in other.rglob("*") if p.is_file()}
    assert built == {p.relative_to(site) for p in site.rglob("*") if p.is_file()}
    for name in built:
        assert (site / name).read_bytes() == (other / name).read_bytes(), name
    on_disk = (site / ROOM).read_bytes()
    status, served_page = served.get(ROOM)
    tag = f'<script src="/__palace__/reload.js" data-generation="{served.state()["generation"]}">'
    assert b"__palace__" not in on_disk
    assert served_page == on_disk.replace(b"</body>", tag.encode() + b"</script></body>")
    status, script = served.get("__palace__/reload.js")
    assert status == 200 and script.decode() == RELOAD_JS
    status, not_found = served.get("nowhere/at/all.html")
    # Pages' 404 page, as built: its policy allows its inline scripts by hash only, so a reload
    # script would be refused: it gets none.
    assert (status, not_found) == (404, (site / "404.html").read_bytes())
    assert served.get(".palace-manifest")[0] == 404  # the build's bookkeeping stays private


def test_starting_with_broken_notes_serves_a_stand_in_until_fixed(project: Path) -> None:
    notes = project / "source" / "test-palace.md"
    notes.write_text(NOTES + "oops\n", encoding="utf-8")
    server = Served(project)
    try:
        status, page = server.get("")
        assert status == 404 and b"No site yet" in page and b"/__palace__/reload.js" in page
        assert server.state()["problems"][0]["where"] == "source/test-palace.md:6:1"
        write(notes, NOTES)
        within(DEADLINE, lambda: server.state()["problems"] is None)
        assert server.get("")[0] == 200
        assert server.stop()[0] == 0
    finally:
        server.close()


def test_a_wrong_setting_while_serving_is_shown_like_a_notes_error(
    served: Served, project: Path
) -> None:
    write(project / "palace.toml", "titel = 'x'\n")
    within(DEADLINE, lambda: served.state()["problems"] is not None)
    assert served.state()["problems"][0]["message"].startswith(
        "palace.toml: unknown key 'titel' (known: "
    )
    write(project / "palace.toml", "lang = 'de'\n")
    within(DEADLINE, lambda: served.state()["problems"] is None)
    assert b'lang="de"' in served.get(ROOM)[1]


def test_ctrl_c_exits_0_and_leaves_no_temp_files(served: Served, project: Path) -> None:
    write(project / "source" / "test-palace.md", NOTES.replace("Sink", "Basin"))
    time.sleep(0.1)  # Ctrl-C lands during the rebuild or after it
    code, out, err = served.stop()
    assert (code, err) == (0, "")
    assert out.endswith("stopped\n")
    manifest = (project / "site" / ".palace-manifest").read_text().split()
    expected = {"source/test-palace.md", "site/.palace-manifest"}
    expected |= {".palace-cache/site.json", ".palace-cache/site.memo", ".palace-cache/.gitignore"}
    expected |= {".palace-cache/site.lock"}
    expected |= {f"site/{name}" for name in manifest}
    spare = project / ".palace-cache" / "spare-site"  # the build before, to assemble the next in
    if spare.is_dir():
        kept = (spare / ".palace-manifest").read_text().split()
        expected |= {f"{spare.relative_to(project)}/{name}" for name in [*kept, ".palace-manifest"]}
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert files == expected  # no temp file anywhere


def test_a_port_in_use_is_a_clear_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "builder", "serve", "--port", str(port)],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"palace: error: port {port} on 127.0.0.1 is in use (another palace serve?): choose "
        f"another with --port, e.g. --port {port + 1}, or --port 0 for any free port\n"
    )
    assert not (project / "site").exists()  # refused before building anything


def test_the_overlay_never_parses_notes_as_html() -> None:
    assert "innerHTML" not in RELOAD_JS and "insertAdjacentHTML" not in RELOAD_JS
    assert "document.write" not in RELOAD_JS and "eval(" not in RELOAD_JS


def test_in_a_real_browser_under_the_sites_policy(served: Served, project: Path) -> None:
    """Chromium: the page reloads after an edit, shows the overlay (as text) under the pages'
    Content-Security-Policy without a violation, and hides it again after the fix."""
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        chromium.unavailable("the playwright package is not installed")
        raise
    notes = project / "source" / "test-palace.md"
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(served.url + ROOM)
            page.evaluate("window.__stillHere = true")
            write(notes, NOTES + "- Fridge <img src=x onerror=window.__pwned=1>\n")
            overlay = page.locator("#palace-serve-overlay")
            overlay.wait_for(timeout=DEADLINE * 1000)
            text = overlay.inner_text()
            assert (
                "source/test-palace.md:6:3: error: expected 'Locus: Concept: description'" in text
            )
            assert "<img src=x onerror=window.__pwned=1>" in text
            assert overlay.locator("img").count() == 0
            assert page.evaluate("window.__stillHere") is True  # not reloaded: last good page
            write(notes, NOTES.replace("Softmax", "Argmax"))
            page.wait_for_function(
                "() => document.body.textContent.includes('Argmax')", timeout=DEADLINE * 1000
            )
            assert page.evaluate("window.__stillHere") is None  # reloaded
            assert overlay.count() == 0
            assert page.evaluate("window.__pwned") is None
            assert errors == []  # no Content-Security-Policy violation, no script error
        finally:
            browser.close()


def test_builder_checkout_is_watched_from_the_repository() -> None:
    from builder.commands.serve import _is_checkout

    assert _is_checkout(REPO / "builder")
    assert not _is_checkout(Path("/usr/lib/python3/site-packages/builder"))


def test_a_waiting_page_hears_of_a_build_at_once_and_of_nothing_else() -> None:
    state = LiveState()
    seen = state.payload()["version"]
    timer = threading.Timer(0.2, state.succeeded, args=(True,))
    start = time.monotonic()
    timer.start()
    state.wait(seen, timeout=10)
    assert 0.15 < time.monotonic() - start < 2
    assert state.payload()["version"] == seen + 1
    seen += 1
    state.succeeded(False)  # a build that changed nothing is no news
    start = time.monotonic()
    state.wait(seen, timeout=0.3)
    assert time.monotonic() - start >= 0.29 and state.payload()["version"] == seen
    state.failed("1 error", [{"message": "x"}])  # a failed build is news, at once
    start = time.monotonic()
    state.wait(seen, timeout=10)
    assert time.monotonic() - start < 0.1 and state.payload()["problems"] == [{"message": "x"}]
    state.close()  # a stopping server answers every waiting page
    start = time.monotonic()
    state.wait(state.payload()["version"], timeout=10)
    assert time.monotonic() - start < 0.1


def _raw_get(url: str, path: str) -> int:
    """The status of a GET of `path` exactly as written (no quoting by a client library)."""
    host, port = url.split("//", 1)[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
        connection.sendall(request.encode("latin-1"))
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    return int(reply.split(b" ", 2)[1])


HOSTILE_PATHS = [
    ("/%00", 400),
    ("/a%00b/index.html", 400),
    ("/" + "x" * 300 + "/", 404),
    ("/" + "x" * 5000, 404),
    ("/" + "/".join(["y" * 255] * 20), 404),
    ("/%2e%2e/%2e%2e/etc/passwd", 404),
    ("/%ff%fe", 404),
    ("/.palace-cache/", 404),
    ("/loop", 404),  # links of the owner's in the output folder: a loop, one out of it
    ("/loop/index.html", 404),
    ("/etc/passwd", 404),
]


def test_hostile_paths_get_an_answer_and_no_traceback(served: Served) -> None:
    (served.root / "site" / "loop").symlink_to("loop")
    (served.root / "site" / "etc").symlink_to("/etc")
    for path, status in HOSTILE_PATHS:  # one server for all: each answer leaves it serving
        assert (_raw_get(served.url, path), path) == (status, path)
        assert served.get("")[0] == 200, f"not serving after {path}"
    code, _, err = served.stop()
    assert code == 0 and "Traceback" not in err, err


def test_two_hundred_requests_at_once_are_answered_promptly(served: Served) -> None:
    from concurrent.futures import ThreadPoolExecutor

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(lambda _: _raw_get(served.url, "/"), range(200)))
    assert statuses == [200] * 200
    assert time.monotonic() - start < 5


# -- what a rebuild in `palace serve` keeps from the last one -----------------------------------


def test_a_rebuild_in_serve_renders_only_the_rooms_that_changed_and_writes_the_same_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builder.deck as deck
    from builder.deck.history import keep_written
    from builder.notes.load import load_notes

    seed = (REPO / "source" / "ml-palace.md").read_text(encoding="utf-8")
    edited = seed.replace("how quickly params are updated", "how fast the weights move")
    deck_file = "ml-palace.apkg"
    assert edited != seed

    def palaces(text: str, folder: str) -> Any:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "ml-palace.md").write_text(text, encoding="utf-8")
        return load_notes([str(tmp_path / folder)]).palaces

    def build(text: str, folder: str, previous: Path | None, now: int) -> Path:
        out = tmp_path / f"{folder}-out"
        out.mkdir()
        for name, data in deck.render_decks(palaces(text, folder), previous, now=now).files.items():
            (out / name).write_bytes(data)
        return out

    rendered: list[str] = []
    room_notes = deck.room_notes

    def counted(layout: Any, slot: Any, names: Any) -> Any:
        rendered.append(slot.room.id)
        return room_notes(layout, slot, names)

    monkeypatch.setattr(deck, "room_notes", counted)
    alone = build(edited, "alone", build(seed, "first", None, 1), 2)
    rooms = len(rendered) // 2  # each build renders every room
    keep_written()
    try:
        served = build(edited, "served", build(seed, "served-first", None, 1), 2)
        assert len(rendered) == 2 * rooms + rooms + 1  # in serve: every room, then the edited one
        served_back = build(seed, "served-back", served, 3)  # undone: from what serve kept
    finally:
        keep_written(False)
    assert (served / "ml-palace.apkg").read_bytes() == (alone / "ml-palace.apkg").read_bytes()
    alone_back = build(seed, "alone-back", alone, 3)
    assert (served_back / deck_file).read_bytes() == (alone_back / deck_file).read_bytes()


def test_files_named_by_their_content_may_be_cached_the_rest_never(tmp_path: Path) -> None:
    from builder.commands.devserver import IMMUTABLE, DevServer

    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "style.0123456789ab.css").write_text("a{}", encoding="utf-8")
    (tmp_path / "assets" / "mine.css").write_text("b{}", encoding="utf-8")
    (tmp_path / "index.html").write_text("<body></body>", encoding="utf-8")
    server = DevServer(tmp_path, 0, LiveState())
    server.start()
    try:
        for path, cache in (
            ("assets/style.0123456789ab.css", IMMUTABLE),
            ("assets/mine.css", "no-store"),
            ("index.html", "no-store"),
        ):
            with urllib.request.urlopen(f"{server.url}{path}", timeout=10) as response:
                assert response.headers["Cache-Control"] == cache, path
    finally:
        server.stop()
