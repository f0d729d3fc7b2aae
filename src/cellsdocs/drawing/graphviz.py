"""The one Graphviz runner: DOT to SVG with the real ``dot``, through a cache, under a time limit.

Every run is keyed by a hash of the Graphviz version and the DOT text, so a cache hit (same graph,
same Graphviz) renders nothing and costs a file read; a warm build renders nothing. Entries are
written atomically (:func:`cellsdocs.cachefile.write_atomic`), so builds may share one cache. The
DOT text goes in on stdin (nothing from a source is ever an argument), and one run may take
:data:`DOT_TIMEOUT` seconds: a graph built from hostile sources must not hang the build.

Both the architecture diagrams (:mod:`cellsdocs.drawing.place`, several graphs at once) and the
decision graph (:mod:`cellsdocs.render.decisions`, one input) render here.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cellsdocs.cachefile import write_atomic
from cellsdocs.errors import CellsDocsError

__all__ = ["DOT_TIMEOUT", "RENDER_STATS", "dot_version", "render_svg", "render_svgs"]

#: seconds one ``dot`` run may take
DOT_TIMEOUT = 120.0
#: how many graphs Graphviz rendered and how many came from the cache (tests, benchmark)
RENDER_STATS = {"rendered": 0, "cached": 0}
_INSTALL = "apt-get install graphviz"
_VERSIONS: dict[str, str] = {}


def _dot() -> tuple[str, str]:
    """The ``dot`` executable and its version (part of every cache key)."""
    exe = shutil.which("dot")
    if exe is None:
        raise CellsDocsError("Graphviz 'dot' not found", hint=_INSTALL)
    if exe not in _VERSIONS:
        try:
            proc = subprocess.run(
                [exe, "-V"], capture_output=True, text=True, check=False, timeout=DOT_TIMEOUT, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CellsDocsError(f"Graphviz 'dot' cannot run: {exc}", hint=_INSTALL) from exc
        _VERSIONS[exe] = " ".join((proc.stderr or proc.stdout).split())
    return exe, _VERSIONS[exe]


def dot_version() -> str:
    """The version line of the ``dot`` on the PATH."""
    return _dot()[1]


def _run_dot(exe: str, name: str, dot: str) -> str:
    """SVG of one input. :func:`render_svgs` runs one ``dot`` process per diagram: several graphs in
    one process do not always come out the same (Graphviz orders subgraphs by memory address)."""
    try:
        proc = subprocess.run(
            [exe, "-Tsvg"],
            input=dot,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            timeout=DOT_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise CellsDocsError(
            f"diagram {name!r}: Graphviz took longer than {DOT_TIMEOUT:g} s", hint="make the graph smaller"
        ) from exc
    except OSError as exc:
        raise CellsDocsError(f"Graphviz 'dot' cannot run: {exc}", hint=_INSTALL) from exc
    if proc.returncode != 0 or "<svg" not in proc.stdout:
        reason = " ".join(proc.stderr.split()) or f"exit status {proc.returncode}"
        raise CellsDocsError(f"diagram {name!r}: Graphviz failed: {reason}")
    return proc.stdout


def render_svgs(dots: Mapping[str, str], *, cache_dir: Path | None) -> dict[str, str]:
    """Graphviz SVG (as ``dot`` wrote it) of each named DOT source. A cache hit costs a file read;
    the misses are rendered by ``dot`` processes running in parallel."""
    exe, version = _dot()
    keys = {name: hashlib.sha256(f"{version}\n{dot}".encode()).hexdigest() for name, dot in dots.items()}
    out: dict[str, str] = {}
    missing: list[str] = []
    for name in dots:
        cached = cache_dir / f"{keys[name]}.svg" if cache_dir is not None else None
        if cached is not None and cached.is_file():
            out[name] = cached.read_text(encoding="utf-8")
            RENDER_STATS["cached"] += 1
        else:
            missing.append(name)
    if missing:
        workers = max(1, min(2 * (os.cpu_count() or 1), 8, len(missing)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            svgs = list(pool.map(lambda name: _run_dot(exe, name, dots[name]), missing))
        for name, svg in zip(missing, svgs, strict=True):
            out[name] = svg
            RENDER_STATS["rendered"] += 1
            if cache_dir is not None:
                write_atomic(cache_dir / f"{keys[name]}.svg", svg)  # unique temporary name per writer
    return {name: out[name] for name in dots}


def render_svg(dot_source: str, *, name: str, cache_dir: Path | None = None) -> str:
    """SVG for *dot_source* (one graph or several, one after another) without the XML prolog,
    doctype and generator comments, ready to inline in an HTML page."""
    return _clean(render_svgs({name: dot_source}, cache_dir=cache_dir)[name])


def _clean(svg: str) -> str:
    """Drop the XML prolog, doctype and generator comments: the SVG is inlined in HTML pages."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    return svg.strip() + "\n"
