"""What moving a source to another commit changes for the site, as a Markdown summary.

Used by ``cells-docs sources update`` (the lock moves to the ref's head) and by the upstream
merge-request preview (``ci/upstream-preview.gitlab-ci.yml``): API changes classified breaking or
compatible (the same rules as ``api-diff``), rule changes with the route differences they cause on
the recorded sample requests, cells added, removed or changed, alerts added or removed, and the
drift findings of the new sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cellsdocs.analysis.explain import Request
from cellsdocs.errors import CellsDocsError
from cellsdocs.markdown import code, table, text
from cellsdocs.settings import SourcePaths
from cellsdocs.sources.routing import RouteRule

__all__ = ["Summary", "summarize"]

T = TypeVar("T")


@dataclass
class Summary:
    """The sections of an update summary; ``breaking`` tells whether anything breaks."""

    sections: list[tuple[str, str]] = field(default_factory=list)
    breaking: int = 0
    route_changes: int = 0
    drift: int = 0
    problems: list[str] = field(default_factory=list)

    def markdown(self, title: str) -> str:
        lines = [f"## {title}", ""]
        figures = (
            f"**{self.breaking}** breaking API change(s), **{self.route_changes}** request(s) routed "
            f"differently, **{self.drift}** drift finding(s)."
        )
        lines += [figures, ""]
        for problem in self.problems:
            lines += [f"- :x: {text(problem)}"]
        if self.problems:
            lines.append("")
        for heading, body in self.sections:
            lines += [f"### {heading}", "", body.rstrip(), ""]
        if not self.sections and not self.problems:
            lines += ["Nothing that the site shows changes.", ""]
        return "\n".join(lines)


def _try(summary: Summary, what: str, load: Callable[[], T]) -> T | None:
    try:
        return load()
    except CellsDocsError as exc:
        summary.problems.append(f"{what}: {exc.format()}")
        return None


def _api(summary: Summary, old: SourcePaths, new: SourcePaths) -> None:
    from cellsdocs.sources.protos.compile import compile_proto_tree
    from cellsdocs.sources.protos.diff import diff_models
    from cellsdocs.sources.protos.model import build_model

    before = _try(summary, "protos before", lambda: build_model(compile_proto_tree(old.proto_root)))
    after = _try(summary, "protos after", lambda: build_model(compile_proto_tree(new.proto_root)))
    if before is None or after is None:
        return
    changes = diff_models(before, after)
    if not changes:
        return
    summary.breaking += sum(1 for c in changes if c.breaking)
    rows = [
        ["**breaking**" if c.breaking else "compatible", code(c.rule), code(c.element), text(c.message)]
        for c in changes
    ]
    summary.sections.append(("API changes", table(["Verdict", "Rule", "Element", "Change"], rows)))


def _topology(summary: Summary, old: SourcePaths, new: SourcePaths) -> None:
    from cellsdocs.sources.topology import load_topology

    before = _try(summary, "config.toml before", lambda: load_topology(old.topology_config))
    after = _try(summary, "config.toml after", lambda: load_topology(new.topology_config))
    if before is None or after is None:
        return
    old_cells = {c.name: c for c in before.cells}
    new_cells = {c.name: c for c in after.cells}
    rows: list[list[str]] = []
    for name in sorted(new_cells.keys() - old_cells.keys()):
        rows.append([code(name), "added", text(new_cells[name].address)])
    for name in sorted(old_cells.keys() - new_cells.keys()):
        rows.append([code(name), "**removed**", text(old_cells[name].address)])
    for name in sorted(old_cells.keys() & new_cells.keys()):
        a, b = old_cells[name], new_cells[name]
        changed = [
            f"{key}: {getattr(a, key)!r} -> {getattr(b, key)!r}"
            for key in ("id", "address", "session_prefix", "sequence_min", "sequence_max", "region", "status")
            if getattr(a, key) != getattr(b, key)
        ]
        if changed:
            rows.append([code(name), "changed", text("; ".join(changed))])
    if rows:
        summary.sections.append(("Cells", table(["Cell", "Change", "Detail"], rows)))


def _rules(summary: Summary, old: SourcePaths, new: SourcePaths, requests: Sequence[Request]) -> None:
    from cellsdocs.analysis.replay import replay
    from cellsdocs.sources.routing import load_rule_sets
    from cellsdocs.sources.topology import load_topology

    before = _try(summary, "rules before", lambda: load_rule_sets(old.router_rules))
    after = _try(summary, "rules after", lambda: load_rule_sets(new.router_rules))
    topology = _try(summary, "config.toml", lambda: load_topology(new.topology_config))
    if before is None or after is None:
        return
    old_sets = {r.name: r for r in before}
    new_sets = {r.name: r for r in after}
    rows: list[list[str]] = []
    routes: list[list[str]] = []
    for name in sorted(new_sets.keys() - old_sets.keys()):
        rows.append([code(name), "added", f"{len(new_sets[name].rules)} rules"])
    for name in sorted(old_sets.keys() - new_sets.keys()):
        rows.append([code(name), "**removed**", f"{len(old_sets[name].rules)} rules"])
    for name in sorted(old_sets.keys() & new_sets.keys()):
        a, b = old_sets[name], new_sets[name]
        if [_shape(r) for r in a.rules] == [_shape(r) for r in b.rules]:
            continue
        rows.append([code(name), "changed", f"{len(a.rules)} -> {len(b.rules)} rules"])
        if topology is not None and requests:
            for diff in replay(requests, a, b, topology):
                summary.route_changes += 1
                request = f"{diff.request.method} {diff.request.path}"
                routes.append(
                    [code(name), code(request), text(diff.describe(diff.before)), text(diff.describe(diff.after))]
                )
    if rows:
        summary.sections.append(("Rule sets", table(["Rule set", "Change", "Detail"], rows)))
    if routes:
        summary.sections.append(
            ("Route changes on the sample requests", table(["Rule set", "Request", "Before", "After"], routes))
        )


def _shape(rule: RouteRule) -> tuple[object, ...]:
    """What a rule does, comparable across two loads (the regex sources, not compiled patterns)."""
    match = rule.match
    pattern = None
    if match is not None:
        pattern = (
            match.type,
            match.regex_name.source if match.regex_name else None,
            match.regex_value.source if match.regex_value else None,
        )
    return (rule.id, pattern, rule.action, rule.classify)


def _alerts(summary: Summary, old: SourcePaths, new: SourcePaths) -> None:
    from cellsdocs.sources.alerts import load_alert_rules

    before = _try(summary, "alerts before", lambda: load_alert_rules(old.alert_rules))
    after = _try(summary, "alerts after", lambda: load_alert_rules(new.alert_rules))
    if before is None or after is None:
        return
    old_names = {a.name for a in before.alerts}
    new_names = {a.name for a in after.alerts}
    rows = [[code(n), "added"] for n in sorted(new_names - old_names)]
    rows += [[code(n), "**removed**"] for n in sorted(old_names - new_names)]
    if rows:
        summary.sections.append(("Alerts", table(["Alert", "Change"], rows)))


def _drift(summary: Summary, new: SourcePaths) -> None:
    from cellsdocs.sources.load import SourcesInvalid, load_sources

    try:
        sources = load_sources(new, drift="report")
    except SourcesInvalid as exc:
        summary.problems.extend(f"invalid source: {e.format()}" for e in exc.errors)
        return
    from cellsdocs.render.drift import render_findings

    summary.drift = len(sources.drift)
    if sources.drift:
        summary.sections.append(("Drift findings", render_findings(sources.drift)))


def summarize(old: SourcePaths, new: SourcePaths, *, requests: Path | None) -> Summary:
    """Everything that changes for the site between two resolutions of the sources."""
    from cellsdocs.analysis.replay import load_requests

    summary = Summary()
    samples: list[Request] = []
    if requests is not None and requests.exists():
        samples = _try(summary, "sample requests", lambda: load_requests(requests)) or []
    if old.proto_root != new.proto_root:
        _api(summary, old, new)
    if old.topology_config != new.topology_config:
        _topology(summary, old, new)
    if old.router_rules != new.router_rules or old.topology_config != new.topology_config:
        _rules(summary, old, new, samples)
    if old.alert_rules != new.alert_rules:
        _alerts(summary, old, new)
    _drift(summary, new)
    return summary
