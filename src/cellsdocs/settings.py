"""Where the sources of truth are: the manifest (``sources.toml``), else the in-repo defaults; each
overridable by an environment variable. Remote sources are read from the cache that
``cells-docs sources sync`` fills, at the commit ``sources.lock`` records."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cellsdocs.errors import SourceError
from cellsdocs.sources.manifest import KINDS, LockEntry, SourceSpec, load_lock, load_manifest, web_link
from cellsdocs.sources.remote import CheckoutMissing, checkout_dir

__all__ = ["ENV_VARS", "KIND_OF_VAR", "Origin", "SourcePaths", "manifest_file", "repo_root"]

#: environment variable -> manifest kind
KIND_OF_VAR: dict[str, str] = {
    "CELLS_PROTO_ROOT": "protos",
    "CELLS_TOPOLOGY_CONFIG": "topology",
    "CELLS_ROUTER_RULES": "rules",
    "CELLS_ALERT_RULES": "alerts",
    "CELLS_ADR_DIR": "adrs",
    "CELLS_RUNBOOK_DIR": "runbooks",
}
#: environment variable -> (attribute, default path relative to the repository root, what it is)
ENV_VARS: dict[str, tuple[str, str, str]] = {var: KINDS[kind] for var, kind in KIND_OF_VAR.items()}


#: build settings other than source locations: environment variable -> BuildOptions field
OPTION_VARS = {
    "CELLS_DRIFT": "drift",
    "CELLS_ACTIVE_RULESET": "active_rule_set",
    "CELLS_API_BASE": "api_base",
    "CELLS_BUILD_DATE": "build_date",
}


#: ``strict``: a dangling reference fails the build; ``report``: it is listed (previews)
DRIFT_MODES = ("strict", "report")


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """How a build treats its sources (the MkDocs plugin's typed config, or the CLI's environment)."""

    drift: str = "strict"  #: ``strict``: a dangling reference fails; ``report``: it is listed
    active_rule_set: str | None = None  #: the rule set the router runs (default: the only/marked one)
    api_base: str | None = None  #: the revision API changes are compared with (default: see history)
    build_date: dt.date | None = None  #: the date the build treats as today (default: the UTC date)

    @property
    def today(self) -> dt.date:
        return self.build_date or dt.datetime.now(dt.UTC).date()

    @classmethod
    def parse(cls, values: Mapping[str, object | None]) -> BuildOptions:
        """From field name -> raw value (blank means default), each checked with a one-line error."""
        raw = {key: str(value).strip() for key, value in values.items() if value is not None and str(value).strip()}
        drift = raw.get("drift", "strict").lower()
        if drift not in DRIFT_MODES:
            raise SourceError(f"unknown drift mode {drift[:40]!r}", key="CELLS_DRIFT", hint="use strict or report")
        date = None
        if "build_date" in raw:
            try:
                date = dt.date.fromisoformat(raw["build_date"])
            except ValueError as exc:
                raise SourceError(
                    f"CELLS_BUILD_DATE {raw['build_date'][:40]!r} is not a date",
                    key="CELLS_BUILD_DATE",
                    hint="write YYYY-MM-DD",
                ) from exc
        return cls(
            drift=drift,
            active_rule_set=raw.get("active_rule_set"),
            api_base=raw.get("api_base"),
            build_date=date,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BuildOptions:
        env = os.environ if environ is None else environ
        return cls.parse({field: env.get(var) for var, field in OPTION_VARS.items()})


def manifest_file(root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """``CELLS_SOURCES`` if set, else ``sources.toml`` under *root*."""
    env = os.environ if environ is None else environ
    raw = env.get("CELLS_SOURCES", "").strip()
    path = Path(raw).expanduser() if raw else Path("sources.toml")
    return path if path.is_absolute() else root / path


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Where one kind of source was read from: for provenance links and the Sources page."""

    kind: str
    spec: SourceSpec
    base: Path  #: the folder paths inside the repository are relative to
    lock: LockEntry | None = None
    override: str | None = None  #: the CELLS_* variable that chose the location, if any

    def link(self, file: str | Path, line: int | None = None) -> str | None:
        """The upstream web URL of *file* at the locked commit and *line*, when one is known."""
        if self.lock is None or self.override:
            return None
        try:
            inner = Path(file).resolve().relative_to(self.base.resolve()).as_posix()
        except (ValueError, OSError):
            return None
        return web_link(self.spec, self.lock.commit, inner, line)


