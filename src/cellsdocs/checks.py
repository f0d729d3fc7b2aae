"""Every check that spans sources: what one source says about another must hold.

The alert and runbook contract (both ways), what ADRs say they govern, rule classifications against
the proto ``ClassifyType`` enum, and the structure checks of runbooks and ADRs run together here.
In a strict build each problem is an error; with ``CELLS_DRIFT=report`` the cross-source ones become
:class:`Finding` entries of the drift report instead (see :mod:`cellsdocs.render.drift`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from google.protobuf import descriptor_pb2

from cellsdocs.errors import CellsDocsError, SourceError
from cellsdocs.mkdocs.templating import vet_page
from cellsdocs.settings import SourcePaths
from cellsdocs.sources.adr_lint import lint_adrs
from cellsdocs.sources.adrs import adr_files
from cellsdocs.sources.alerts import Alert
from cellsdocs.sources.runbooks import RunbookCollection, lint_runbook, runbook_files
from cellsdocs.sources.textio import display_path, read_text

if TYPE_CHECKING:
    from cellsdocs.sources.load import Sources


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One dangling reference: where it is (page or source file and line) and what is missing."""

    where: str
    line: int | None
    kind: str
    message: str
    hint: str = ""

    @classmethod
    def from_error(cls, error: CellsDocsError, *, kind: str, where: str | None = None) -> Finding:
        return cls(
            where=where or error.file or "?",
            line=error.line,
            kind=kind,
            message=(f"{error.key}: " if error.key else "") + error.message,
            hint=error.hint or "",
        )


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


def check_alert_contract(alerts: Iterable[Alert], runbooks: RunbookCollection) -> list[SourceError]:
    """Both directions: each alert's runbook exists, has the anchor and lists the alert; each
    alert a runbook lists exists and points back at it."""
    errors: list[SourceError] = []
    by_name: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_name.setdefault(alert.name, []).append(alert)
        where = f"alert {alert.name}"
        link = alert.runbook
        if not link:
            errors.append(
                SourceError(
                    f"{where} has no runbook annotation",
                    file=alert.file,
                    line=alert.line,
                    key="annotations.runbook",
                    hint="add runbook: runbooks/<service>/<name>/ pointing at its runbook page",
                )
            )
            continue
        path, _, anchor = link.partition("#")
        if path.startswith(("/", "http:", "https:")) or ".." in path.split("/") or "\\" in path:
            errors.append(
                SourceError(
                    f"{where}: runbook {link!r} is not a site-relative runbook path",
                    file=alert.file,
                    line=alert.line,
                    key="annotations.runbook",
                    hint="write runbooks/<service>/<name>/ (no leading '/', no '..')",
                )
            )
            continue
        book = runbooks.by_url(path)
        if book is None:
            errors.append(
                SourceError(
                    f"{where}: runbook {path!r} does not exist",
                    file=alert.file,
                    line=alert.line,
                    key="annotations.runbook",
                    hint=f"write runbooks/{path.removeprefix('runbooks/').strip('/')}.md "
                    "from runbooks/template.md, or fix the path",
                )
            )
            continue
        if anchor and anchor not in book.anchors:
            errors.append(
                SourceError(
                    f"{where}: runbook {book.file} has no heading with anchor #{anchor}",
                    file=alert.file,
                    line=alert.line,
                    key="annotations.runbook",
                    hint=f"add '### {alert.name}' under Symptoms in {book.file}, or fix the anchor",
                )
            )
        if alert.name not in book.alerts:
            errors.append(
                SourceError(
                    f"{where} points at {book.file}, which does not list it",
                    file=book.file,
                    line=book.line_of("alerts"),
                    key="alerts",
                    hint=f"add {alert.name} to its alerts",
                )
            )
    for book in runbooks.runbooks:
        for name in book.alerts:
            if name not in by_name:
                errors.append(
                    SourceError(
                        f"lists alert {name!r}, which no rule file defines",
                        file=book.file,
                        line=book.line_of("alerts"),
                        key="alerts",
                        hint="remove it or fix the name (alert names are case-sensitive)",
                    )
                )
                continue
            for alert in by_name[name]:
                target = runbooks.by_url(alert.runbook.partition("#")[0]) if alert.runbook else None
                if target is not None and target is not book:
                    errors.append(
                        SourceError(
                            f"lists alert {name!r}, whose runbook annotation points at {target.file}",
                            file=book.file,
                            line=book.line_of("alerts"),
                            key="alerts",
                            hint="list each alert in exactly one runbook",
                        )
                    )
    return errors
