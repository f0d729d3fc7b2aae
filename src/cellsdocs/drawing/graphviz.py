"""Render Graphviz DOT to SVG with the real ``dot``, cached by a hash of the input."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from cellsdocs.cachefile import write_atomic
from cellsdocs.errors import CellsDocsError

__all__ = ["RENDER_STATS", "dot_version", "render_svg"]

RENDER_STATS = {"rendered": 0, "cached": 0}
#: seconds one ``dot`` run may take (a graph built from hostile sources must not hang the build)
DOT_TIMEOUT = 60.0
_VERSION: list[str] = []


def dot_version() -> str:
    if not _VERSION:
        dot = shutil.which("dot")
        if dot is None:
            raise CellsDocsError("Graphviz 'dot' not found", hint="apt-get install graphviz (make setup does it)")
        try:
            proc = subprocess.run(
                [dot, "-V"], capture_output=True, text=True, check=False, timeout=DOT_TIMEOUT, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CellsDocsError(f"Graphviz 'dot' cannot run: {exc}", hint="apt-get install graphviz") from exc
        _VERSION.append((proc.stderr or proc.stdout).strip())
    return _VERSION[0]


def render_svg(dot_source: str, *, name: str, cache_dir: Path | None = None) -> str:
    """SVG for *dot_source*; a cache hit (same DOT, same Graphviz) renders nothing."""
    version = dot_version()
    key = hashlib.sha256(f"{version}\n{dot_source}".encode()).hexdigest()
    cached = cache_dir / f"{key}.svg" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        RENDER_STATS["cached"] += 1
        return cached.read_text(encoding="utf-8")
    try:
        # the DOT text goes in on stdin: nothing from a source is ever an argument
        proc = subprocess.run(
            ["dot", "-Tsvg"], input=dot_source, capture_output=True, text=True, check=False, timeout=DOT_TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        raise CellsDocsError(
            f"diagram {name!r}: Graphviz took longer than {DOT_TIMEOUT:g} s", hint="make the graph smaller"
        ) from exc
    except OSError as exc:
        raise CellsDocsError(f"Graphviz 'dot' cannot run: {exc}", hint="apt-get install graphviz") from exc
    if proc.returncode != 0:
        reason = " ".join(proc.stderr.split()) or f"exit {proc.returncode}"
        raise CellsDocsError(f"diagram {name!r}: Graphviz failed: {reason}")
    RENDER_STATS["rendered"] += 1
    svg = _clean(proc.stdout)
    if cached is not None:
        write_atomic(cached, svg)  # a unique temporary name: concurrent builds share the cache
    return svg


def _clean(svg: str) -> str:
    """Drop the XML prolog, doctype and generator comments: the SVG is inlined in HTML pages."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    return svg.strip() + "\n"
