"""Relative links that leave a fetched folder, rewritten to the upstream web URL.

Real decision records and runbooks link to sibling documents of their repository
(``../design/routing.md``) that the site does not carry. For a source fetched from git, such a
link is rewritten to the file's web URL at the locked commit, so the reader still gets there and a
strict build passes. Links inside the folder, absolute URLs, anchors and code are left alone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import Path

__all__ = ["rewrite_outside_links"]

#: an inline link or image target: ](target) or ](target "title"); and a reference definition
_INLINE = re.compile(r"(\]\()(<[^>\n]*>|[^)\s]+)((?:\s+\"[^\"\n]*\")?\))")
_REFERENCE = re.compile(r"^(\s{0,3}\[[^\]\n]+\]:\s*)(\S+)(.*)$", re.M)
_FENCE = re.compile(r"^(\s*)(```|~~~)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def rewrite_outside_links(markdown: str, *, page: Path, folder: Path, web_url: Callable[[Path], str | None]) -> str:
    """*markdown* of *page* (a file inside *folder*) with every relative link that resolves outside
    *folder* replaced by ``web_url(target)``, when that gives a URL."""
    base = posixpath.dirname(page.relative_to(folder).as_posix())

    def target_of(raw: str) -> str | None:
        inner = raw[1:-1] if raw.startswith("<") else raw
        if not inner or inner.startswith(("#", "/")) or _SCHEME.match(inner):
            return None
        path, _, _anchor = inner.partition("#")
        joined = posixpath.normpath(posixpath.join(base, path))
        if not joined.startswith("../") and joined != "..":
            return None
        return web_url(Path(posixpath.normpath((folder / joined).as_posix())))

    def rewrite(match: re.Match[str]) -> str:
        """Both patterns: group 2 is the target, groups 1 and 3 what stands around it."""
        url = target_of(match.group(2))
        return f"{match.group(1)}{url}{match.group(3)}" if url else match.group(0)

    out: list[str] = []
    fence: str | None = None
    chunk: list[str] = []

    def flush() -> None:
        text = "".join(chunk)
        out.append(_REFERENCE.sub(rewrite, _INLINE.sub(rewrite, text)))
        chunk.clear()

    for line in markdown.splitlines(keepends=True):
        opened = _FENCE.match(line)
        if fence is None and opened:
            flush()
            fence = opened.group(2)
            out.append(line)
        elif fence is not None:
            out.append(line)
            if line.strip().startswith(fence):
                fence = None
        else:
            chunk.append(line)
    flush()
    return "".join(out)
