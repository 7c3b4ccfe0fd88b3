"""The HTTP side of `palace serve`: the output folder on 127.0.0.1, plus live reload.

Files are served as the build wrote them, with one addition made to HTML responses only, never
to the files: `<script src="/__palace__/reload.js">` before `</body>` (`livereload.py`). That
script asks `/__palace__/state.js` for news, which the server holds until there is a newer
build (then the page reloads) or the last build failed (then it shows the problems over the
page, built with DOM calls and `textContent`: the notes are untrusted text). The pages'
Content-Security-Policy allows scripts of the site's own origin only, and has no
`connect-src`: both files are of that origin, and the state is loaded as a script rather than
fetched, so served pages run under exactly the policy of the published site. A page whose
policy allows its scripts by hash only (`404.html`) is served as it is.
"""

from __future__ import annotations

import errno
import html
import http.server
import json
import mimetypes
import os
import re
import secrets
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from builder.commands.livereload import PLACEHOLDER, RELOAD_JS
from builder.errors import PalaceError
from builder.site.assets import ASSETS, HASH_LENGTH, PICTURES

HOST = "127.0.0.1"
PREFIX = "/__palace__/"
_NOT_FOUND = "404.html"
WAIT_SECONDS = 20.0  # the longest a page's question for a newer state is held open


