"""Write a gzip copy beside every text file of a built site, as GitLab Pages serves them.

GitLab Pages answers a request for ``page/`` with ``page/index.html.gz`` (and ``Content-Encoding:
gzip``) when that file exists and the browser accepts gzip; the uncompressed file stays for
clients that do not. The search index, stylesheets, scripts and pages shrink to a fifth or less.
The copies are reproducible: no file name or timestamp in the gzip header.

usage: python3 scripts/precompress.py SITE_DIR   (standard library only: runs in the deploy job as is)
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

#: what is worth compressing; images and fonts are compressed already
TEXT_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".webmanifest"})


def precompress(site: Path) -> tuple[int, int, int]:
    """Write ``<file>.gz`` for each text file of *site* that compression makes smaller.
    Returns (files compressed, bytes before, bytes after)."""
    count = before = after = 0
    for path in sorted(p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        data = path.read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        target = path.with_name(path.name + ".gz")
        if len(packed) < len(data):
            target.write_bytes(packed)
            count, before, after = count + 1, before + len(data), after + len(packed)
        elif target.exists():
            target.unlink()  # a stale copy would be served instead of the file
    return count, before, after


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "index.html").is_file():
        print("usage: precompress.py SITE_DIR (a built site, with index.html; fix: make build)", file=sys.stderr)
        return 2
    count, before, after = precompress(Path(argv[0]))
    print(f"precompressed {count} files: {before / 1024:.0f} KB -> {after / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
