"""Chromium for the browser commands: find it, launch it with Playwright, serve a page.

Playwright's own browser download cannot be used here (nor on many CI machines): the system's
Chromium is launched instead (Debian's ``chromium``, or the executable ``KUSTOMER_CHROMIUM``
names). Playwright is an optional extra, imported only by the commands that need it.

A page is given as a loopback URL, or as an HTML file: its folder is then served over
``http://127.0.0.1:<free port>/``, so ES modules load as they would in production. The same
server answers ``/__kustomer_contract__/<name>`` with the toolkit's own browser scripts
(``kustomer-double.mjs``, ``kustomer-recorder.js``), so a test page can load the reference
double without copying it.
"""

from __future__ import annotations

import functools
import http.server
import ipaddress
import os
import shutil
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent
SHIPPED = {
    "kustomer-double.mjs": PACKAGE / "reference" / "kustomer-double.mjs",
    "kustomer-recorder.js": PACKAGE / "callers" / "recorder" / "kustomer-recorder.js",
}
SHIPPED_PREFIX = "/__kustomer_contract__/"
INSTALL_HINT = (
    "install the browser extra and a Chromium: pip install 'kustomer-contract[browser]' "
    "and apt-get install chromium (or set KUSTOMER_CHROMIUM to a Chromium or Chrome executable)"
)
# Without the networking flags Chromium keeps reaching for Google's hosts, which a closed
# network refuses (slowly); --no-sandbox because CI containers often run as root.
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
)


class BrowserUnavailable(Exception):
    """Playwright or Chromium is missing, or the page cannot be served (exit code 2)."""


def find_chromium() -> str:
    """The Chromium executable to launch, or BrowserUnavailable saying what to install."""
    named = os.environ.get("KUSTOMER_CHROMIUM")
    if named:
        if not (Path(named).is_file() and os.access(named, os.X_OK)):
            raise BrowserUnavailable(f"KUSTOMER_CHROMIUM={named}: not an executable file")
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(f"no Chromium found on PATH: {INSTALL_HINT}")


def require_playwright() -> Any:
    """The ``playwright`` package, or BrowserUnavailable saying how to get it."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        raise BrowserUnavailable(
            f"Playwright for Python is not installed: {INSTALL_HINT}"
        ) from None
    return playwright


def launch_options() -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch`` (checks both are installed)."""
    require_playwright()
    return {"executable_path": find_chromium(), "args": list(CHROMIUM_ARGS), "headless": True}


def page_error_text(error: Any) -> str:
    """A page's uncaught error (Playwright's ``pageerror``) as one line: name, message and
    where it was thrown, e.g. ``TypeError: x is not a function (http://.../app.js:5:10)``."""
    name = getattr(error, "name", "") or "Error"
    lines = [line for line in str(getattr(error, "message", "") or error).splitlines() if line]
    message = lines[0].strip() if lines else ""
    where = ""
    for line in str(getattr(error, "stack", "") or "").splitlines():
        line = line.strip()
        if line.startswith("at "):
            where = " (" + line[3:].strip().strip("()").rsplit("(", 1)[-1].rstrip(")") + ")"
            break
    text = message if message.startswith(f"{name}:") else f"{name}: {message}"
    return " ".join((text + where).split())


# --- serving a page ---------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves one folder, plus the toolkit's scripts; quiet, and never cached."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
    }

    def translate_path(self, path: str) -> str:
        plain = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        if plain.startswith(SHIPPED_PREFIX) and plain[len(SHIPPED_PREFIX) :] in SHIPPED:
            return str(SHIPPED[plain[len(SHIPPED_PREFIX) :]])
        # Regular files under the folder only: no symlink out of it, no listing, no device.
        # "" is a path nothing can open, which the base class answers with 404.
        real = os.path.realpath(super().translate_path(path))
        root = os.path.realpath(self.directory)
        if not real.startswith(root + os.sep) or not os.path.isfile(real):
            return ""
        return real

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser dropping a connection (a page left mid-load) is not worth a traceback."""


@dataclass
class ServedPage:
    """Where the browser goes; ``close()`` stops the server when one was started."""

    url: str
    server: _Server | None = None

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(page: str) -> ServedPage:
    """A loopback URL as it is, or an HTML file served from its folder on a free port."""
    parts = urllib.parse.urlsplit(page)
    if parts.scheme in ("http", "https"):
        if not _is_loopback(parts.hostname or ""):
            raise BrowserUnavailable(
                f"{page}: only loopback URLs (localhost, 127.0.0.1, [::1]) can be checked; "
                "serve the page locally or give its HTML file"
            )
        return ServedPage(page)
    if parts.scheme and len(parts.scheme) > 1:  # a Windows drive letter is not a scheme
        raise BrowserUnavailable(f"{page}: give an http(s) URL on loopback or an HTML file")
    path = Path(page).resolve()
    if not path.is_file():
        raise BrowserUnavailable(f"{page}: no such file")
    handler = functools.partial(_Handler, directory=str(path.parent))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="kustomer-page-server", daemon=True).start()
    port = server.server_address[1]
    return ServedPage(f"http://127.0.0.1:{port}/{urllib.parse.quote(path.name)}", server)


__all__ = [
    "BrowserUnavailable",
    "ServedPage",
    "find_chromium",
    "launch_options",
    "page_error_text",
    "require_playwright",
    "serve",
]
