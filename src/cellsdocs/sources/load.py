"""Load every source of truth into one immutable :class:`Sources` model, checked by
:mod:`cellsdocs.checks`."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from google.protobuf import descriptor_pb2

from cellsdocs.checks import Finding, cross_check, drift_checks, lint
from cellsdocs.errors import CellsDocsError, SourceError, SourceErrors
from cellsdocs.settings import BuildOptions, SourcePaths
from cellsdocs.sources.adrs import AdrCollection, load_adrs
from cellsdocs.sources.alerts import AlertRules, load_alert_rules
from cellsdocs.sources.protos.compile import compile_proto_tree
from cellsdocs.sources.protos.elements import ProtoModel
from cellsdocs.sources.protos.model import build_model
from cellsdocs.sources.routing import RuleSet, load_rule_sets
from cellsdocs.sources.runbooks import RunbookCollection, load_runbooks
from cellsdocs.sources.textio import display_path
from cellsdocs.sources.topology import Topology, load_topology

__all__ = ["Sources", "SourcesInvalid", "fingerprint", "load_sources"]

T = TypeVar("T")


class SourcesInvalid(CellsDocsError):
    """One or more sources are invalid; ``errors`` holds each one-line problem."""

    def __init__(self, errors: list[CellsDocsError]) -> None:
        self.errors = errors
        super().__init__(
            "; ".join(e.format() for e in errors)
            if len(errors) == 1
            else f"{len(errors)} problems in the sources: " + " | ".join(e.format() for e in errors)
        )


@dataclass(frozen=True, kw_only=True)
class Sources:
    """Everything the site is generated from."""

    paths: SourcePaths
    descriptors: descriptor_pb2.FileDescriptorSet
    api: ProtoModel
    topology: Topology
    rule_sets: tuple[RuleSet, ...]
    alerts: AlertRules
    adrs: AdrCollection
    runbooks: RunbookCollection

    active_rule_set: str
    #: cross-source problems kept as findings in drift report mode (empty in strict mode)
    drift: tuple[Finding, ...] = ()
    #: ``strict`` or ``report`` (see :func:`load_sources`)
    drift_mode: str = "strict"

    def rule_set(self, name: str) -> RuleSet | None:
        return next((r for r in self.rule_sets if r.name == name), None)


def choose_active_rule_set(rule_sets: tuple[RuleSet, ...], configured: str | None) -> str:
    """``CELLS_ACTIVE_RULESET`` if set, else ``session_prefix`` when present, else the first set."""
    names = [r.name for r in rule_sets]
    if configured:
        if configured not in names:
            raise SourceError(
                f"active rule set {configured!r} does not exist",
                key="CELLS_ACTIVE_RULESET",
                hint=f"use one of: {', '.join(names)}",
            )
        return configured
    if not names:  # the site has no rule sets
        return ""
    return "session_prefix" if "session_prefix" in names else names[0]


def fingerprint(paths: SourcePaths) -> str:
    """A cheap digest of every source file's path, size and modification time."""
    digest = hashlib.sha256()
    for location in [*paths.watched(), paths.root / "diagrams"]:  # diagram definitions shape pages too
        candidates = [location] if location.is_file() else sorted(location.rglob("*")) if location.is_dir() else []
        for path in candidates:
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def load_sources(paths: SourcePaths, *, drift: str | None = None, options: BuildOptions | None = None) -> Sources:
    """Load and validate every source; raise :class:`SourcesInvalid` listing every problem found.

    With ``drift="report"``, problems between sources (see :func:`cellsdocs.checks.drift_checks`) do not fail:
    they are kept as ``Sources.drift`` findings. Invalid sources fail in either mode.
    """
    options = options if options is not None else BuildOptions.from_env()
    drift = drift or options.drift
    errors: list[CellsDocsError] = []

    def attempt(loader: Callable[[], T]) -> T | None:
        try:
            return loader()
        except CellsDocsError as exc:
            errors.extend(exc.errors if isinstance(exc, SourceErrors) else [exc])
            return None

    def kind(name: str, loader: Callable[[], T], empty: Callable[[], T]) -> T | None:
        """An absent kind (``enabled = false``) is an empty model: nothing read, nothing generated."""
        return attempt(loader if paths.present(name) else empty)

    protos_cache = paths.root / ".cache" / "protos"  # compiled trees by content hash
    descriptors = kind(
        "protos", lambda: compile_proto_tree(paths.proto_root, cache_dir=protos_cache), descriptor_pb2.FileDescriptorSet
    )
    topology = kind(
        "topology",
        lambda: load_topology(paths.topology_config),
        lambda: Topology(cells=(), source=display_path(paths.topology_config)),
    )
    no_rules: tuple[RuleSet, ...] = ()
    rule_sets = kind("rules", lambda: load_rule_sets(paths.router_rules), lambda: no_rules)
    alerts = kind(
        "alerts",
        lambda: load_alert_rules(paths.alert_rules),
        lambda: AlertRules(alerts=(), recording_rules=0, files=()),
    )
    adrs = kind(
        "adrs", lambda: load_adrs(paths.adr_dir), lambda: AdrCollection(adrs=(), folder=display_path(paths.adr_dir))
    )
    runbooks = kind(
        "runbooks",
        lambda: load_runbooks(paths.runbook_dir),
        lambda: RunbookCollection(runbooks=(), folder=display_path(paths.runbook_dir)),
    )
    if paths.present("rules") and not paths.present("topology"):
        errors.append(
            SourceError(
                "router rules are given without the cell inventory they route to",
                file=display_path(paths.router_rules),
                key="topology",
                hint="point [topology] in sources.toml (or CELLS_TOPOLOGY_CONFIG) at config.toml, "
                "or set enabled = false under [rules]",
            )
        )
    if errors:
        raise SourcesInvalid(errors)
    assert descriptors is not None and topology is not None and rule_sets is not None
    assert alerts is not None and adrs is not None and runbooks is not None
    try:
        active = choose_active_rule_set(rule_sets, options.active_rule_set)
    except SourceError as exc:
        raise SourcesInvalid([exc]) from exc
    sources = Sources(
        active_rule_set=active,
        paths=paths,
        descriptors=descriptors,
        api=build_model(descriptors),
        topology=topology,
        rule_sets=rule_sets,
        alerts=alerts,
        adrs=adrs,
        runbooks=runbooks,
    )
    if drift == "report":
        errors.extend(lint(sources))
        findings = tuple(drift_checks(sources))
        sources = dataclasses.replace(sources, drift=findings, drift_mode="report")
    else:
        errors.extend(cross_check(sources))
    if errors:
        raise SourcesInvalid(errors)
    return sources


def source_path(base: Path, shown: str) -> Path:
    """Inverse of display_path for links: absolute path of a displayed source path."""
    path = Path(shown)
    return path if path.is_absolute() else (base / path)
