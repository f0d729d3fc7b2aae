"""Load every source of truth into one immutable :class:`Sources` model, with cross-checks."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from google.protobuf import descriptor_pb2

from cellsdocs.drift import Finding
from cellsdocs.errors import CellsDocsError, SourceError, SourceErrors
from cellsdocs.mkdocs.templating import vet_page
from cellsdocs.settings import BuildOptions, SourcePaths
from cellsdocs.sources.adrs import AdrCollection, adr_files, lint_adrs, load_adrs
from cellsdocs.sources.alerts import AlertRules, load_alert_rules
from cellsdocs.sources.protos.compile import compile_proto_tree
from cellsdocs.sources.protos.model import ProtoModel, build_model
from cellsdocs.sources.routing import RuleSet, load_rule_sets
from cellsdocs.sources.runbooks import (
    RunbookCollection,
    check_alert_contract,
    lint_runbook,
    load_runbooks,
    runbook_files,
)
from cellsdocs.sources.textio import display_path, read_text
from cellsdocs.sources.topology import Topology, load_topology

__all__ = ["Sources", "SourcesInvalid", "classify_type_values", "fingerprint", "load_sources"]

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


def classify_type_values(descriptors: descriptor_pb2.FileDescriptorSet) -> dict[str, tuple[str, int]]:
    """Values of every enum named ``ClassifyType``: accepted spelling -> (proto value name, number).

    Both the value name (``FIRST_CELL``) and, for prefixed style (``CLASSIFY_TYPE_FIRST_CELL``),
    the name without the enum prefix are accepted spellings.
    """
    values: dict[str, tuple[str, int]] = {}

    def visit(enum: descriptor_pb2.EnumDescriptorProto) -> None:
        if enum.name != "ClassifyType":
            return
        for value in enum.value:
            values[value.name] = (value.name, value.number)
            if value.name.startswith("CLASSIFY_TYPE_"):
                values.setdefault(value.name.removeprefix("CLASSIFY_TYPE_"), (value.name, value.number))

    def walk(message: descriptor_pb2.DescriptorProto) -> None:
        for enum in message.enum_type:
            visit(enum)
        for nested in message.nested_type:
            walk(nested)

    for file in descriptors.file:
        for enum in file.enum_type:
            visit(enum)
        for message in file.message_type:
            walk(message)
    return values


def check_governed(sources: Sources) -> list[CellsDocsError]:
    """Every service, RPC, rule set and cell an ADR says it governs exists in the sources."""
    from cellsdocs.sources.protos.refs import resolve

    errors: list[CellsDocsError] = []
    #: what each kind of governed name is checked against (nothing to check when that source is absent)
    against = {"services": "protos", "rpcs": "protos", "rule-sets": "rules", "cells": "topology"}
    for adr in sources.adrs.adrs:
        for kind, name in adr.governs:
            problem = None
            if not sources.paths.present(against.get(kind, "")):
                continue
            if kind in ("services", "rpcs"):
                try:
                    resolve(sources.api, name, "service" if kind == "services" else "rpc")
                except CellsDocsError as exc:
                    problem = exc.message + (f" ({exc.hint})" if exc.hint else "")
            elif kind == "rule-sets" and sources.rule_set(name) is None:
                problem = f"no rule set named {name!r} ({', '.join(r.name for r in sources.rule_sets)})"
            elif kind == "cells" and sources.topology.by_name(name) is None:
                problem = f"no cell named {name!r} in {sources.topology.source}"
            if problem:
                errors.append(
                    SourceError(
                        f"governs {kind} {name!r}, which does not exist: {problem}",
                        file=adr.file,
                        line=adr.line_of("governs"),
                        key=f"governs.{kind}",
                        hint="fix the name or remove it",
                    )
                )
    return errors


def lint(sources: Sources) -> list[CellsDocsError]:
    """Checks of one source's structure: runbook sections and front matter, ADR lifecycle, and the
    macros in runbook and ADR pages (what the build's template sandbox would refuse)."""
    errors: list[CellsDocsError] = []
    for book in sources.runbooks.runbooks:
        errors.extend(lint_runbook(book, Path(book.file).parent.name))
    errors.extend(lint_adrs(sources.adrs))
    from cellsdocs.render.pages import check_page_paths  # imports this module

    errors.extend(check_page_paths(sources))  # two sources never write the same page
    errors.extend(check_page_templates(sources.paths))
    return errors


def check_page_templates(paths: SourcePaths) -> list[CellsDocsError]:
    """Every runbook and ADR page as the build renders it: only macro calls, no template code."""
    errors: list[CellsDocsError] = []
    for path, folder in [
        *((p, paths.runbook_dir) for p in (runbook_files(paths.runbook_dir) if paths.present("runbooks") else [])),
        *((p, paths.adr_dir) for p in (adr_files(paths.adr_dir) if paths.present("adrs") else [])),
    ]:
        try:
            problem = vet_page(read_text(path, what="page", within=folder), file=display_path(path))
        except CellsDocsError:  # unreadable: already reported where the page was loaded
            continue
        if problem is not None:
            errors.append(problem)
    return errors


def drift_checks(sources: Sources) -> list[Finding]:
    """Checks that span two sources (drift): the alert -> runbook contract both ways, what ADRs
    govern, rule classifications against the proto's ClassifyType. Returned as findings."""
    found: list[Finding] = []
    found.extend(Finding.from_error(e, kind="alert contract") for e in alert_contract(sources))
    found.extend(Finding.from_error(e, kind="ADR governs") for e in check_governed(sources))
    found.extend(Finding.from_error(e, kind="classify type") for e in classify_checks(sources))
    return found


def cross_check(sources: Sources) -> list[CellsDocsError]:
    """Every check that spans sources or a source's structure, as errors (the strict build)."""
    errors = lint(sources)
    errors.extend(alert_contract(sources))
    errors.extend(check_governed(sources))
    errors.extend(classify_checks(sources))
    return errors


def alert_contract(sources: Sources) -> list[CellsDocsError]:
    """Alerts and runbooks name each other (only when the site has both)."""
    if not (sources.paths.present("alerts") and sources.paths.present("runbooks")):
        return []
    return list(check_alert_contract(sources.alerts.alerts, sources.runbooks))


def classify_checks(sources: Sources) -> list[CellsDocsError]:
    """Every rule's ``classify.type`` is a value of the proto ``ClassifyType`` enum (when the site has protos)."""
    errors: list[CellsDocsError] = []
    if not sources.paths.present("protos"):
        return errors
    known = classify_type_values(sources.descriptors)
    for rule_set in sources.rule_sets:
        for rule in rule_set.rules:
            if rule.classify is None:
                continue
            if not known:
                errors.append(
                    SourceError(
                        f"{rule.label} classifies as {rule.classify.type!r} but the proto tree defines no "
                        "ClassifyType enum",
                        file=rule_set.source,
                        line=rule.line,
                        key=f"rules[{rule.number - 1}].classify.type",
                        hint="point CELLS_PROTO_ROOT at the Topology Service protos",
                    )
                )
                return errors
            if rule.classify.type not in known:
                names = ", ".join(sorted({name for name, _ in known.values()}))
                errors.append(
                    SourceError(
                        f"classify type {rule.classify.type!r} is not a value of the proto ClassifyType enum",
                        file=rule_set.source,
                        line=rule.line,
                        key=f"rules[{rule.number - 1}].classify.type",
                        hint=f"use one of: {names}",
                    )
                )
    return errors


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

    With ``drift="report"``, problems between sources (see :func:`drift_checks`) do not fail:
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
