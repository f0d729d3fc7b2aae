"""``cells-docs sources [show|sync|update|status]``: where the sources come from, and keeping
remote ones pinned (``sources.toml`` + ``sources.lock``, fetched into ``.cache/sources/``)."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from cellsdocs.errors import CellsDocsError
from cellsdocs.settings import ENV_VARS, KIND_OF_VAR, SourcePaths, manifest_file, repo_root
from cellsdocs.sources.manifest import KINDS, LockEntry, Manifest, load_lock, load_manifest, render_lock
from cellsdocs.sources.remote import commits_behind, fetch_commit, resolve_ref

__all__ = ["add_sources_commands"]


def _root(args: argparse.Namespace) -> Path:
    return (Path(args.root) if args.root else repo_root()).resolve()


def _manifest(args: argparse.Namespace) -> Manifest:
    return load_manifest(manifest_file(_root(args)))


def _write_lock(manifest: Manifest, entries: dict[str, LockEntry]) -> None:
    lock = manifest.lock_file
    assert lock is not None
    text = render_lock(entries)
    if lock.exists() and lock.read_text(encoding="utf-8") == text:
        return
    fd, tmp = tempfile.mkstemp(prefix=".sources-lock-", dir=lock.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    Path(tmp).replace(lock)


def _remote_kinds(manifest: Manifest, wanted: list[str]) -> list[str]:
    for kind in wanted:
        if kind not in KINDS:
            raise CellsDocsError(f"unknown source kind {kind!r}", hint=f"use one of: {', '.join(KINDS)}")
        if not manifest.spec(kind).remote:
            raise CellsDocsError(f"source {kind!r} is local in sources.toml: nothing to update", hint="give it a repo")
    return [s.kind for s in manifest.sources if s.remote and (not wanted or s.kind in wanted)]


def _cmd_show(args: argparse.Namespace) -> int:
    root = _root(args)
    manifest = load_manifest(manifest_file(root))
    shown = manifest.file if manifest.file and manifest.file.exists() else "none (in-repo defaults)"
    print(f"manifest: {shown}")
    paths = SourcePaths.from_env(root)
    for var, (attr, default, what) in ENV_VARS.items():
        kind = KIND_OF_VAR[var]
        origin = paths.origin(kind)
        if not paths.present(kind):
            print(f"{kind:9} not used  [enabled = false in the manifest; {what}; set {var} to use one]")
            continue
        if origin is not None and origin.override:
            how = f"from {var}"
        elif origin is not None and origin.lock is not None:
            how = f"{origin.spec.repo} at {origin.spec.ref} = {origin.lock.commit[:12]}"
        else:
            how = f"local (default {default})"
        print(f"{kind:9} {getattr(paths, attr)}  [{how}; {what}; override with {var}]")
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    """Fetch every remote source at its locked commit; lock what is not locked yet."""
    root = _root(args)
    manifest = load_manifest(manifest_file(root))
    lock = load_lock(manifest)
    started = time.perf_counter()
    entries = dict(lock)
    for kind in _remote_kinds(manifest, []):
        spec = manifest.spec(kind)
        entry = lock.get(kind)
        commit = entry.commit if entry is not None and entry.matches(spec) else resolve_ref(spec)
        entries[kind] = fetch_commit(root, spec, commit)
        print(f"{kind:9} {spec.repo} {spec.ref} -> {commit[:12]} {entries[kind].subject[:60]!r}")
    for kind in list(entries):  # a kind that is no longer remote is no longer locked
        if not manifest.spec(kind).remote:
            del entries[kind]
    if manifest.file is not None and (entries or lock):
        _write_lock(manifest, entries)
    print(f"sources sync: {len(entries)} remote source(s) ready in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_update(args: argparse.Namespace) -> int:
    """Move the lock of each remote source (or of KIND) to its ref's head; print what changes."""
    from cellsdocs.sources.upstream import summarize

    root = _root(args)
    manifest = load_manifest(manifest_file(root))
    lock = load_lock(manifest)
    kinds = _remote_kinds(manifest, args.kind)
    old_paths = SourcePaths.from_env(root)
    entries = dict(lock)
    moved: list[str] = []
    for kind in kinds:
        spec = manifest.spec(kind)
        head = resolve_ref(spec)
        if kind in lock and lock[kind].commit == head and lock[kind].matches(spec):
            continue
        entries[kind] = fetch_commit(root, spec, head)
        before = lock[kind].commit[:12] if kind in lock else "unlocked"
        moved.append(f"{kind} {before} -> {head[:12]} ({entries[kind].subject[:60]})")
    if not moved:
        print("sources update: every remote source is at its ref's head")
        return 0
    new_paths = _paths_with(root, manifest, entries)
    summary = summarize(old_paths, new_paths, requests=manifest.requests)
    title = "Upstream sources moved: " + "; ".join(moved)
    report = summary.markdown(title)
    print(report)
    if args.summary:
        Path(args.summary).write_text(report, encoding="utf-8")
    if args.check:
        return 3
    _write_lock(manifest, entries)
    return 0