def repo_root() -> Path:
    """The repository this package is checked out in (the folder holding ``mkdocs.yml``)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "mkdocs.yml").is_file():
            return parent
    return Path.cwd()


@dataclass(frozen=True, kw_only=True)
class SourcePaths:
    """Absolute locations of every source kind, and the repository root they default under."""

    root: Path
    proto_root: Path
    topology_config: Path
    router_rules: Path
    alert_rules: Path
    adr_dir: Path
    runbook_dir: Path
    origins: tuple[Origin, ...] = ()
    #: kinds the site has no source of (``enabled = false`` in the manifest, no CELLS_* variable):
    #: nothing is read from their location and no page is generated for them
    absent: frozenset[str] = frozenset()

    def present(self, kind: str) -> bool:
        return kind not in self.absent

    def origin(self, kind: str) -> Origin | None:
        return next((o for o in self.origins if o.kind == kind), None)

    def link(self, kind: str, file: str | Path, line: int | None = None) -> str | None:
        """The upstream web URL of *file* of source *kind* at its locked commit, if known."""
        origin = self.origin(kind)
        if origin is None:
            return None
        return origin.link(file, line)  # a relative path is as displayed: relative to the working directory

    @classmethod
    def from_env(cls, root: Path | None = None, environ: Mapping[str, str] | None = None) -> SourcePaths:
        """Resolve each location: its ``CELLS_*`` variable, else the manifest, else the in-repo default.

        A remote source resolves to its locked commit's tree in ``.cache/sources/``; a source that
        is not locked or not fetched is a one-line error naming the fix.
        """
        root = (root or repo_root()).resolve()
        env = os.environ if environ is None else environ
        manifest = load_manifest(manifest_file(root, env))
        lock = load_lock(manifest)
        values: dict[str, Path] = {}
        origins: list[Origin] = []
        absent: set[str] = set()
        for var, (attr, _default, _what) in ENV_VARS.items():
            kind = KIND_OF_VAR[var]
            spec = manifest.spec(kind)
            raw = env.get(var, "").strip()
            if raw:
                path = Path(raw).expanduser()
                values[attr] = path if path.is_absolute() else (root / path)
                origins.append(Origin(kind=kind, spec=spec, base=values[attr], override=var))
                continue
            if spec.repo is None or not spec.enabled:
                if not spec.enabled:
                    absent.add(kind)
                folder = manifest.folder if manifest.file is not None else root
                path = Path(spec.path).expanduser()
                values[attr] = path if path.is_absolute() else (folder / path)
                if spec.enabled:
                    origins.append(Origin(kind=kind, spec=spec, base=folder))
                continue
            entry = lock.get(kind)
            where = str(manifest.lock_file or "sources.lock")
            if entry is None or not entry.matches(spec):
                raise SourceError(
                    f"source {kind!r} ({spec.repo} at {spec.ref}) is not locked",
                    file=where,
                    key=kind,
                    hint="run cells-docs sources sync",
                )
            base = checkout_dir(root, kind, entry.commit)
            if not base.is_dir():
                raise CheckoutMissing(
                    f"source {kind!r} ({spec.repo} at {entry.commit[:12]}) is not in .cache/sources",
                    file=where,
                    key=kind,
                    hint="run cells-docs sources sync (needs access to the repository once)",
                )
            values[attr] = base / spec.path
            origins.append(Origin(kind=kind, spec=spec, base=base, lock=entry))
        return cls(root=root, origins=tuple(origins), absent=frozenset(absent), **values)

    def watched(self) -> list[Path]:
        """Every location, for live reload (an absent kind has none)."""
        return [getattr(self, attr) for kind, (attr, _, _) in KINDS.items() if kind not in self.absent]
