"""Macros for hand-written pages: each returns Markdown built from the sources.

:func:`define_env` in ``macros/main.py`` registers these under their names. A reference to
something that does not exist raises :class:`MacroReferenceError`, which fails the strict build
with the page and the missing name.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cellsdocs.analysis.explain import first_cell
from cellsdocs.errors import CellsDocsError, DanglingReference
from cellsdocs.markdown import code, escape_attr, table, text
from cellsdocs.render.routing import render_rules_table, rule_anchor, rule_set_page
from cellsdocs.render.topology import cell_page, cells_table, readable_count
from cellsdocs.settings import ENV_VARS, KIND_OF_VAR
from cellsdocs.site import SiteModel
from cellsdocs.sources.protos.refs import resolve
from cellsdocs.sources.routing import RuleSet
from cellsdocs.sources.topology import Cell

__all__ = ["MacroContext", "api_link", "bench_results", "source_inventory"]


@dataclass(frozen=True)
class MacroContext:
    """What a macro knows: this build's site model and the page it is called from."""

    site: SiteModel
    page: str  # src_uri of the calling page


def source_inventory(ctx: MacroContext) -> str:
    """Table: each source kind, where it was read from, which variable moves it, what it holds."""
    sources = ctx.site.sources
    paths = sources.paths
    protos = [f for f in sources.descriptors.file if not f.name.startswith("google/")]
    counts = {
        "proto_root": f"{len(protos)} files",
        "topology_config": f"{len(sources.topology.cells)} cells",
        "router_rules": f"{len(sources.rule_sets)} rule sets, {sum(len(r.rules) for r in sources.rule_sets)} rules",
        "alert_rules": f"{len(sources.alerts.alerts)} alerts in {len(sources.alerts.files)} files",
        "adr_dir": f"{len(sources.adrs.adrs)} records",
        "runbook_dir": f"{len(sources.runbooks.runbooks)} runbooks",
    }
    root = paths.root
    rows = []
    for var, (attr, _default, what) in ENV_VARS.items():
        kind = KIND_OF_VAR[var]
        origin = paths.origin(kind)
        location = getattr(paths, attr)
        if not paths.present(kind):
            rows.append([f"{code(kind)}<br>{code(var)}", text(what), "not used (`enabled = false`)", "–"])
            continue
        if origin is not None and origin.lock is not None and not origin.override:
            lock = origin.lock
            age = _age_days(lock.date, ctx.site.today)
            shown = (
                f"{code(origin.spec.repo)} at {code(origin.spec.ref)}, path {code(origin.spec.path)}<br>"
                f"commit {code(lock.commit[:12])} of {text(lock.date[:10])} ({text(age)}): {text(lock.subject)}"
            )
        else:
            try:
                shown = code(location.relative_to(root).as_posix())
            except ValueError:
                shown = code(location.name) + " (outside the repository)"
            if origin is not None and origin.override:
                shown += f" (from {code(var)})"
        rows.append([f"{code(kind)}<br>{code(var)}", text(what), shown, text(counts[attr])])
    return table(["Kind and variable", "Source", "Read from", "Holds"], rows)


def _age_days(date: str, today: dt.date) -> str:
    try:
        when = dt.date.fromisoformat(date[:10])
    except ValueError:
        return "age unknown"
    days = (today - when).days
    return "committed today" if days <= 0 else f"{days} day(s) old at build time"