def _cmd_preview(args: argparse.Namespace) -> int:
    """What replacing one source with another checkout (an upstream merge request) changes."""
    from cellsdocs.sources.upstream import summarize

    root = _root(args)
    kind = args.kind
    if kind not in KINDS:
        raise CellsDocsError(f"unknown source kind {kind!r}", hint=f"use one of: {', '.join(KINDS)}")
    candidate = Path(args.path).resolve()
    if not candidate.exists():
        raise CellsDocsError(f"{args.path} does not exist", hint=f"give the {KINDS[kind][2]} of the merge request")
    old_paths = SourcePaths.from_env(root)
    new_paths = dataclasses.replace(old_paths, **{KINDS[kind][0]: candidate})  # type: ignore[arg-type]
    manifest = load_manifest(manifest_file(root))
    summary = summarize(old_paths, new_paths, requests=manifest.requests)
    report = summary.markdown(f"Docs preview: {kind} from {args.label or args.path}")
    print(report)
    if args.summary:
        Path(args.summary).write_text(report, encoding="utf-8")
    if args.build:
        return _preview_build(root, kind, candidate, Path(args.build))
    return 0


def _preview_build(root: Path, kind: str, candidate: Path, site_dir: Path) -> int:
    """A strict build in drift report mode, with *kind* read from *candidate*."""
    import subprocess

    var = next(v for v, k in KIND_OF_VAR.items() if k == kind)
    env = {**os.environ, var: str(candidate), "CELLS_DRIFT": "report", "NO_MKDOCS_2_WARNING": "1"}
    config = root / "mkdocs.yml"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir.resolve())]
    try:
        return subprocess.run(command, env=env, cwd=root, check=False, timeout=1800).returncode
    except subprocess.TimeoutExpired as exc:
        raise CellsDocsError("the preview build did not finish within 30 minutes") from exc


def _paths_with(root: Path, manifest: Manifest, entries: dict[str, LockEntry]) -> SourcePaths:
    """The source locations as they would resolve with *entries* as the lock."""
    paths = SourcePaths.from_env(root)
    values: dict[str, object] = {}
    origins = list(paths.origins)
    from cellsdocs.sources.remote import checkout_dir

    for index, origin in enumerate(origins):
        entry = entries.get(origin.kind)
        if origin.override or entry is None or not origin.spec.remote:
            continue
        base = checkout_dir(root, origin.kind, entry.commit)
        values[KINDS[origin.kind][0]] = base / origin.spec.path
        origins[index] = dataclasses.replace(origin, base=base, lock=entry)
    return dataclasses.replace(paths, origins=tuple(origins), **values)  # type: ignore[arg-type]


def _age(date: str) -> str:
    try:
        when = dt.datetime.fromisoformat(date)
    except ValueError:
        return "unknown age"
    days = (dt.datetime.now(dt.UTC) - when).days
    return f"{days} day(s) old"


def _cmd_status(args: argparse.Namespace) -> int:
    root = _root(args)
    manifest = load_manifest(manifest_file(root))
    lock = load_lock(manifest)
    kinds = _remote_kinds(manifest, [])
    if not kinds:
        print("sources status: every source is local (no repo in sources.toml)")
    behind_any = False
    for kind in kinds:
        spec = manifest.spec(kind)
        entry = lock.get(kind)
        if entry is None or not entry.matches(spec):
            print(f"{kind:9} {spec.repo} {spec.ref}: not locked (run cells-docs sources sync)")
            behind_any = True
            continue
        head = resolve_ref(spec)
        behind = commits_behind(root, spec, entry.commit, head)
        state = "up to date" if behind == 0 else f"{'?' if behind is None else behind} commit(s) behind {spec.ref}"
        behind_any = behind_any or behind != 0
        print(f"{kind:9} {entry.commit[:12]} {entry.date} ({_age(entry.date)}) {entry.subject[:50]!r}: {state}")
    return 1 if behind_any and args.fail_if_behind else 0


def add_sources_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    where = sub.add_parser("sources", help="where each source is read from; sync, update and status of remote ones")
    where.set_defaults(func=_cmd_show)
    actions = where.add_subparsers(dest="action")
    show = actions.add_parser("show", help="print where each source is read from (the default)")
    show.set_defaults(func=_cmd_show)
    sync = actions.add_parser("sync", help="fetch every remote source at its locked commit (locking it if needed)")
    sync.set_defaults(func=_cmd_sync)
    update = actions.add_parser("update", help="move the lock to each ref's head and print what that changes")
    update.add_argument("kind", nargs="*", help=f"only these kinds ({', '.join(KINDS)})")
    update.add_argument("--summary", metavar="FILE", help="also write the Markdown summary to FILE")
    update.add_argument("--check", action="store_true", help="leave the lock as it is; exit 3 when upstream has moved")
    update.set_defaults(func=_cmd_update)
    preview = actions.add_parser(
        "preview", help="what one source replaced by another checkout (e.g. an upstream MR) changes for the site"
    )
    preview.add_argument("kind", help=f"the source kind ({', '.join(KINDS)})")
    preview.add_argument("path", help="the replacement: a folder (or config.toml) in the merge request's checkout")
    preview.add_argument("--summary", metavar="FILE", help="also write the Markdown summary to FILE")
    preview.add_argument("--label", help="how the summary names the replacement (e.g. the MR)")
    preview.add_argument("--build", metavar="SITE_DIR", help="then build the site there in drift report mode")
    preview.set_defaults(func=_cmd_preview)
    status = actions.add_parser("status", help="each remote source's locked commit, age and how far behind its ref")
    status.add_argument("--fail-if-behind", action="store_true")
    status.set_defaults(func=_cmd_status)
