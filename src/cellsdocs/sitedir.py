"""Where a built site may go: never onto, into or over a source or any tracked folder.

``make build`` replaces ``SITE_DIR`` (``rm -rf SITE_DIR.new``, build there, move ``SITE_DIR`` away,
delete it), and ``mkdocs build --clean`` empties its ``site_dir``: pointed at ``runbooks`` or at
the repository itself, either would delete sources. :func:`check_site_dir` refuses such a folder,
before anything is deleted, with one line and the fix.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from cellsdocs.errors import CellsDocsError

__all__ = ["SITE_MARKERS", "check_site_dir", "protected_folders"]

#: top-level folders that hold no tracked file but must never be deleted (the repository's history,
#: the environments, the fetched upstream sources)
ALWAYS_PROTECTED = (".git", ".venv", ".venv-tools", "node_modules", ".cache")
#: the project's layout (design section 1), protected even where git is not available
LAYOUT = ("docs", "adr", "runbooks", "diagrams", "macros", "sources", "src", "tests", "scripts", "bench", ".ci")
#: a folder holding one of these is a site an earlier build wrote (safe to replace)
SITE_MARKERS = ("index.html", "sitemap.xml", "404.html")
#: characters a site folder name may not have: the Makefile passes it through the shell
_UNSAFE = re.compile(r"[\s'\"`$\\;&|<>*?()\[\]{}!#~]")


def _resolve(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _tracked_top_level(root: Path) -> set[str]:
    """The first path component of every file git tracks under *root* (empty without git)."""
    if not (root / ".git").exists():
        return set()
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", "."],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if proc.returncode != 0:
        return set()
    names = proc.stdout.decode("utf-8", "replace").split("\0")
    return {name.split("/", 1)[0] for name in names if "/" in name}


def protected_folders(root: Path, sources: Iterable[Path] = ()) -> list[Path]:
    """Every folder a site must stay out of: the source locations, the layout folders, every
    top-level folder holding tracked files, and the repository's history and environments."""
    names = {*ALWAYS_PROTECTED, *LAYOUT, *_tracked_top_level(root)}
    folders = [root / name for name in sorted(names)]
    for source in sources:
        folders.append(source if source.is_dir() or not source.exists() else source.parent)
    return folders


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def _looks_built(folder: Path) -> bool:
    try:
        return not any(folder.iterdir()) or any((folder / marker).is_file() for marker in SITE_MARKERS)
    except OSError:
        return False


def check_site_dir(
    site_dir: str | Path,
    *,
    root: Path,
    sources: Iterable[Path] = (),
    siblings: Iterable[str] = (".new", ".old"),
    existing_must_be_site: bool = True,
    shell_safe: bool = False,
    label: str = "SITE_DIR",
) -> Path:
    """Refuse *site_dir* (and the ``.new``/``.old`` folders ``make build`` uses beside it) when it
    is, holds or lies inside the repository root, a source folder or a tracked folder; refuse an
    existing folder that is not a built site; with *shell_safe* (the Makefile passes it through the
    shell), refuse spaces and shell characters. Returns the resolved folder."""
    raw = str(site_dir)
    fix = "pass a new folder outside the sources, e.g. SITE_DIR=site"
    if not raw.strip():
        raise CellsDocsError(f"{label} is empty", hint=fix)
    if shell_safe and _UNSAFE.search(raw):
        raise CellsDocsError(
            f"{label} {raw!r} has spaces or shell characters", hint="use letters, digits, '.', '_', '-', '/'"
        )
    path = Path(raw).expanduser()
    target = _resolve(path if path.is_absolute() else Path.cwd() / path)
    root = _resolve(root)
    protected = [_resolve(p) for p in protected_folders(root, sources)]
    for candidate in [target, *(target.with_name(target.name + suffix) for suffix in siblings)]:
        suffix = candidate.name[len(target.name) :]
        shown = f"{label} {raw!r}" if candidate == target else f"{(raw.rstrip('/') + suffix)!r} (beside {label})"
        if _within(root, candidate):
            raise CellsDocsError(
                f"{shown} is {'the repository' if candidate == root else 'a folder holding the repository'} "
                f"{root}: building there would delete it",
                hint=fix,
            )
        overlapping = [f for f in protected if _within(candidate, f) or _within(f, candidate)]
        if overlapping:
            folder = min(overlapping, key=lambda f: f != candidate)  # the folder itself, if protected
            where = "is" if candidate == folder else ("is inside" if _within(candidate, folder) else "holds")
            raise CellsDocsError(
                f"{shown} {where} the source or tracked folder {folder}: building there would delete it",
                hint=fix,
            )
    if existing_must_be_site and target.exists() and not (target.is_dir() and _looks_built(target)):
        what = "a folder that is not a built site" if target.is_dir() else "not a folder"
        raise CellsDocsError(
            f"{label} {raw!r} exists and is {what} (no {', '.join(SITE_MARKERS)}): building there would delete it",
            hint=fix,
        )
    return target
