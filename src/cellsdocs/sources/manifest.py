"""The source manifest (``sources.toml``) and its lock (``sources.lock``).

The manifest says, for each kind of source, where it is read from: a local ``path`` (relative to
the manifest's folder) or a git ``repo`` at a ``ref`` with a ``path`` inside it. The lock records
the commit each remote source resolved to, so that a build is reproducible and can say where each
fact came from. Both are untrusted text: every value is validated before it reaches git.

Schema (every key optional except as noted)::

    [rules]                       # one table per kind: protos, topology, rules, alerts, adrs, runbooks
    repo = "https://gitlab.example.com/cells/http-router.git"   # makes the source remote
    ref = "main"                  # branch, tag or commit (remote only; default HEAD)
    path = "config/rules"         # local: relative to sources.toml; remote: inside the repository
    web_url = "https://host/{repo}/-/blob/{commit}/{path}#L{line}"  # links (default: from repo)
    enabled = false               # the site has no such source: nothing read, no pages for it


    [samples]
    requests = "sources/http-router/sample-requests.jsonl"   # replayed by `sources update`
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from cellsdocs.errors import SourceError
from cellsdocs.sources.textio import display_path, read_text

__all__ = [
    "KINDS",
    "LockEntry",
    "Manifest",
    "SourceSpec",
    "load_lock",
    "load_manifest",
    "render_lock",
    "web_link",
]

#: manifest kind -> (SourcePaths attribute, default in-repo path, what it is)
KINDS: dict[str, tuple[str, str, str]] = {
    "protos": ("proto_root", "sources/topology-service/proto", "import root of the .proto tree"),
    "topology": ("topology_config", "sources/topology-service/config.toml", "cell inventory (config.toml)"),
    "rules": ("router_rules", "sources/http-router/rules", "folder of rule set JSON files"),
    "alerts": ("alert_rules", "sources/alerts", "folder of Prometheus rule files"),
    "adrs": ("adr_dir", "adr", "folder of Architecture Decision Records"),
    "runbooks": ("runbook_dir", "runbooks", "folder of runbooks, one subfolder per service"),
}
_KEYS = {"repo", "ref", "path", "web_url", "enabled"}
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
#: a ref git would accept, and that cannot be read as an option
_REF = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/+-]{1,200}$")
_PLACEHOLDERS = {"commit", "path", "line", "ref"}


@dataclass(frozen=True, kw_only=True)
class SourceSpec:
    """Where one kind of source comes from, as the manifest says."""

    kind: str
    path: str
    repo: str | None = None
    ref: str = "HEAD"
    web_url: str | None = None
    #: ``enabled = false``: the site has no source of this kind (a CELLS_* variable still sets one)
    enabled: bool = True

    @property
    def remote(self) -> bool:
        return self.repo is not None and self.enabled


@dataclass(frozen=True, kw_only=True)
class Manifest:
    file: Path | None
    sources: tuple[SourceSpec, ...]
    requests: Path | None = None

    @property
    def folder(self) -> Path:
        assert self.file is not None
        return self.file.parent

    @property
    def lock_file(self) -> Path | None:
        return None if self.file is None else self.file.with_suffix(".lock")

    def spec(self, kind: str) -> SourceSpec:
        found = next((s for s in self.sources if s.kind == kind), None)
        return found or SourceSpec(kind=kind, path=KINDS[kind][1])


@dataclass(frozen=True, kw_only=True)
class LockEntry:
    """The commit a remote source resolved to."""

    kind: str
    repo: str
    ref: str
    commit: str
    date: str = ""
    subject: str = ""

    def matches(self, spec: SourceSpec) -> bool:
        return spec.repo == self.repo and spec.ref == self.ref


def _string(table: dict[str, Any], key: str, *, file: str, kind: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"{key} must be a non-empty string", file=file, key=f"{kind}.{key}")
    if any(ord(c) < 32 for c in value):
        raise SourceError(f"{key} contains a control character", file=file, key=f"{kind}.{key}")
    return value.strip()


def _check_repo(repo: str, *, file: str, kind: str) -> None:
    if repo.startswith("-"):
        raise SourceError(
            f"repo {repo[:80]!r} starts with '-' and would be read as an option",
            file=file,
            key=f"{kind}.repo",
            hint="write a git URL such as https://host/group/project.git or file:///path",
        )


def _check_inner_path(path: str, *, file: str, kind: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        raise SourceError(
            f"path {path[:80]!r} leaves the repository",
            file=file,
            key=f"{kind}.path",
            hint="give a path inside the repository, without '..'",
        )


def _check_web_url(template: str, *, file: str, kind: str) -> None:
    if not template.startswith(("https://", "http://")):
        raise SourceError("web_url must start with https:// or http://", file=file, key=f"{kind}.web_url")
    for name in re.findall(r"\{([^{}]*)\}", template):
        if name not in _PLACEHOLDERS:
            raise SourceError(
                f"web_url has an unknown placeholder {{{name}}}",
                file=file,
                key=f"{kind}.web_url",
                hint="use {commit}, {ref}, {path} and {line}",
            )


def parse_manifest(text: str, *, file: Path) -> Manifest:
    shown = display_path(file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise SourceError(
            f"sources manifest is not valid TOML: {str(exc).split(' (at')[0]}",
            file=shown,
            line=int(match.group(1)) if match else None,
        ) from exc
    except ValueError as exc:  # e.g. Python's int-string conversion limit
        raise SourceError(f"sources manifest cannot be read: {exc}", file=shown) from exc
    specs: list[SourceSpec] = []
    requests: Path | None = None
    for kind, table in data.items():
        if kind == "samples":
            if not isinstance(table, dict) or set(table) - {"requests"}:
                raise SourceError("[samples] takes only requests = PATH", file=shown, key="samples")
            raw = _string(table, "requests", file=shown, kind="samples")
            requests = (file.parent / raw) if raw else None
            continue
        if kind not in KINDS:
            raise SourceError(
                f"unknown source kind {kind[:80]!r}",
                file=shown,
                key=kind[:80],
                hint=f"use one of: {', '.join(KINDS)}, samples",
            )
        if not isinstance(table, dict):
            raise SourceError("must be a table", file=shown, key=kind, hint=f"write [{kind}] with path = ...")
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise SourceError(
                f"unknown key {unknown[0][:80]!r}",
                file=shown,
                key=kind,
                hint="use repo, ref, path, web_url and enabled",
            )
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            raise SourceError(
                "enabled must be true or false", file=shown, key=f"{kind}.enabled", hint="write enabled = false"
            )
        repo = _string(table, "repo", file=shown, kind=kind)
        ref = _string(table, "ref", file=shown, kind=kind)
        path = _string(table, "path", file=shown, kind=kind)
        web_url = _string(table, "web_url", file=shown, kind=kind)
        if web_url:
            _check_web_url(web_url, file=shown, kind=kind)
        if repo is None:
            if ref is not None:
                raise SourceError("ref without repo", file=shown, key=f"{kind}.ref", hint="add repo = URL or drop ref")
            specs.append(SourceSpec(kind=kind, path=path or KINDS[kind][1], web_url=web_url, enabled=enabled))
            continue
        _check_repo(repo, file=shown, kind=kind)
        ref = ref or "HEAD"
        if not _REF.match(ref):
            raise SourceError(
                f"ref {ref[:80]!r} is not a branch, tag or commit name",
                file=shown,
                key=f"{kind}.ref",
                hint="write a branch, tag or commit (letters, digits, . _ / + -; not starting with '-')",
            )
        path = path or "."
        _check_inner_path(path, file=shown, kind=kind)
        specs.append(SourceSpec(kind=kind, path=path, repo=repo, ref=ref, web_url=web_url, enabled=enabled))
    return Manifest(file=file, sources=tuple(specs), requests=requests)


def load_manifest(file: Path | None) -> Manifest:
    """Read *file*; no file means every source at its in-repo default."""
    if file is None or not file.exists():
        return Manifest(file=file, sources=())
    return parse_manifest(read_text(file, what="sources manifest"), file=file)


def load_lock(manifest: Manifest) -> dict[str, LockEntry]:
    lock = manifest.lock_file
    if lock is None or not lock.exists():
        return {}
    shown = display_path(lock)
    try:
        data = tomllib.loads(read_text(lock, what="sources lock"))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise SourceError(
            f"sources lock is not valid TOML: {exc}", file=shown, hint="delete it and run cells-docs sources sync"
        ) from exc
    entries: dict[str, LockEntry] = {}
    for kind, table in data.items():
        fields = table if isinstance(table, dict) else {}
        values = {key: fields.get(key) for key in ("repo", "ref", "commit", "date", "subject")}
        if kind not in KINDS or not all(isinstance(v, str) for v in values.values()):
            raise SourceError(
                "malformed lock entry", file=shown, key=str(kind)[:80], hint="run cells-docs sources update"
            )
        if not _SHA.match(str(values["commit"])):
            raise SourceError(
                "commit is not a full hexadecimal object name",
                file=shown,
                key=f"{kind}.commit",
                hint="run cells-docs sources update",
            )
        entries[kind] = LockEntry(kind=kind, **{k: str(v) for k, v in values.items()})
    return entries


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if ord(c) >= 32 else f"\\u{ord(c):04x}" for c in escaped) + '"'


def render_lock(entries: dict[str, LockEntry]) -> str:
    """The lock file's text: one table per remote kind, in manifest order."""
    lines = [
        "# Written by `cells-docs sources sync` and `sources update`: the commit each remote source",
        "# resolved to. Commit this file.",
        "",
    ]
    for kind in KINDS:
        entry = entries.get(kind)
        if entry is None:
            continue
        lines.append(f"[{kind}]")
        for key in ("repo", "ref", "commit", "date", "subject"):
            lines.append(f"{key} = {_toml_string(getattr(entry, key))}")
        lines.append("")
    return "\n".join(lines)