class LiveState:
    """What open pages wait for: the current build's generation, and the last build's problems.

    `version` counts every change of either; a page asks for the state "after" the version it
    has, and the answer waits until there is a newer one (`wait`), so a reload follows a
    build at once instead of at the next poll."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._token = secrets.token_hex(4)  # a new server process: open pages reload
        self._builds = 0
        self._version = 0
        self._problems: list[dict[str, Any]] | None = None
        self._title = ""
        self._closing = False

    def generation(self) -> str:
        with self._changed:
            return f"{self._token}-{self._builds}"

    def succeeded(self, changed: bool) -> None:
        """A build went through: open pages reload if it `changed` files, the overlay goes."""
        with self._changed:
            if changed or self._problems is not None:
                self._version += 1
                self._changed.notify_all()
            self._builds += changed
            self._problems = None

    def failed(self, title: str, problems: list[dict[str, Any]]) -> None:
        """A build failed: open pages show `problems` over the last good build."""
        with self._changed:
            self._title, self._problems = title, problems
            self._version += 1
            self._changed.notify_all()

    def close(self) -> None:
        """Answer every waiting page now: the server is stopping."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()

    def wait(self, after: int | None, timeout: float = WAIT_SECONDS) -> None:
        """Return once the version is not `after` (at once when `after` is None), or after
        `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: after != self._version or self._closing, timeout=timeout)

    def payload(self) -> dict[str, Any]:
        with self._changed:
            return {
                "generation": f"{self._token}-{self._builds}",
                "version": self._version,
                "title": self._title if self._problems is not None else "",
                "problems": self._problems,
            }


class DevServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a stuck browser connection never holds up Ctrl-C
    allow_reuse_address = True
    request_queue_size = 128  # many tabs, or a burst of requests, are not kept waiting

    def __init__(self, root: Path, port: int, state: LiveState) -> None:
        self.root = root.resolve()
        self.state = state
        try:
            super().__init__((HOST, port), _Handler)
        except OSError as error:
            raise PalaceError(_bind_problem(port, error)) from error
        self.port = int(self.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.1}, name="palace-serve"
        )
        self._thread.daemon = True
        self._thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # a page went away (reloaded, closed) while its answer was on the way
        super().handle_error(request, client_address)

    def stop(self) -> None:
        self.state.close()
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
        self.server_close()


def _bind_problem(port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {HOST} is in use (another palace serve?): choose another with "
            f"--port, e.g. --port {port + 1}, or --port 0 for any free port"
        )
    if error.errno == errno.EACCES:
        return f"port {port} on {HOST}: permission denied; choose one above 1023 with --port"
    return f"cannot serve on {HOST}:{port}: {error.strerror or error}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: DevServer
    server_version = "palace-serve"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for the build's news

    def _respond(self, head: bool) -> None:
        host = self.headers.get("Host", "")
        if host not in (f"{HOST}:{self.server.port}", f"localhost:{self.server.port}"):
            # Another name for this address (DNS rebinding): not for us.
            self._send(403, b"palace serve answers on 127.0.0.1 only\n", "text/plain", head)
            return
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path.startswith(PREFIX):
            self._live(path[len(PREFIX) :], url.query, head)
            return
        if "\x00" in path:
            self._send(400, b"bad request\n", "text/plain", head)
            return
        try:
            self._serve_path(path, head)
        except (OSError, ValueError):  # a name too long for the file system, and the like
            self._missing(head)

    def _serve_path(self, path: str, head: bool) -> None:
        root = self.server.root
        file = Path(os.path.realpath(root / path.lstrip("/")))  # a link loop: not found
        hidden = any(part.startswith(".") for part in Path(path).parts)
        if not file.is_relative_to(root) or hidden:
            self._missing(head)
        elif file.is_dir() and not path.endswith("/"):
            self.send_response(301)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif file.is_dir() and (file / "index.html").is_file():
            self._file(file / "index.html", 200, head)
        elif file.is_file():
            self._file(file, 200, head)
        else:
            self._missing(head)

    def _live(self, name: str, query: str, head: bool) -> None:
        if name == "reload.js":
            self._send(200, RELOAD_JS.encode("utf-8"), "text/javascript", head)
        elif name == "state.js":
            after = parse_qs(query).get("after", [""])[0]
            self.server.state.wait(int(after) if after.isdigit() else None)
            state = json.dumps(self.server.state.payload())
            self._send(
                200,
                f"window.__palaceServe&&window.__palaceServe({state});\n".encode(),
                "text/javascript",
                head,
            )
        elif name == "state.json":
            self._send(
                200, json.dumps(self.server.state.payload()).encode(), "application/json", head
            )
        else:
            self._send(404, b"not found\n", "text/plain", head)

    def _missing(self, head: bool) -> None:
        """As GitHub Pages does: the site's own `404.html` (as it is: its policy allows only
        its own inline scripts, by hash), or a stand-in before any build."""
        page = self.server.root / _NOT_FOUND
        if page.is_file():
            self._send(404, page.read_bytes(), "text/html", head)
        else:
            self._send(404, self._inject(PLACEHOLDER), "text/html", head)

    def _file(self, file: Path, status: int, head: bool) -> None:
        try:
            data = file.read_bytes()
        except OSError:
            self._missing(head)
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind == "text/html" and _allows_own_scripts(data):
            data = self._inject(data)
        # A file named by its content never changes: a reload need not fetch it again.
        named = _BY_CONTENT.fullmatch(file.relative_to(self.server.root).as_posix())
        self._send(status, data, kind, head, IMMUTABLE if named else "no-store")

    def _inject(self, page: bytes) -> bytes:
        tag = (
            f'<script src="{PREFIX}reload.js" '
            f'data-generation="{self.server.state.generation()}"></script>'
        ).encode()
        end = page.rfind(b"</body>")
        return page + tag if end < 0 else page[:end] + tag + page[end:]

    def _send(
        self, status: int, body: bytes, kind: str, head: bool, cache: str = "no-store"
    ) -> None:
        self.send_response(status)
        textual = kind.startswith("text/") or kind in ("application/json", "image/svg+xml")
        self.send_header("Content-Type", kind + ("; charset=utf-8" if textual else ""))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if not head:
            self.wfile.write(body)


IMMUTABLE = "max-age=31536000, immutable"
# The site's files named by a hash of their content (`site.assets`): stylesheet, scripts, icon,
# study data and pictures.
_BY_CONTENT = re.compile(
    rf"({ASSETS}/[^/]+\.|{PICTURES}/)[0-9a-f]{{{HASH_LENGTH}}}(\.[A-Za-z0-9]+)+"
)
_CSP = re.compile(rb'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', re.I)


def _allows_own_scripts(page: bytes) -> bool:
    """Whether the page's policy (if it has one) lets it run a script of its own origin: a
    page whose scripts are allowed by hash only gets no reload script (it would be refused)."""
    found = _CSP.search(page)
    if found is None:
        return True
    policy = html.unescape(found.group(1).decode("utf-8", "replace"))
    directives: dict[str, str] = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives.setdefault(name.lower(), value)
    sources = directives.get("script-src", directives.get("default-src", "*")).split()
    return "'self'" in sources or "*" in sources
