"""The warm build process of ``cells-docs serve``: one Python process that stays up between
rebuilds, so a rebuild does not import MkDocs, Material, protoc and the library again, and the
``cells`` plugin (kept by MkDocs across builds of one process because it has ``on_startup``)
reuses the model it loaded while no source file changed.

Protocol: one JSON request per line on stdin (``{"config": ..., "site_dir": ...}``), one JSON
answer per line on the process's original stdout (``{"ok": bool, "output": "..."}``). Anything
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


def build_once(config_file: str, site_dir: str, capture: _Capture) -> bool:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    capture.lines.clear()
    try:
        config = load_config(config_file, site_dir=site_dir, strict=True)
        build(config)
    except MkDocsException as exc:  # PluginError, Abort, ConfigurationError: MkDocs' own one line
        capture.lines.append(f"ERROR    -  {exc}")
        return False
    except SystemExit as exc:
        capture.lines.append(f"ERROR    -  the build exited ({exc.code})")
        return False
    except Exception as exc:  # a bug: one line, and the server keeps serving the last good site
        capture.lines.append(f"ERROR    -  {type(exc).__name__}: {exc}")
        return False
    return True


def main() -> int:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # what libraries print goes to stderr, never into the answers
    sys.stdout = sys.stderr
    capture = _Capture()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    for line in sys.stdin:
        request = json.loads(line)
        started = time.perf_counter()
        ok = build_once(request["config"], request["site_dir"], capture)
        answer = {"ok": ok, "output": "\n".join(capture.lines), "seconds": round(time.perf_counter() - started, 3)}
        answers.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