_BENCH_LABELS = {  # in the order the tables show them
    "full_build_s": "Full site build (s, fastest run)",
    "plain_build_s": "Plain MkDocs build of the same Markdown (s, fastest run)",
    "overhead_ratio": "Overhead ratio (full / plain, fastest runs)",
    "overhead_ratio_in_build": "Overhead ratio inside each full build: build / (build - machinery), median",
    "overhead_ratio_cpu": "Overhead ratio in CPU time (full / plain, fastest runs)",
    "overhead_ratio_median": "Overhead ratio of the medians (full / plain)",
    "machinery_s": "Of the full build, time in the hooks and mkdocs-macros (s, median)",
    "spread_full": "Spread of the full builds (slowest / fastest - 1: the machine's noise)",
    "spread_plain": "Spread of the plain builds (slowest / fastest - 1)",
    "repeat": "Builds per figure",
    "growth_2x_over_1x": "Growth: full build at 2x / at 1x (fastest runs; linear: 2)",
    "growth_2x_over_1x_cpu": "Growth in CPU time: full build at 2x / at 1x (fastest runs)",
    "growth_2x_over_1x_median": "Growth of the medians: full build at 2x / at 1x",
    "growth_machinery_2x_over_1x": "Growth of the machinery's time at 2x / at 1x (medians)",
    "peak_memory_mb": "Peak memory of the build (MB)",
    "pages": "Pages",
    "total_page_kb": "Total HTML (KB)",
    "median_page_kb": "Median page (KB)",
    "largest_page_kb": "Largest page (KB)",
    "linkcheck_s": "Link check of every link and anchor (s)",
    "linkcheck_urls": "URLs checked (anchors included)",
    "linkcheck_over_build": "Link check / full build",
    "home_transferred_kb": "Home page: transferred, gzip (KB)",
    "home_load_ms": "Home page: load in Chromium (ms)",
    "guide_transferred_kb": "Guide page: transferred, gzip (KB)",
    "guide_load_ms": "Guide page: load in Chromium (ms)",
    "proto_files": "Proto files",
    "messages": "Messages",
    "rpcs": "RPCs",
    "compile_s": "Compile with protoc (s)",
    "model_s": "Typed model (s)",
    "render_s": "Render the reference (s)",
    "api_generators_s": "API generators in all (s)",
    "api_pages": "API reference pages",
    "api_markdown_kb": "API reference Markdown (KB)",
    "site_build_with_tree_s": "Site build with this proto tree (s)",
    "api_share_of_build": "API generators / site build",
    "rules": "Rules",
    "cells": "Cells",
    "validate_and_render_s": "Validate and render the routing pages (s)",
    "batch_rules": "Replay: rules per rule set",
    "batch_requests": "Replay: requests, each routed by two rule sets",
    "batch_s": "Replay (s)",
    "batch_requests_per_s": "Replay (requests per s)",
    "batch_differences": "Replay: requests routed differently by the two",
    "explainer_ms_median": "Route explainer in Chromium, per request (ms, median)",
    "explainer_ms_max": "Route explainer in Chromium, per request (ms, slowest)",
    "first_build_s": "Serve: first build, warm process started (s)",
    "edit_adr_s": "Edit to view: ADR saved, its page rebuilt and in place (s, fastest)",
    "edit_guide_s": "Edit to view: guide (s, fastest)",
    "edit_runbook_s": "Edit to view: runbook (s, fastest)",
    "edit_rule_set_s": "Edit to view: rule set, a source (s, fastest)",
    "edit_adr_cpu_s": "Edit to view: ADR, CPU time of the rebuild (s, least)",
    "edit_guide_cpu_s": "Edit to view: guide, CPU time (s, least)",
    "edit_runbook_cpu_s": "Edit to view: runbook, CPU time (s, least)",
    "edit_rule_set_cpu_s": "Edit to view: rule set, CPU time (s, least)",
    "edit_adr_median_s": "Edit to view: ADR (s, median)",
    "edit_guide_median_s": "Edit to view: guide (s, median)",
    "edit_runbook_median_s": "Edit to view: runbook (s, median)",
    "edit_rule_set_median_s": "Edit to view: rule set (s, median)",
    "edit_repeat": "Edits of each kind",
    "peer_site_s": "1,000 ADRs: this whole site (s, fastest run)",
    "peer_chunked_s": "1,000 ADRs: plain MkDocs, nav in sections of 100 (s, fastest run)",
    "peer_flat_s": "1,000 ADRs: plain MkDocs, one flat nav section (s, fastest run)",
    "peer_site_cpu_s": "1,000 ADRs: this whole site, CPU time (s)",
    "peer_chunked_cpu_s": "1,000 ADRs: plain MkDocs chunked, CPU time (s)",
    "peer_flat_cpu_s": "1,000 ADRs: plain MkDocs flat, CPU time (s)",
    "peer_site_over_chunked_cpu": "1,000 ADRs: this site / plain MkDocs chunked, CPU time",
    "peer_adr_tools_toc_s": "1,000 ADRs: adr-tools, table of contents (s)",
    "peer_log4brains_s": "1,000 ADRs: log4brains, static site (s)",
    "peer_repeat": "Builds per peer figure",
}
#: column headings of figures recorded per size
_BENCH_SIZES = {"today": "today's size", "1000adr": "with 1,000 ADRs"}


_BENCH_RANK = {key: rank for rank, key in enumerate(_BENCH_LABELS)}
_SIZED = re.compile(r"(\d+x|today|1000adr)_(.+)")  # 1x_full_build_s: a figure per corpus size


def _bench_order(key: str) -> tuple[int, str]:
    """Figures in the order of _BENCH_LABELS (headline first), unknown ones after, by name."""
    return (_BENCH_RANK[key], "") if key in _BENCH_RANK else (len(_BENCH_RANK), key)


