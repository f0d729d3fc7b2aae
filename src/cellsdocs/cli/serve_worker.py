"""The warm build process of ``cells-docs serve``: one Python process that stays up between
rebuilds, so a rebuild does not import MkDocs, Material, protoc and the library again, and the
``cells`` plugin (kept by MkDocs across builds of one process because it has ``on_startup``)
reuses the model it loaded while no source file changed.

Protocol: one JSON request per line on stdin (``{"config": ..., "site_dir": ..., "changed": [...]}``),
one JSON answer per line on the process's original stdout (``{"ok": bool, "output": "...",
"mode": "full" | "incremental"}``). ``changed`` lists the files that changed since the last good
build (the one this process made); when they are pages only, the rebuild re-renders just those
(:mod:`cellsdocs.mkdocs.incremental`), else it is a full build. Anything
else written to stdout by a library goes to stderr. Every build is the strict build of
``mkdocs build --strict`` (``load_config(strict=True)``; MkDocs counts warnings and aborts); the
server stops the whole process group when a build runs past its time limit and starts a new one.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

from cellsdocs.mkdocs.incremental import LastBuild, rebuild

__all__ = ["main"]


class _Capture(logging.Handler):
    """MkDocs' log lines of one build, formatted as ``mkdocs build`` prints them."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(f"{record.levelname:<8}-  {record.getMessage()}")
        except Exception:  # a record that cannot be formatted is still a line
            self.lines.append(f"{record.levelname:<8}-  {record.msg!r}")


def build_once(config_file: str, site_dir: str, capture: _Capture) -> LastBuild | None:
    """A full strict build; what it leaves for an incremental one, or ``None`` when it failed."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    capture.lines.clear()
    try:
        config = load_config(config_file, site_dir=site_dir, strict=True)
        build(config)
    except MkDocsException as exc:  # PluginError, Abort, ConfigurationError: MkDocs' own one line
        capture.lines.append(f"ERROR    -  {exc}")
        return None
    except SystemExit as exc:
        capture.lines.append(f"ERROR    -  the build exited ({exc.code})")
        return None
    except Exception as exc:  # a bug: one line, and the server keeps serving the last good site
        capture.lines.append(f"ERROR    -  {type(exc).__name__}: {exc}")
        return None
    built = getattr(config.plugins.get("cells"), "built", {})
    if not {"files", "nav", "env"} <= built.keys():
        return LastBuild(config=config, files=None, nav=None, env=None, site_dir=Path(site_dir))
    return LastBuild(config=config, files=built["files"], nav=built["nav"], env=built["env"], site_dir=Path(site_dir))


def main() -> int:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # what libraries print goes to stderr, never into the answers
    sys.stdout = sys.stderr
    capture = _Capture()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    last: LastBuild | None = None
    last_config = None
    for line in sys.stdin:
        request = json.loads(line)
        started = time.perf_counter()
        summary = None
        changed = request.get("changed")
        if last is not None and last.files is not None and changed and request.get("config") == last_config:
            capture.lines.clear()
            summary = rebuild(last, changed, Path(request["site_dir"]))
        if summary is not None:
            ok, mode = True, "incremental"
            capture.lines.append(f"INFO     -  {summary}")
        else:
            last = build_once(request["config"], request["site_dir"], capture)
            last_config = request["config"]
            ok, mode = last is not None, "full"
        answer = {
            "ok": ok,
            "mode": mode,
            "output": "\n".join(capture.lines),
            "seconds": round(time.perf_counter() - started, 3),
        }
        answers.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
