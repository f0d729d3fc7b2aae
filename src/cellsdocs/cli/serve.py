"""``make serve``: serve the site with live reload, and keep serving the last good build when a
source or page breaks, with the error shown on every page until it is fixed.

MkDocs' own server holds every request while a rebuild fails ("the server will appear stuck").
Here each rebuild goes to a fresh folder and replaces the served one only when it succeeds.
Rebuilds run in one warm process (:mod:`cellsdocs.cli.serve_worker`) that keeps MkDocs, the library
and the loaded sources between rebuilds; it is replaced when the Python code it runs changes.
Pages poll ``/__cells__/status`` and reload when a new build lands; while the last rebuild failed,
a banner shows its error (as text).

Each rebuild is exactly as strict as ``make build`` (MkDocs' strict mode with every warning
counted: a broken link or anchor fails the rebuild and shows in the banner), runs under a time
limit, and a failure of any kind leaves the watch loop running, so the site recovers as soon as
the source is fixed or removed. An unknown URL gets the site's 404 page; Ctrl-C or SIGTERM stop
the build process and remove the temporary folders. It binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
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

from cellsdocs.errors import CellsDocsError
from cellsdocs.settings import SourcePaths, manifest_file

__all__ = ["BUILD_TIMEOUT", "Server"]

#: seconds a rebuild may take before it is stopped (``CELLS_SERVE_TIMEOUT`` overrides)
BUILD_TIMEOUT = 300.0
#: lines of MkDocs' output that say why a build failed
_REASONS = ("ERROR", "WARNING", "Aborted", "Error:")


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
        self._worker: subprocess.Popen[bytes] | None = None
        self.closed = threading.Event()
        self._code = self.code_stamp()
        self.seen: tuple[tuple[str, int, int], ...] | None = None  #: the sources the last build saw
        self._watched: list[Path] | None = None  #: the locations the last build read
        self.last_seconds = 0.0  #: how long the last build took inside the warm process
        self.last_mode = "full"  #: "incremental" when the last build re-rendered changed pages only
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
        """Every location a rebuild reads: the sources (as the manifest and the environment place
        them), the manifest and its lock, the docs, the code and the MkDocs config."""
        try:
            sources = SourcePaths.from_env(self.root).watched()
        except CellsDocsError:  # a broken manifest or lock: the build reports it; watch the manifest
            sources = []
        manifest = manifest_file(self.root)
        return [
            *sources,
            manifest,
            manifest.with_suffix(".lock"),
            self.root / "docs",
            self.root / "diagrams",
            self.root / "macros",
            self.root / "src",
            self.config,
        ]

    def stamp(self) -> tuple[tuple[str, int, int], ...]:
        """Size and modification time of every watched file. The locations are resolved once per
        build (reading the manifest four times a second would be wasted: it only changes what is
        watched when it changes itself, and it is watched)."""
        if self._watched is None:
            self._watched = self.watched()
        entries = []
        for location in self._watched:
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

    def code_stamp(self) -> tuple[tuple[str, int], ...]:
        """The Python the build runs (the library, the macros, the diagram definitions): when it
        changes, the warm process is replaced, since it has the old code imported."""
        entries = []
        for folder in (self.root / "src", self.root / "macros", self.root / "diagrams"):
            if folder.is_dir():
                for path in sorted(folder.rglob("*.py")):
                    with contextlib.suppress(OSError):
                        entries.append((str(path), path.stat().st_mtime_ns))
        return tuple(entries)

    def _start_worker(self) -> subprocess.Popen[bytes]:
        """The warm build process (:mod:`cellsdocs.cli.serve_worker`), in its own process group."""
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
        return subprocess.Popen(
            [sys.executable, "-m", "cellsdocs.cli.serve_worker"],
            cwd=self.root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a timeout stops protoc and dot too
        )

    def stop_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None and worker.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        if worker is not None:
            for pipe in (worker.stdin, worker.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()

    def _run(self, target: Path, changed: list[str] | None = None) -> tuple[int | None, str]:
        """(exit status, output) of one strict build into *target* by the warm build process;
        status None when it ran past the time limit (the process and everything it started are
        stopped, and the next build starts a fresh one)."""
        if self._worker is None or self._worker.poll() is not None:
            self._worker = self._start_worker()
        worker = self._worker
        assert worker.stdin is not None and worker.stdout is not None
        request = json.dumps({"config": str(self.config), "site_dir": str(target), "changed": changed or []}) + "\n"
        try:
            worker.stdin.write(request.encode())
            worker.stdin.flush()
        except OSError:
            self.stop_worker()
            return 1, "ERROR    -  the build process could not be reached; it is restarted on the next change"
        answer = b""
        deadline = time.monotonic() + self.timeout
        fd = worker.stdout.fileno()
        while not answer.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop_worker()
                return None, ""
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:  # the build process died (killed, out of memory): the next build starts another
                code = worker.wait()
                self._worker = None
                return 1, f"ERROR    -  the build process ended unexpectedly (exit {code})"
            answer += chunk
        result = json.loads(answer)
        self.last_seconds = float(result.get("seconds", 0.0))
        self.last_mode = str(result.get("mode", "full"))
        return (0 if result["ok"] else 1), str(result["output"])

    def build(self) -> bool:
        if self.closed.is_set():
            return False
        # what this build sees: the watch loop compares with it, so a change made while the build
        # runs, or before the loop starts, still triggers the next one
        self._watched = None  # the manifest or the environment may have moved a source
        previous, self.seen = self.seen, self.stamp()
        changed = sorted(set(previous or ()) ^ set(self.seen)) if previous is not None else []
        target = self.work / f"build-{self.build_id + 1}"
        try:
            status, output = self._run(target, sorted({path for path, _, _ in changed}))
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
        print(
            f"serve: build {self.build_id} ready at {self.url} ({self.last_seconds:.2f} s, {self.last_mode})",
            file=sys.stderr,
        )
        return True

    def watch(self, interval: float = 0.25) -> None:
        """Rebuild on every change (looked for every *interval* seconds: walking the watched
        folders takes milliseconds); nothing a source does stops this loop."""
        while not self.closed.wait(interval):
            try:
                now = self.stamp()
                if now != self.seen:
                    code = self.code_stamp()
                    if code != self._code:
                        self._code = code
                        self.stop_worker()
                    self.build()
            except Exception as exc:  # the loop must outlive any one failure
                with self.lock:
                    self.error = f"ERROR - the rebuild failed: {type(exc).__name__}: {exc}"
                print(f"serve: {self.error}", file=sys.stderr)

    def serve_forever(self) -> None:
        """Build, then serve and watch until Ctrl-C or SIGTERM; either way the build process and
        the temporary folders are gone afterwards."""

        def terminate(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, terminate)
        try:
            self.build()
            threading.Thread(target=self.watch, daemon=True).start()
            self.httpd.serve_forever()
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.close()

    def close(self) -> None:
        """Stop the build process and remove the temporary folders."""
        self.closed.set()
        self.stop_worker()
        self.httpd.server_close()
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
            self._send_page(path, 200)
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """An unknown URL gets the site's own 404 page, as GitLab Pages serves it."""
        page = Path(self.directory) / "404.html"
        if code == 404 and self.command == "GET" and page.is_file():
            self._send_page(page, 404)
            return
        super().send_error(code, message, explain)

    def _send_page(self, path: Path, status: int) -> None:
        body = path.read_bytes().replace(b"</body>", _CLIENT + b"</body>", 1)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
