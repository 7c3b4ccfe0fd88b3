"""A local stand-in for GitHub Pages: the site served from a sub-path, with Pages' 404 handling.

`http://127.0.0.1:<port>/repo/…` maps to the folder; a folder URL serves its `index.html`, a
folder without its trailing slash redirects, and any missing path under `/repo/` gets the
site's `404.html` with status 404, at any depth, as Pages does for a project site.
"""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PREFIX = "/repo/"


class _PagesHandler(http.server.SimpleHTTPRequestHandler):
    root: Path  # set on the subclass made for each server

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if not path.startswith(PREFIX):
            self._send(404, b"not found", "text/plain", head)
            return
        file = (self.root / path[len(PREFIX) :]).resolve()
        if not file.is_relative_to(self.root):
            self._send(404, b"not found", "text/plain", head)
        elif file.is_dir() and not path.endswith("/"):
            self.send_response(301)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif file.is_dir() and (file / "index.html").is_file():
            self._send(200, (file / "index.html").read_bytes(), "text/html", head)
        elif file.is_file():
            self._send(200, file.read_bytes(), self.guess_type(str(file)), head)
        else:
            self._send(404, (self.root / "404.html").read_bytes(), "text/html", head)

    def _send(self, status: int, body: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header(
            "Content-Type", kind + ("; charset=utf-8" if kind.startswith("text") else "")
        )
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser hanging up mid-answer (a test leaving a page while its data loads) is
        # not the site's fault; anything else is printed as usual.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` as a project site; yields its base URL (`http://127.0.0.1:<port>/repo/`)."""
    handler = type("PagesHandler", (_PagesHandler,), {"root": root.resolve()})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
