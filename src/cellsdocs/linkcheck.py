"""Fast, complete link checking of a built site with ``linkchecker``.

``linkchecker`` cannot check anchors in file mode with directory URLs, and against an ordinary
HTTP server it throttles itself to a few requests per second per host. Here the site is served on
loopback by a tiny threaded server that answers with a ``LinkChecker`` header, which tells
linkchecker the host accepts a high request rate; with ``maxrequestspersecond`` raised and the
AnchorCheck plugin on, it checks every page, link and ``#anchor`` in about the time of a build.
External links are not followed (the site must work on a network that reaches nothing).
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

from .errors import CellsDocsError

__all__ = ["LinkReport", "check_site", "serve_site"]

_CONFIG = """\
[checking]
threads={threads}
maxrequestspersecond=100000
timeout=30
recursionlevel=-1

[filtering]
checkextern=0
# the search index and sitemap are data, not pages a reader follows
ignore=
  /search/search_index\\.json
  /sitemap\\.xml

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


@contextlib.contextmanager
def serve_site(site_dir: Path) -> Iterator[str]:
    """Serve *site_dir* on a free loopback port; yield its base URL."""
    handler = functools.partial(_Handler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
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


def check_site(site_dir: Path, *, threads: int = 8) -> LinkReport:
    """Run linkchecker over the site served from *site_dir*."""
    if not (site_dir / "index.html").is_file():
        raise CellsDocsError("no built site here (index.html missing)", file=str(site_dir), hint="run make build first")
    with tempfile.TemporaryDirectory(prefix="cells-linkcheck-") as tmp:
        rc = Path(tmp) / "linkcheckerrc"
        rc.write_text(_CONFIG.format(threads=threads))
        rc.chmod(0o644)
        Path(tmp).chmod(0o755)  # linkchecker run as root drops to 'nobody'
        with serve_site(site_dir) as url:
            proc = subprocess.run(
                [sys.executable, "-m", "linkcheck", "-f", str(rc), "--no-robots", url],
                capture_output=True,
                text=True,
                check=False,
            )
    output = proc.stdout + proc.stderr
    match = _SUMMARY.search(output)
    if not match:
        raise CellsDocsError(f"linkchecker did not finish (exit {proc.returncode}): {output.strip()[-500:]}")
    links, urls, warnings, errors = (int(g) for g in match.groups())
    return LinkReport(links=links, urls=urls, warnings=warnings, errors=errors, output=output)