_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/).+)$")


def _host_and_project(repo: str) -> tuple[str, str] | None:
    """``(host, group/project)`` of an https, ssh or scp-style git URL."""
    match = re.match(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$", repo)
    match = match or _SCP.match(repo)
    if match is None:
        return None
    project = match.group("path").removesuffix("/").removesuffix(".git")
    return match.group("host"), project


def web_link(spec: SourceSpec, commit: str, path: str, line: int | None) -> str | None:
    """The web URL of *path* (inside the repository) at *commit* and *line*, when one is known.

    ``web_url`` wins; otherwise GitHub and GitLab URLs are derived from the git URL.
    """
    from urllib.parse import quote

    quoted = quote(path, safe="/")
    if spec.web_url:
        values = {"commit": commit, "ref": quote(spec.ref, safe="/"), "path": quoted, "line": str(line or 1)}
        return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], spec.web_url)
    if spec.repo is None:
        return None
    found = _host_and_project(spec.repo)
    if found is None:
        return None
    host, project = found
    anchor = f"#L{line}" if line else ""
    if "github" in host:
        return f"https://{host}/{quote(project, safe='/')}/blob/{commit}/{quoted}{anchor}"
    if "gitlab" in host:
        return f"https://{host}/{quote(project, safe='/')}/-/blob/{commit}/{quoted}{anchor}"
    return None
