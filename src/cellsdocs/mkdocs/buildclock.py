"""How much of one MkDocs build is this project's machinery, measured inside the build.

For the benchmark only (``CELLS_BENCH_CLOCK=<file>``). Comparing a full build with a plain MkDocs
build of the same Markdown takes two processes, and on a shared machine two identical builds can
differ by a fifth; the time spent in our hooks and in mkdocs-macros, measured in the same process
as the rest of that build, is not thrown off by a slow spell. When the variable is set,
:func:`install` (called from ``on_config``) wraps every later event of the hooks and of the macros
plugin in a timer and, when the process exits, writes the seconds spent there as JSON.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import time
from pathlib import Path
from typing import Any

ENV = "CELLS_BENCH_CLOCK"
_SPENT = {"machinery_s": 0.0}


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def add(seconds: float) -> None:
    _SPENT["machinery_s"] += seconds


def _timed(method: Any) -> Any:
    @functools.wraps(method)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            add(time.perf_counter() - started)

    return timed


def install(config: Any, *, started: float, owners: set[str]) -> None:
    """Time every event still to come of the plugins named in *owners* (the ``config`` event is
    under way: its share is counted from *started*), and save the total at exit."""
    if not enabled():
        return
    from cellsdocs.mkdocs.compat import require

    require("mkdocs")  # PluginCollection._event_origins is MkDocs' internal
    plugins = config.plugins
    for name, methods in plugins.events.items():
        if name == "config":
            continue
        for index, method in enumerate(methods):
            origin = plugins._event_origins.get(method)
            if origin in owners:
                wrapped = _timed(method)
                methods[index] = wrapped
                plugins._event_origins[wrapped] = origin
    add(time.perf_counter() - started)
    target = Path(os.environ[ENV])
    atexit.register(lambda: target.write_text(json.dumps(_SPENT), encoding="utf-8"))
