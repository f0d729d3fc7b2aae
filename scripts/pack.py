"""Pack a built site into one zip archive with stable order and timestamps (for the offline bundle).

usage: python scripts/pack.py SITE_DIR ARCHIVE.zip
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # reproducible archives: no build-time timestamps inside


def pack(site: Path, archive: Path) -> int:
    files = sorted(p for p in site.rglob("*") if p.is_file())
    top = "cells-docs"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(f"{top}/{path.relative_to(site).as_posix()}", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return len(files)


if __name__ == "__main__":
    site_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    count = pack(site_dir, out)
    print(f"packed {count} files into {out} ({out.stat().st_size / 1024 / 1024:.1f} MB); open cells-docs/index.html")