def bench_table(figures: Mapping[str, object]) -> str:
    """One section's figures as a table; figures recorded per corpus size (``1x_…``, ``2x_…``)
    get a column per size, so the two can be read side by side."""
    sized: dict[str, dict[str, object]] = {}
    whole: dict[str, object] = {}
    for key, value in figures.items():
        if match := _SIZED.fullmatch(key):
            sized.setdefault(match[2], {})[match[1]] = value
        else:
            whole[key] = value
    scales = sorted({scale for values in sized.values() for scale in values}, key=lambda s: (s != "today", s))
    out = []
    if sized:
        rows = [
            [text(_BENCH_LABELS.get(figure, figure)), *(text(sized[figure].get(scale, "")) for scale in scales)]
            for figure in sorted(sized, key=_bench_order)
        ]
        out.append(table(["Figure", *(_BENCH_SIZES.get(scale, scale) for scale in scales)], rows))
    if whole:
        rows = [[text(_BENCH_LABELS.get(key, key)), text(whole[key])] for key in sorted(whole, key=_bench_order)]
        out.append(table(["Figure", "Value"], rows))
    return "\n".join(out)


def bench_results(ctx: MacroContext) -> str:
    """The figures last recorded by ``scripts/bench.py --record`` (bench/results.json), as tables."""
    import json

    path = ctx.site.sources.paths.root / "bench" / "results.json"
    if not path.is_file():
        return "_No benchmark recorded yet: run `python scripts/bench.py --record`._\n"
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CellsDocsError(f"cannot read benchmark results: {exc}", file=str(path)) from exc
    return "\n".join(f"**{text(section)}**\n\n" + bench_table(figures) for section, figures in sorted(recorded.items()))


def api_link(ctx: MacroContext, name: str, kind: str | None = None, label: str | None = None) -> str:
    """A link to an API element by name; fails the build if no such element exists."""
    element = resolve(ctx.site.sources.api, name, kind)
    href = ctx.site.api_site.href(element.fqn, from_page=ctx.page)
    shown = code(label if label is not None else name)
    if href is None:  # an element of a library file (well-known types)
        return shown
    return f'[{shown}]({href} "{escape_attr(element.fqn)}")'


# --- cells and routing ------------------------------------------------------------------------


def _cell(ctx: MacroContext, name: str) -> Cell:
    topology = ctx.site.sources.topology
    cell = topology.by_name(str(name))
    if cell is None and str(name).isdigit():
        cell = topology.by_id(int(name))
    if cell is None:
        names = ", ".join(c.name for c in topology.cells)
        raise DanglingReference(f"no cell named {name!r} in {topology.source}", hint=f"use one of: {names}")
    return cell


def _rel(ctx: MacroContext, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(ctx.page) or ".")


def cell_link(ctx: MacroContext, name: str) -> str:
    """A link to a cell's page; fails the build if the cell does not exist."""
    cell = _cell(ctx, name)
    return f"[{code(cell.name)}]({_rel(ctx, cell_page(cell))})"


def cell_address(ctx: MacroContext, name: str) -> str:
    """A cell's address as inline code."""
    return code(_cell(ctx, name).address)


def cell_fact(ctx: MacroContext, name: str, key: str) -> str:
    """One fact of a cell (id, address, session_prefix, region, status, sequence_range...), as text."""
    cell = _cell(ctx, name)
    facts = {
        "id": str(cell.id),
        "name": cell.name,
        "address": cell.address,
        "session_prefix": cell.session_prefix,
        "region": cell.region or "",
        "status": cell.status or "",
        "ring": "" if cell.ring is None else str(cell.ring),
        "sequence_range": f"{cell.sequence_min:,} – {cell.sequence_max:,}",
        "sequence_size": readable_count(cell.sequence_size),
    }
    if key not in facts:
        raise CellsDocsError(f"unknown cell fact {key!r}", hint=f"use one of: {', '.join(facts)}")
    return text(facts[key])


def cell_count(ctx: MacroContext, status: str | None = None) -> str:
    """How many cells there are (optionally only those with a status)."""
    cells = ctx.site.sources.topology.cells
    return str(sum(1 for c in cells if status is None or c.status == status))


def first_cell_link(ctx: MacroContext) -> str:
    """A link to the first (legacy) cell: the lowest id."""
    return cell_link(ctx, first_cell(ctx.site.sources.topology).name)


def region_list(ctx: MacroContext) -> str:
    """The regions, comma-separated."""
    return text(", ".join(ctx.site.sources.topology.regions))


def cells_overview(ctx: MacroContext) -> str:
    """The cell table: id, name, address, session prefix, sequence range, region, status."""
    topology = ctx.site.sources.topology
    return cells_table(topology.cells, from_page=ctx.page, legacy=first_cell(topology))


def _rule_set(ctx: MacroContext, name: str | None) -> RuleSet:
    sources = ctx.site.sources
    wanted = name or sources.active_rule_set
    rule_set = sources.rule_set(wanted)
    if rule_set is None:
        raise DanglingReference(
            f"no rule set named {wanted!r}", hint=f"use one of: {', '.join(r.name for r in sources.rule_sets)}"
        )
    return rule_set


