"""The path of a request: through the HTTP router's active rule set (first match wins), to
classification by the Topology Service, to the cell the router proxies it to.

Drawn from the active rule set (``rules/<name>.json``), the protos (the ``Classify`` RPC) and the
topology (``config.toml``). Up to ``MAX_DRAWN_RULES`` rules are listed one per row (each row links
to the rule); longer rule sets end with a row counting the rest. Up to ``MAX_DRAWN_CELLS`` cells are
drawn one by one, more as one box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagrams.gcp.database import Spanner
from diagrams.onprem.client import Users
from diagrams.programming.framework import Rails
from diagrams.programming.language import Go
from diagrams.saas.cdn import Cloudflare

from cellsdocs.analysis.explain import first_cell
from cellsdocs.drawing.api import (
    TABLE_NODE,
    Cell,
    DiagramSpec,
    Drawing,
    api_link,
    cluster,
    find_rpc,
    label,
    linked,
    page_link,
    table,
)
from cellsdocs.render.topology import CELLS, cell_page, rule_anchor, rule_set_page
from diagrams import Edge, Node

MAX_DRAWN_RULES = 10
MAX_DRAWN_CELLS = 8
#: longest pattern shown in a row (the rule set's page shows them in full)
MAX_PATTERN = 30
ICON = {"width": "0.9", "height": "1.1", "fontsize": "10"}

if TYPE_CHECKING:
    from cellsdocs.site import SiteModel


def _short(pattern: str) -> str:
    return pattern if len(pattern) <= MAX_PATTERN else pattern[: MAX_PATTERN - 1] + "…"


def _matches(rule: Any) -> str:
    match = rule.match
    if match is None:
        return "any request"
    name = match.regex_name.source if match.regex_name is not None else None
    value = match.regex_value.source if match.regex_value is not None else None
    if match.type == "path":
        return f"path {_short(value or '')}"
    return f"{match.type} {_short(name or '*')}" + (f" = {_short(value)}" if value else "")


def _does(rule: Any, default: str) -> str:
    if rule.classify is None:
        return f"proxy to {default}"
    value = f" {rule.classify.value}" if rule.classify.value else ""
    return f"classify {rule.classify.type}{value}"


def build(site: SiteModel) -> DiagramSpec:
    sources = site.sources
    rule_set = sources.rule_set(sources.active_rule_set)
    if rule_set is None:  # the loader guarantees the active rule set exists
        raise ValueError(f"no rule set named {sources.active_rule_set!r}")
    topology = sources.topology
    default = first_cell(topology).name
    classify = find_rpc(site, "Classify")
    rpc = classify.fqn if classify else "the Topology Service"
    rules_page = rule_set_page(rule_set)
    rules = rule_set.rules
    count = len(rules)
    shown = rules if count <= MAX_DRAWN_RULES else rules[: MAX_DRAWN_RULES - 1]
    rows = [
        [
            Cell(text=str(rule.number), muted=True),
            Cell(text=rule.id or f"rule {rule.number}", bold=True),
            Cell(text=_matches(rule), mono=rule.match is not None),
            Cell(text="→ " + _does(rule, default)),
        ]
        for rule in shown
    ]
    rows = [
        [
            Cell(
                text=cell.text,
                bold=cell.bold,
                mono=cell.mono,
                muted=cell.muted,
                href=page_link(site, rules_page, rule_anchor(rule_set, rule)),
                tip=f"{rule.label}: {rule.description or _matches(rule)}",
            )
            for cell in row
        ]
        for rule, row in zip(shown, rows, strict=True)
    ]
    if len(shown) < count:
        rows.append([Cell(text=f"… {count - len(shown)} more rules", colspan=4, href=page_link(site, rules_page))])
    classifies = any(rule.classify is not None for rule in rules)
    with Drawing(
        "Request flow", direction="TB", graph_attr={"ranksep": "0.5", "nodesep": "0.8", "newrank": "true"}
    ) as drawing:
        request = Users(label("Request"), nodeid="request", **ICON, **linked(None, "An HTTP request"))
        router = Node(
            table(
                ("HTTP router", f"rule set {rule_set.name}: {count} rule{'s' if count != 1 else ''}, first match wins"),
                rows,
                href=page_link(site, rules_page),
                tip=f"Rule set {rule_set.name}",
                icon=Cloudflare,
                header="#FFF1DD",
            ),
            nodeid="router",
            **TABLE_NODE,
            **linked(None, f"HTTP router, rule set {rule_set.name}"),
        )
        request >> Edge(label=label("1 · request")) >> router
        if classifies:
            with cluster(
                "Topology Service",
                rpc,
                nodeid="topology-service",
                href=api_link(site, classify.fqn) if classify else None,
                tip=rpc,
                graph_attr={"bgcolor": "#E5F5FD", "rank": "same"},
            ):
                service = Go(
                    label(classify.name if classify else "classify"),
                    nodeid="topology-service/classify",
                    **ICON,
                    **linked(api_link(site, classify.fqn) if classify else None, rpc),
                )
                store = Spanner(label("Store"), nodeid="topology-service/store", **ICON, **linked(None, "Store"))
                service >> store
            router >> Edge(label=label("2 · Classify(type, value)")) >> service
            service >> Edge(label=label("3 · PROXY + cell address"), style="dashed") >> router
        cells = topology.cells if len(topology.cells) <= MAX_DRAWN_CELLS else topology.cells[: MAX_DRAWN_CELLS - 1]
        cell_rows = [
            [
                Cell(
                    text=cell.name, bold=True, href=page_link(site, cell_page(cell)), tip=f"{cell.name}: {cell.address}"
                ),
                Cell(text=cell.region or "", muted=True),
                Cell(text=cell.status or "", muted=True),
            ]
            for cell in cells
        ]
        if len(cells) < len(topology.cells):
            hidden = len(topology.cells) - len(cells)
            cell_rows.append(
                [
                    Cell(
                        text=f"… {hidden} more cells",
                        colspan=3,
                        href=page_link(site, f"{CELLS}/index.md"),
                        tip="The cell table",
                    )
                ]
            )
        regions = len(topology.regions)
        target = Node(
            table(
                ("Cells", f"{len(topology.cells)} in {regions} region{'s' if regions != 1 else ''}"),
                cell_rows,
                href=page_link(site, f"{CELLS}/index.md"),
                tip="The cell table",
                icon=Rails,
            ),
            nodeid="cells",
            **TABLE_NODE,
            **linked(None, "The cells"),
        )
        router >> Edge(label=label("4 · proxy to the cell")) >> target
    listed = "; ".join(f"rule {r.number} ({r.id or 'no id'}): {_matches(r)} → {_does(r, default)}" for r in shown)
    more = f"; and {count - len(shown)} more rules" if len(shown) < count else ""
    steps = [
        f"the HTTP router evaluates the {count} rules of its active rule set {rule_set.name} in order ({listed}{more})"
    ]
    if classifies:
        steps.append(f"a classify rule asks the Topology Service ({rpc}), which answers PROXY with the cell's address")
    steps.append(f"the router proxies the request to that cell, one of {len(topology.cells)}")
    return DiagramSpec(
        drawing=drawing,
        alt="Request flow: " + "; then ".join(steps) + ".",
        sources=(sources.paths.router_rules, sources.paths.proto_root, sources.paths.topology_config),
    )
