"""Remote sources: resolve a git ref to a commit, fetch that commit into ``.cache/sources/``.

Every git call has a timeout, runs without a terminal prompt, and gets the repository URL and the
ref only after validation (:mod:`cellsdocs.sources.manifest`) and after ``--``. A fetched tree is
extracted from ``git archive`` with tarfile's ``data`` filter (no absolute paths, no links out of
the folder, no device files) into a temporary folder that is renamed into place, so a cache entry
is either complete or absent, and two builds may share one cache.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from cellsdocs.errors import SourceError
from cellsdocs.sources.manifest import LockEntry, SourceSpec

__all__ = ["GIT_TIMEOUT", "CheckoutMissing", "checkout_dir", "commits_behind", "fetch_commit", "resolve_ref"]

#: seconds one git call may take before it is abandoned
GIT_TIMEOUT = 300
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


class CheckoutMissing(SourceError):
    """A remote source's locked commit is not in the cache."""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="true", SSH_ASKPASS="true", LC_ALL="C")
    return env


def _git(args: list[str], *, what: str, cwd: Path | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=_env(),
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise SourceError(
            f"{what}: git did not answer within {GIT_TIMEOUT} s", hint="check the URL and the network"
        ) from exc
    except FileNotFoundError as exc:
        raise SourceError(f"{what}: git is not installed", hint="apt-get install git") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = next((m for m in reversed(message) if m.strip()), f"exit {proc.returncode}")
        raise SourceError(f"{what}: {detail[:300]}")
    return proc.stdout


def cache_root(root: Path) -> Path:
    return root / ".cache" / "sources"


def checkout_dir(root: Path, kind: str, commit: str) -> Path:
    """Where the tree of *kind* at *commit* is extracted."""
    return cache_root(root) / kind / commit


def resolve_ref(spec: SourceSpec) -> str:
    """The commit *spec*'s ref names now, asked of the remote (``git ls-remote``)."""
    assert spec.repo is not None
    if _SHA.match(spec.ref):
        return spec.ref
    what = f"sources: {spec.kind}: cannot resolve {spec.ref!r} in {spec.repo}"
    out = _git(["ls-remote", "--", spec.repo, spec.ref], what=what).decode("utf-8", "replace")
    refs: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        refs[name] = sha
    for name in (spec.ref, f"refs/heads/{spec.ref}", f"refs/tags/{spec.ref}^{{}}", f"refs/tags/{spec.ref}"):
        if name in refs and _SHA.match(refs[name]):
            return refs[name]
    raise SourceError(f"{what}: no such branch or tag", hint="fix ref in sources.toml")


def _git_dir(root: Path, kind: str) -> Path:
    git_dir = cache_root(root) / kind / "git"
    if not (git_dir / "HEAD").exists():
        git_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".git-", dir=git_dir.parent))
        _git(["init", "--quiet", "--bare", str(tmp)], what=f"sources: {kind}: cannot create the cache")
        try:
            tmp.rename(git_dir)
        except OSError:  # another process made it first
            shutil.rmtree(tmp, ignore_errors=True)
    return git_dir


def fetch_commit(root: Path, spec: SourceSpec, commit: str) -> LockEntry:
    """Fetch *commit* of *spec*'s repository (shallow) and extract its tree into the cache."""
    assert spec.repo is not None and _SHA.match(commit)
    git_dir = _git_dir(root, spec.kind)
    what = f"sources: {spec.kind}: cannot fetch {commit[:12]} from {spec.repo}"
    have = (
        subprocess.run(
            ["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{commit}^{{commit}}"],
            env=_env(),
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        ).returncode
        == 0
    )
    if not have:
        _git(
            ["--git-dir", str(git_dir), "fetch", "--quiet", "--depth", "1", "--no-tags", "--", spec.repo, commit],
            what=what,
        )
    meta = _git(["--git-dir", str(git_dir), "log", "-1", "--format=%cI%x00%s", commit, "--"], what=what)
    date, _, subject = meta.decode("utf-8", "replace").strip().partition("\0")
    target = checkout_dir(root, spec.kind, commit)
    if not target.is_dir():
        data = _git(["--git-dir", str(git_dir), "archive", "--format=tar", commit, "--"], what=what)
        tmp = Path(tempfile.mkdtemp(prefix=f".{commit[:12]}-", dir=target.parent))
        try:
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                archive.extractall(tmp, filter="data")
            try:
                tmp.rename(target)
            except OSError:
                if not target.is_dir():
                    raise
        except (tarfile.TarError, OSError) as exc:
            raise SourceError(f"{what}: cannot extract the tree: {exc}") from exc
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return LockEntry(kind=spec.kind, repo=spec.repo, ref=spec.ref, commit=commit, date=date, subject=subject[:200])


def commits_behind(root: Path, spec: SourceSpec, locked: str, head: str) -> int | None:
    """How many commits *head* is ahead of *locked* (None when it cannot be told)."""
    if head == locked:
        return 0
    git_dir = _git_dir(root, spec.kind)
    assert spec.repo is not None
    try:
        _git(
            ["--git-dir", str(git_dir), "fetch", "--quiet", "--no-tags", "--filter=tree:0", "--", spec.repo, head],
            what=f"sources: {spec.kind}: cannot fetch {head[:12]}",
        )
        out = _git(["--git-dir", str(git_dir), "rev-list", "--count", f"{locked}..{head}", "--"], what="rev-list")
    except SourceError:
        return None
    return int(out.strip() or 0)
