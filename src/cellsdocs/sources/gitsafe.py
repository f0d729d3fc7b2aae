"""Running git on behalf of a source: bounded in time, and revisions never read as options."""

from __future__ import annotations

import re
import subprocess

from cellsdocs.errors import SourceError

__all__ = ["GIT_TIMEOUT", "check_revision", "run_git"]

#: seconds one git command may take
GIT_TIMEOUT = 60.0
_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@{}^~+-]{0,199}")


def check_revision(revision: str, *, key: str | None = None) -> str:
    """*revision* if it can only be a revision name (never an option such as ``--output=x``)."""
    if not _REVISION.fullmatch(revision) or ".." in revision or revision.endswith(".lock"):
        raise SourceError(
            f"{revision[:80]!r} is not a git revision name",
            key=key,
            hint="name a tag, branch or commit (letters, digits and ._/@^~{}+-, not starting with '-')",
        )
    return revision


def run_git(*args: str, file: str | None = None, text: bool = True) -> subprocess.CompletedProcess[str | bytes]:
    """``git *args`` with output captured, no stdin and a time limit; failures to run are SourceError."""
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=text, check=False, timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        shown = " ".join(a for a in args if not a.startswith("-"))[:80]
        raise SourceError(f"git {shown} took longer than {GIT_TIMEOUT:g} s", file=file) from exc
    except OSError as exc:
        raise SourceError(f"cannot run git: {exc.strerror}", file=file, hint="install git") from exc