def active_rule_set(ctx: MacroContext) -> str:
    """A link to the active rule set."""
    return rule_set_link(ctx, None)


def rule_set_link(ctx: MacroContext, name: str | None = None) -> str:
    """A link to a rule set's page; fails the build if it does not exist."""
    rule_set = _rule_set(ctx, name)
    return f"[{code(rule_set.name)}]({_rel(ctx, rule_set_page(rule_set))})"


def rule_link(ctx: MacroContext, rule_set: str, rule: str | int) -> str:
    """A link to one rule (by 1-based number or id); fails the build if it does not exist."""
    found_set = _rule_set(ctx, rule_set)
    found = found_set.rule(rule if isinstance(rule, int) else str(rule))
    if found is None:
        ids = ", ".join(r.id or str(r.number) for r in found_set.rules)
        raise DanglingReference(f"rule set {found_set.name!r} has no rule {rule!r}", hint=f"use one of: {ids}")
    label = f"{found_set.name} rule {found.number}" + (f" ({found.id})" if found.id else "")
    return f"[{text(label)}]({_rel(ctx, rule_set_page(found_set))}#{rule_anchor(found_set, found)})"


def rules_table(ctx: MacroContext, name: str | None = None) -> str:
    """The rules of a rule set (default: the active one) in evaluation order."""
    return render_rules_table(_rule_set(ctx, name), anchors=False)


def diagram(ctx: MacroContext, name: str, caption: str | None = None) -> str:
    """A generated architecture diagram (see :mod:`cellsdocs.drawing.place`), with caption and alt text."""
    from cellsdocs.drawing.place import diagram_markdown

    return diagram_markdown(ctx.site, name, from_page=ctx.page, caption=caption)


def explain_request(
    ctx: MacroContext,
    path: str = "/",
    *,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    rule_set: str | None = None,
    method: str = "GET",
) -> str:
    """A route-explainer answer computed at build time, so examples in guides stay true."""
    from cellsdocs.analysis.explain import Request, explain

    found = _rule_set(ctx, rule_set)
    request = Request(
        method=method.upper(), path=path, headers=tuple((headers or {}).items()), cookies=tuple((cookies or {}).items())
    )
    result = explain(found, ctx.site.sources.topology, request)
    lines = [f"{code(request.method + ' ' + request.path)}"]
    lines.extend(f"Header {code(k + ': ' + v)}" for k, v in request.headers)
    lines.extend(f"Cookie {code(k + '=' + v)}" for k, v in request.cookies)
    rows = [["Request", "<br>".join(lines)], ["Rule set", rule_set_link(ctx, found.name)]]
    if result.rule is None:
        rows.append(["Outcome", text(result.reason)])
    else:
        rows.append(["Matching rule", rule_link(ctx, found.name, result.rule.number)])
        captured = ", ".join(f"{code(k)} = {code(v)}" for k, v in sorted(result.captures.items())) or "nothing"
        rows.append(["Captured", captured])
        if result.action == "classify":
            value = f" {code(result.classify_value)}" if result.classify_value is not None else ""
            rows.append(["Classification", f"{code(result.classify_type or '')}{value}"])
        else:
            rows.append(["Action", "proxy"])
        if result.cell:
            target = f"{cell_link(ctx, result.cell.name)} at {code(result.cell.address)}"
        elif result.outcome == "reject":
            target = "none: the request is refused (`REJECT`)"
        else:
            target = "decided by the Topology Service at run time"
        rows.append(["Target cell", target])
        rows.append(["Why", text(result.reason)])
    if result.why_not:
        missed = [f"{rule_link(ctx, found.name, number)}: {text(why)}" for number, why in result.why_not]
        rows.append(["Did not match", "<br>".join(missed)])
    body = "\n".join(f"    | {label} | {value} |" for label, value in rows)
    return (
        '!!! example "Route explainer (computed at build time from the rule sets and cells)"\n\n'
        "    | Step | Result |\n    |---|---|\n" + body + "\n"
    )


def cell_plan(ctx: MacroContext, part: str = "all", name: str | None = None) -> str:
    """The plan for the next cell (or one named *name*): facts, TOML, affected rules, checks
    (see :mod:`cellsdocs.analysis.cellplan`); the same plan ``cells-docs cell plan`` prints."""
    from cellsdocs.analysis.cellplan import plan_cell
    from cellsdocs.render.cellplan import plan_markdown

    sources = ctx.site.sources
    plan = plan_cell(sources.topology, sources.rule_sets, name, active_rule_set=sources.active_rule_set)
    return plan_markdown(plan, part, rule_set_link=lambda rule_set: rule_set_link(ctx, rule_set))
