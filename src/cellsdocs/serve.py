"""``make serve``: serve the site with live reload, and keep serving the last good build when a
source or page breaks, with the error shown on every page until it is fixed.

MkDocs' own server holds every request while a rebuild fails ("the server will appear stuck").
Here each rebuild goes to a fresh folder and replaces the served one only when it succeeds.
Pages poll ``/__cells__/status`` and reload when a new build lands; while the last rebuild failed,
a banner shows its error (as text).

Each rebuild is exactly as strict as ``make build`` (``--strict`` without ``--quiet``, which in
MkDocs 1.6 hides warnings from the strict counter: a broken link or anchor fails the rebuild and
shows in the banner), runs under a time limit, and a failure of any kind leaves the watch loop
running, so the site recovers as soon as the source is fixed or removed.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .settings import SourcePaths

__all__ = ["BUILD_TIMEOUT", "Server", "build_command"]

#: seconds a rebuild may take before it is stopped (``CELLS_SERVE_TIMEOUT`` overrides)
BUILD_TIMEOUT = 300.0
#: lines of MkDocs' output that say why a build failed
_REASONS = ("ERROR", "WARNING", "Aborted", "Error:")


def build_command(config: Path, site_dir: Path) -> list[str]:
    """The rebuild: the strict build ``make build`` runs (no ``--quiet``: see the module doc)."""
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)]


_CLIENT = b"""<script>
(function () {
  var seen = null;
  function poll() {
    fetch("/__cells__/status", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.build !== seen) { location.reload(); return; }
      seen = s.build;
      var bar = document.getElementById("cells-build-error");
      if (s.error) {
        if (!bar) {
          bar = document.createElement("pre");
          bar.id = "cells-build-error";
          bar.style.cssText = "position:fixed;bottom:0;left:0;right:0;z-index:1000;margin:0;padding:.8em 1em;" +
            "background:#b71c1c;color:#fff;font-size:13px;white-space:pre-wrap;max-height:40vh;overflow:auto";
          document.body.appendChild(bar);
        }
        bar.textContent = "The last rebuild failed; showing the last good build.\\n" + s.error;
      } else if (bar) { bar.remove(); }
    }).catch(function () {}).then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>"""


class Server:
    """Build, serve, watch, rebuild; swap only good builds."""

    def __init__(
        self,
        root: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        config: Path | None = None,
        timeout: float | None = None,
    ) -> None:
        self.root = root
        self.config = config or root / "mkdocs.yml"
        self.timeout = timeout if timeout is not None else float(os.environ.get("CELLS_SERVE_TIMEOUT") or BUILD_TIMEOUT)
        self.work = Path(tempfile.mkdtemp(prefix="cells-serve-"))
        self.current: Path | None = None
        self.build_id = 0
        self.error = ""
        self.lock = threading.Lock()
        handler = functools.partial(_Handler, server_state=self)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def watched(self) -> list[Path]:
        paths = SourcePaths.from_env(self.root)
        return [
            *paths.watched(),
            self.root / "docs",
            self.root / "diagrams",
            self.root / "macros",
            self.root / "src",
            self.config,
        ]

    def stamp(self) -> tuple[tuple[str, int, int], ...]:
        entries = []
        for location in self.watched():
            try:
                files = [location] if location.is_file() else sorted(location.rglob("*")) if location.is_dir() else []
            except (OSError, RuntimeError) as exc:  # a symlink loop, a folder that vanished mid-walk
                entries.append((f"{location}: {type(exc).__name__}", 0, 0))
                continue
            for path in files:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                if "__pycache__" not in path.parts:
                    entries.append((str(path), stat.st_size, stat.st_mtime_ns))
        return tuple(entries)

    def _run(self, target: Path) -> tuple[int | None, str]:
        """(exit status, output) of one strict build into *target*; status None when it ran past
        the time limit (the build and everything it started are stopped)."""
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
        proc = subprocess.Popen(
            build_command(self.config, target),
            cwd=self.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # its own process group: a timeout stops protoc and dot too
        )
        try:
            output, _ = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
            return None, output
        return proc.returncode, output

    def build(self) -> bool:
        target = self.work / f"build-{self.build_id + 1}"
        try:
            status, output = self._run(target)
        except OSError as exc:
            status, output = 1, f"ERROR - the rebuild could not start: {exc}"
        if status != 0:
            lines = [line for line in output.splitlines() if line.lstrip().startswith(_REASONS)]
            error = "\n".join(lines) or output.strip()[-2000:]
            if status is None:
                error = (
                    f"ERROR - the rebuild ran for more than {self.timeout:g} s and was stopped "
                    "(fix: a source that never ends, e.g. a FIFO or device among the sources, or set "
                    f"CELLS_SERVE_TIMEOUT)\n{error}"
                ).rstrip()
            with self.lock:
                self.error = error
            print(f"serve: rebuild failed, still serving the last good build:\n{self.error}", file=sys.stderr)
            shutil.rmtree(target, ignore_errors=True)
            return False
        with self.lock:
            old, self.current = self.current, target
            self.build_id += 1
            self.error = ""
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        print(f"serve: build {self.build_id} ready at {self.url}", file=sys.stderr)
        return True

    def watch(self, interval: float = 1.0) -> None:
        """Rebuild on every change; nothing a source does stops this loop."""
        last = self.stamp()
        while True:
            time.sleep(interval)
            try:
                now = self.stamp()
                if now != last:
                    last = now
                    self.build()
            except Exception as exc:  # the loop must outlive any one failure
                with self.lock:
                    self.error = f"ERROR - the rebuild failed: {type(exc).__name__}: {exc}"
                print(f"serve: {self.error}", file=sys.stderr)

    def serve_forever(self) -> None:
        self.build()
        threading.Thread(target=self.watch, daemon=True).start()
        try:
            self.httpd.serve_forever()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, server_state: Server, **kwargs: Any) -> None:
        self.state = server_state
        super().__init__(*args, directory=str(server_state.current or server_state.work), **kwargs)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/__cells__/status"):
            with self.state.lock:
                body = json.dumps({"build": self.state.build_id, "error": self.state.error}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes().replace(b"</body>", _CLIENT + b"</body>", 1)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()
