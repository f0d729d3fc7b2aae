"""Write a cache file atomically under a name no other process or thread uses.

Two builds sharing one cache (``pytest -n 2`` on a fresh runner, a build beside ``make serve``)
may write the same entry at once: each writes its own temporary file in the cache folder
(:func:`tempfile.mkstemp`) and renames it over the entry, so a reader sees the old entry or the
whole new one, never a part, and no writer loses its temporary file to another.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write *data* (text as UTF-8) to *path*: a unique temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
