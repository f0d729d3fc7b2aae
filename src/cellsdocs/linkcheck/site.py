"""Complete link checking of a built site with ``linkchecker``, in less than the time of a build.

The site is served on loopback by a tiny threaded server that answers with a ``LinkChecker``
header (without it linkchecker throttles itself to a few requests per second per host), and
linkchecker runs with the ``AnchorCheck`` plugin, so every link *and* every ``#anchor`` is
checked. External links are not followed (the site must work on a network that reaches nothing).

linkchecker is given every page and stylesheet of the site as a start URL, with recursion level
1: it parses each one and checks every link in it (the target's status and, for ``#anchor``
links, that the target defines the anchor) without crawling further. That checks what nothing
links to as well, which a crawl from the home page would miss. It runs through :mod:`cellsdocs.linkcheck.engine`,
which parses each page once however many of its anchors are linked (stock linkchecker fetches
and parses a page again for each anchor: minutes instead of seconds on a large site).
"""

from __future__ import annotations

import contextlib
import functools
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

from cellsdocs.errors import CellsDocsError

__all__ = ["LinkReport", "check_site", "serve_site", "site_documents"]

_CONFIG = """\
[checking]
# one thread: the work is CPU-bound under the GIL, threads only add switching
threads=0
maxrequestspersecond=100000
timeout=30
# the start URLs are every page and stylesheet of the site: check their links, do not crawl on
recursionlevel=1

[filtering]
checkextern=0
# the whole site is internal (by default only URLs below a start URL would be)
internlinks=^{site_url}
# the search index and sitemap are data, not pages a reader follows
ignore=
  /search/search_index\\.json$
  /sitemap\\.xml(\\.gz)?$

[output]
status=0
warnings=1

[AnchorCheck]
"""

_SUMMARY = re.compile(r"(\d+) links? in (\d+) URLs? checked\. (\d+) warnings? found.*?(\d+) errors? found", re.S)


class _Handler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("LinkChecker", "maxrated")  # lifts linkchecker's per-host throttle
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _PagesHandler(_Handler):
    """Serves ``<file>.gz`` with ``Content-Encoding: gzip`` when it exists and the client accepts
    gzip, as GitLab Pages does with a precompressed site (``make public``)."""

    def send_head(self) -> BinaryIO | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        packed = path.with_name(path.name + ".gz")
        if not (path.is_file() and packed.is_file() and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(packed.stat().st_size))
        self.end_headers()
        return packed.open("rb")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # linkchecker hangs up once it has what it needs (the headers of an image, say): the
        # broken pipe that follows is expected, not worth a traceback
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextlib.contextmanager
def serve_site(site_dir: Path, *, precompressed: bool = False) -> Iterator[str]:
    """Serve *site_dir* on a free loopback port; yield its base URL. With *precompressed*, serve
    the ``.gz`` copies of ``make public`` as GitLab Pages does."""
    handler = functools.partial(_PagesHandler if precompressed else _Handler, directory=str(site_dir))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class LinkReport:
    links: int
    urls: int
    warnings: int
    errors: int
    output: str

    @property
    def ok(self) -> bool:
        return self.warnings == 0 and self.errors == 0


def site_documents(site_dir: Path) -> list[str]:
    """The files linkchecker reads links from (every page and stylesheet of the site), as URL
    paths relative to its root, ``index.html`` as its folder. ``404.html`` is left out: it is
    served for any missing URL, at any depth, so its relative links resolve only where it is shown."""
    return sorted(
        path.removesuffix("index.html")
        for path in (file.relative_to(site_dir).as_posix() for file in site_dir.rglob("*") if file.is_file())
        if path.endswith((".html", ".css")) and path != "404.html"
    )


def _findings(output: str) -> str:
    """linkchecker's report of what failed: the part between its banner and its statistics."""
    body = output.split("Start checking at", 1)[-1]
    body = body.split("\n", 1)[-1] if "\n" in body else ""
    return body.split("\nStatistics:", 1)[0].strip()


def check_site(site_dir: Path) -> LinkReport:
    """Run linkchecker over every page of the site served from *site_dir*."""
    if not (site_dir / "index.html").is_file():
        raise CellsDocsError("no built site here (index.html missing)", file=str(site_dir), hint="run make build first")
    documents = site_documents(site_dir)
    with tempfile.TemporaryDirectory(prefix="cells-linkcheck-") as tmp, serve_site(site_dir) as url:
        rc = Path(tmp) / "linkcheckerrc"
        rc.write_text(_CONFIG.format(site_url=re.escape(url)))
        rc.chmod(0o644)
        Path(tmp).chmod(0o755)  # linkchecker run as root drops to 'nobody'
        proc = subprocess.run(
            [sys.executable, "-m", "cellsdocs.linkcheck.engine", "-f", str(rc), "--no-robots", "--stdin"],
            input="".join(f"{url}{document}\n" for document in documents),
            capture_output=True,
            text=True,
            check=False,
        )
    output = proc.stdout + proc.stderr
    match = _SUMMARY.search(output)
    if not match or proc.returncode not in (0, 1) or "internal error" in output:
        raise CellsDocsError(f"linkchecker did not finish (exit {proc.returncode}): {output.strip()[-500:]}")
    links, urls, warnings, errors = (int(group) for group in match.groups())
    return LinkReport(links=links, urls=urls, warnings=warnings, errors=errors, output=_findings(proc.stdout))
