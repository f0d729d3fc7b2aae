"""One diagram per cell (``cell-<name>``): the cell's components and its links to the HTTP router and
the Topology Service.

Drawn from the topology (``config.toml``) and the protos: the RPCs the cell's Rails may call are
the ones whose access rule (the ``access`` method option) admits the Rails caller.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from diagrams.gcp.database import Spanner
from diagrams.onprem.database import Postgresql
from diagrams.onprem.inmemory import Redis
from diagrams.onprem.vcs import Git
from diagrams.programming.framework import Rails
from diagrams.programming.language import Go
from diagrams.saas.cdn import Cloudflare

from cellsdocs.drawing.api import (
    TABLE_NODE,
    Cell,
    DiagramSpec,
    Drawing,
    api_link,
    cluster,
    find_rpc,
    ident,
    label,
    linked,
    page_link,
    table,
)
from cellsdocs.render.topology import ROUTING, cell_page, readable_count
from diagrams import Edge, Node

NODE = {"width": "0.9", "height": "1.1", "fontsize": "10"}
TALL = {**NODE, "height": "1.3"}  # room for a second line

if TYPE_CHECKING:
    from cellsdocs.site import SiteModel


def variants(site: SiteModel) -> list[str]:
    return [cell.name for cell in site.sources.topology.cells]


@functools.lru_cache(maxsize=1)  # the same for every cell of a build
def _rails_rpcs(site: SiteModel) -> list[Any]:
    """RPCs whose access rule admits the Rails caller (an option value with ``allowed_callers``)."""
    found = []
    for service in site.sources.api.services():
        for method in service.methods:
            for option in method.options:
                callers = option.value.get("allowed_callers", []) if isinstance(option.value, dict) else []
                if any(str(caller).endswith("RAILS") for caller in callers):
                    found.append((service, method))
                    break
    return found


def build(site: SiteModel, variant: str) -> DiagramSpec:
    sources = site.sources
    cell = sources.topology.by_name(variant)
    if cell is None:  # variants() lists the inventory's cells: a stale cache entry names another
        raise ValueError(f"no cell named {variant!r} in the inventory")
    page = page_link(site, cell_page(cell))
    classify = find_rpc(site, "Classify")
    rpcs = _rails_rpcs(site)
    facts = " · ".join(part for part in (f"ID {cell.id}", cell.region, cell.status) if part)
    with Drawing(f"Cell {cell.name}", direction="LR", graph_attr={"ranksep": "0.9", "nodesep": "0.3"}) as drawing:
        router = Cloudflare(
            label("HTTP router", f"rule set: {sources.active_rule_set}", small_rest=True),
            nodeid="router",
            **{**TALL, "width": "1.4", "height": "1.2"},
            **linked(page_link(site, f"{ROUTING}/index.md"), "HTTP router: rule sets and the active one"),
        )
        with cluster(
            "Topology Service",
            nodeid="topology-service",
            href=page_link(site, "reference/api/index.md"),
            tip="Topology Service: API reference",
        ):
            service = Go(
                label("API"),
                nodeid="topology-service/api",
                **NODE,
                **linked(page_link(site, "reference/api/index.md"), "Topology Service API reference"),
            )
            store = Spanner(label("Store"), nodeid="topology-service/store", **NODE, **linked(None, "Topology store"))
            service >> store
            calls_node = None
            names = [method.name for _, method in rpcs]
            if rpcs:
                per_service: dict[str, list[Any]] = {}
                for svc, _ in rpcs:
                    per_service.setdefault(svc.name, [svc, 0])[1] += 1
                # a small table beside the API, not a label on the edge: a label there sat on the
                # edges to the cell's stores
                calls_node = Node(
                    table(
                        (f"{len(rpcs)} RPCs Rails may call",),
                        [
                            [Cell(text=f"{name} ({count})", href=api_link(site, svc.fqn), tip=svc.fqn)]
                            for name, (svc, count) in per_service.items()
                        ],
                    ),
                    nodeid="topology-service/rails-rpcs",
                    **TABLE_NODE,
                    **linked(None, "RPCs Rails may call: " + ", ".join(names)),
                )
        with cluster(
            cell.name,
            facts,
            cell.address,
            nodeid=ident("cell", cell.id),
            href=page,
            tip=f"{cell.name}: {cell.description or cell.address}",
            graph_attr={"bgcolor": "#E5F5FD"},
        ):
            rails = Rails(label("Rails"), nodeid=ident("cell", cell.id, "rails"), **NODE, **linked(page, "Rails"))
            stores = [
                Postgresql(
                    label("PostgreSQL", f"IDs {readable_count(cell.sequence_min)}–{readable_count(cell.sequence_max)}"),
                    nodeid=ident("cell", cell.id, "postgresql"),
                    **TALL,
                    **linked(page, f"PostgreSQL: sequence range {cell.sequence_min:,} to {cell.sequence_max:,}"),
                ),
                Redis(label("Redis"), nodeid=ident("cell", cell.id, "redis"), **NODE, **linked(page, "Redis")),
                Git(label("Gitaly"), nodeid=ident("cell", cell.id, "gitaly"), **NODE, **linked(page, "Gitaly")),
            ]
            rails >> stores
        (
            router
            >> Edge(
                label=label("proxy", f"session prefix {cell.session_prefix}", f"cell ID {cell.id}"),
                **linked(page, f"Requests classified to {cell.name}"),
            )
            >> rails
        )
        (
            router
            >> Edge(
                label=label(classify.name if classify else "classify"),
                **linked(api_link(site, classify.fqn) if classify else None, classify.fqn if classify else "classify"),
            )
            >> service
        )
        if calls_node is not None:
            (
                rails
                >> Edge(**linked(api_link(site, rpcs[0][1].fqn), "RPCs Rails may call: " + ", ".join(names)))
                >> calls_node
            )
            calls_node >> Edge(style="dashed", arrowhead="none") >> service
    calls = (
        f"Rails may call {len(rpcs)} Topology Service RPCs ({', '.join(m.name for _, m in rpcs)})"
        if rpcs
        else "no RPC of the Topology Service admits Rails as a caller"
    )
    where = f" in region {cell.region}" if cell.region else ""
    alt = (
        f"Cell {cell.name} (ID {cell.id}{where}, status {cell.status or 'not set'}, address {cell.address}): "
        f"the HTTP router proxies requests with session prefix {cell.session_prefix} or cell ID {cell.id} to the "
        f"cell's Rails, which uses PostgreSQL (IDs {cell.sequence_min:,} to {cell.sequence_max:,}), Redis and "
        f"Gitaly; the router asks the Topology Service to classify requests; {calls}."
    )
    return DiagramSpec(drawing=drawing, alt=alt, sources=(sources.paths.topology_config, sources.paths.proto_root))
