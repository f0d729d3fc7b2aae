"""The API change history: the proto tree at a base git revision against the working tree."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from cellsdocs.cachefile import write_atomic
from cellsdocs.errors import CellsDocsError, SourceError
from cellsdocs.sources.gitsafe import check_revision, run_git
from cellsdocs.sources.protos.compile import compile_proto_tree, compiler_stamp, find_proto_files
from cellsdocs.sources.protos.diff import Change, diff_models
from cellsdocs.sources.protos.elements import ProtoModel
from cellsdocs.sources.protos.model import build_model

__all__ = [
    "EMPTY_TREE",
    "LAST_CHANGE",
    "ApiHistory",
    "compare_revisions",
    "default_base",
    "last_change_base",
    "model_at_revision",
]


def _git(repo: Path, *args: str) -> str | None:
    if shutil.which("git") is None:
        return None
    proc = run_git("-C", str(repo), *args, file=str(repo))
    return str(proc.stdout).strip() if proc.returncode == 0 else None


def _repo_of(path: Path) -> tuple[Path, str] | None:
    """The git repository holding *path* and *path* relative to it."""
    folder = path if path.is_dir() else path.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if not top:
        return None
    return Path(top), path.resolve().relative_to(Path(top).resolve()).as_posix()


#: why the base is the commit before the last change (see :func:`last_change_base`)
LAST_CHANGE = "last change"
#: the base when the proto tree was created by the last commit that changed it: nothing before it
EMPTY_TREE = "(empty)"


def default_base(proto_root: Path) -> tuple[str | None, str]:
    """The base revision and why: ``CELLS_API_BASE``, else the latest tag before HEAD, else (a
    fresh clone of a project without tags) the commit before the last change to the proto tree."""
    configured = os.environ.get("CELLS_API_BASE", "").strip()
    if configured:
        return configured, "CELLS_API_BASE"
    located = _repo_of(proto_root)
    if located is None:
        return None, "the proto root is not in a git repository"
    repo, relative = located
    # At a tagged commit with the proto tree unchanged, "previous" is the tag before this one.
    head_tagged = bool(_git(repo, "tag", "--points-at", "HEAD"))
    unchanged = _git(repo, "diff", "--quiet", "HEAD", "--", relative) is not None
    start = "HEAD^" if head_tagged and unchanged else "HEAD"
    described = _git(repo, "describe", "--tags", "--abbrev=0", start)
    if described:
        return described, "the previous tag"
    return last_change_base(repo, relative)


def last_change_base(repo: Path, relative: str) -> tuple[str | None, str]:
    """The parent of the last commit that changed *relative* (the proto tree), and why.

    Returns ``(EMPTY_TREE, reason)`` when that commit created the tree, and ``(None, reason)`` when
    no commit touched it or the clone is too shallow to hold the parent."""
    found = _git(repo, "log", "-1", "--format=%H%x00%cs%x00%s", "HEAD", "--", relative)
    if not found:
        return None, "no tag, and no commit has changed the proto tree yet"
    commit, date, subject = [*found.split("\x00"), "", ""][:3]
    short = commit[:12]
    subject = subject if len(subject) <= 100 else subject[:99].rstrip() + "\u2026"
    what = f"{LAST_CHANGE}: commit {short} of {date}, \u201c{subject}\u201d"
    parent = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{check_revision(commit)}^")
    if parent:
        return parent[:12], what
    if _git(repo, "rev-parse", "--is-shallow-repository") == "true":
        return None, f"no tag, and this shallow clone does not hold the commit before {short}"
    return EMPTY_TREE, what + ", which created the proto tree"


def _cache_key(repo: Path, revision: str, relative: str) -> str | None:
    """What a compiled tree at *revision* depends on: the git tree id of the proto folder there
    (a hash of every file in it) and the compiler (:func:`compiler_stamp`)."""
    spec = f"{revision}^{{commit}}:{relative}" if relative != "." else f"{revision}^{{commit}}^{{tree}}"
    tree = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", spec)
    if not tree:
        return None
    return hashlib.sha256(f"{tree}\0{compiler_stamp()}".encode()).hexdigest()


def model_at_revision(proto_root: Path, revision: str, *, cache_dir: Path | None = None) -> ProtoModel | None:
    """The compiled proto tree as it was at *revision*; None if the tree did not exist then.

    With *cache_dir*, the compiled descriptors are kept there under a hash of the tree's content
    at that revision and of the compiler (:func:`_cache_key`): a later build with the same base
    skips the archive and protoc."""
    located = _repo_of(proto_root)
    if located is None:
        raise SourceError(
            "not in a git repository",
            file=str(proto_root),
            hint="the change history needs the proto tree's git history",
        )
    repo, relative = located
    check_revision(revision, key="revision")
    if _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}") is None:
        raise SourceError(
            f"unknown git revision {revision!r}", file=str(repo), hint="name a tag, branch or commit (CELLS_API_BASE)"
        )
    key = _cache_key(repo, revision, relative) if cache_dir is not None else None
    cached = cache_dir / f"{key}.binpb" if cache_dir is not None and key is not None else None
    if cached is not None and cached.is_file():
        descriptors = descriptor_pb2.FileDescriptorSet()
        try:
            descriptors.ParseFromString(cached.read_bytes())
        except (OSError, DecodeError):  # unreadable or cut short: compiled again below
            pass
        else:
            return _model_at(descriptors, revision)
    proc = run_git("-C", str(repo), "archive", "--format=tar", revision, "--", relative, file=str(repo), text=False)
    if proc.returncode != 0:
        return None  # the path did not exist at that revision
    assert isinstance(proc.stdout, bytes)
    with tempfile.TemporaryDirectory(prefix="cells-api-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as archive:
            archive.extractall(tmp, filter="data")
        root = Path(tmp) / relative
        if not root.is_dir() or not find_proto_files(root):
            return None
        try:
            compiled = compile_proto_tree(root)
        except CellsDocsError as exc:
            raise SourceError(
                f"the proto tree at {revision} does not compile: {exc.message}", file=exc.file, line=exc.line
            ) from exc
    if cached is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            write_atomic(cached, compiled.SerializeToString())
    return _model_at(compiled, revision)


def _model_at(descriptors: descriptor_pb2.FileDescriptorSet, revision: str) -> ProtoModel:
    try:
        return build_model(descriptors)
    except CellsDocsError as exc:
        raise SourceError(
            f"the proto tree at {revision} does not compile: {exc.message}", file=exc.file, line=exc.line
        ) from exc


@dataclass(frozen=True)
class ApiHistory:
    base: str | None  #: a git revision, :data:`EMPTY_TREE`, or None (nothing to compare with)
    reason: str  #: why this base (starts with :data:`LAST_CHANGE` for the no-tag fallback)
    changes: tuple[Change, ...]

    @property
    def is_last_change(self) -> bool:
        """The base is the commit before the last change to the proto tree (no tag to compare with)."""
        return self.reason.startswith(LAST_CHANGE)

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def compatible(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.breaking)


def compare_revisions(
    proto_root: Path, current: ProtoModel, base: str | None = None, *, cache_dir: Path | None = None
) -> ApiHistory:
    """Changes from *base* (default: :func:`default_base`) to the *current* model (the base's
    compiled tree kept in *cache_dir*, see :func:`model_at_revision`)."""
    reason = "given"
    if base is None:
        base, reason = default_base(proto_root)
    if base is None:
        return ApiHistory(None, reason, ())
    old = None if base == EMPTY_TREE else model_at_revision(proto_root, base, cache_dir=cache_dir)
    if old is None:
        old = ProtoModel(files=())
    return ApiHistory(base, reason, tuple(diff_models(old, current)))
