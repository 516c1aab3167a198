"""``supportkit faq serve``: build, then serve the folder on loopback only."""

from __future__ import annotations

import functools
import http.server
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from supportkit.config import Config
from supportkit.errors import N_, SupportkitError
from supportkit.faq.build import BuildOptions, build_site

_LOCALE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def make_server(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``folder`` bound to 127.0.0.1 (never to other interfaces)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise SupportkitError(N_("cannot listen on 127.0.0.1:{port}: {reason}"), None,
                              N_("Pick another port with --port."), port=port, reason=exc.strerror) from None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:
            # The locale's own 404 page; a first segment that is not a plain locale code ("..",
            # "%2e%2e", a path) never names a folder: the site's own 404 page answers.
            lang = self.path.split("?", 1)[0].strip("/").split("/", 1)[0]
            page = Path(self.directory) / lang / "404.html"
            if not (_LOCALE_RE.fullmatch(lang) and page.is_file()):
                page = Path(self.directory) / "404.html"
            if page.is_file():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        super().send_error(code, message, explain)


def serve(config: Config, out: Path | None, port: int, announce: Callable[[str], None]) -> None:
    """Build into ``out`` (or a temporary folder) and serve it until interrupted."""
    with tempfile.TemporaryDirectory(prefix="supportkit-site-") as scratch:
        folder = out or Path(scratch) / "site"
        build_site(config, BuildOptions(out=folder))
        server = make_server(folder, port)
        announce(f"Serving {folder} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
