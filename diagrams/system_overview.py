"""System overview: the HTTP router, the Topology Service with its store, and every cell by region.

Drawn from the topology (``config.toml``), the active rule set and the protos. Up to
``MAX_DRAWN_CELLS`` cells each cell shows its components; above that, each region is one box
with its cell count, so that a large fleet stays readable.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import TYPE_CHECKING

from diagrams.gcp.database import Spanner
from diagrams.generic.place import Datacenter
from diagrams.onprem.client import Users
from diagrams.onprem.database import Postgresql
from diagrams.onprem.inmemory import Redis
from diagrams.onprem.vcs import Git
from diagrams.programming.framework import Rails
from diagrams.programming.language import Go
from diagrams.saas.cdn import Cloudflare

from cellsdocs.diagramming import (
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
from cellsdocs.topology import Cell as TopologyCell
from cellsdocs.topology_render import CELLS, ROUTING, cell_page
from diagrams import Edge, Node

#: above this many cells, each region is drawn as one box
MAX_DRAWN_CELLS = 24
#: what every cell runs (ADR 0008: each cell is an independent full stack)
COMPONENTS = ((Rails, "Rails"), (Git, "Gitaly"), (Postgresql, "PostgreSQL"), (Redis, "Redis"))
BIG = {"width": "1.0", "height": "1.3", "fontsize": "11"}
WIDE = {"width": "1.4", "height": "1.2", "fontsize": "11"}  # wide icon, two-line label
SMALL = {"width": "0.8", "height": "0.95", "fontsize": "9"}

if TYPE_CHECKING:
    from cellsdocs.site import SiteModel


def _regions(cells: tuple[TopologyCell, ...]) -> dict[str, list[TopologyCell]]:
    regions: dict[str, list[TopologyCell]] = {}
    for cell in cells:
        regions.setdefault(cell.region or "unassigned", []).append(cell)
    return regions


def _statuses(cells: list[TopologyCell]) -> str:
    counts = Counter(cell.status or "status not set" for cell in cells)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def build(site: SiteModel) -> DiagramSpec:
    sources = site.sources
    topology = sources.topology
    regions = _regions(topology.cells)
    detailed = len(topology.cells) <= MAX_DRAWN_CELLS
    classify = find_rpc(site, "Classify")
    with Drawing("System overview", direction="LR", graph_attr={"ranksep": "0.6"}) as drawing:
        users = Users(label("Users"), nodeid="users", **BIG, **linked(None, "Users and API clients"))
        router = Cloudflare(
            label("HTTP router", f"rule set: {sources.active_rule_set}", small_rest=True),
            nodeid="router",
            **WIDE,
            **linked(page_link(site, f"{ROUTING}/index.md"), "HTTP router: rule sets and the active one"),
        )
        users >> Edge(label=label("HTTPS")) >> router
        with cluster(
            "Topology Service",
            nodeid="topology-service",
            href=page_link(site, "reference/api/index.md"),
            tip="Topology Service: API reference",
        ):
            service = Go(
                label("API"),
                nodeid="topology-service/api",
                **SMALL,
                **linked(page_link(site, "reference/api/index.md"), "Topology Service API reference"),
            )
            store = Spanner(label("Store"), nodeid="topology-service/store", **SMALL, **linked(None, "Topology store"))
            service >> store
        (
            router
            >> Edge(
                label=label(classify.name if classify else "classify"),
                **linked(api_link(site, classify.fqn) if classify else None, classify.fqn if classify else "classify"),
            )
            >> service
        )
        if not detailed:
            rows = [
                [
                    Cell(text=f"Region {region}", bold=True, href=page_link(site, f"{CELLS}/index.md"), tip=region),
                    Cell(text=f"{len(cells)} cells"),
                    Cell(text=_statuses(cells), muted=True),
                    Cell(text=f"{cells[0].name} … {cells[-1].name}" if len(cells) > 1 else cells[0].name, muted=True),
                ]
                for region, cells in regions.items()
            ]
            fleet = Node(
                table(
                    ("Cells", f"{len(topology.cells)} in {len(regions)} regions: too many to draw, see the cell table"),
                    rows,
                    href=page_link(site, f"{CELLS}/index.md"),
                    tip="The cell table",
                    icon=Datacenter,
                ),
                nodeid="cells",
                **TABLE_NODE,
                **linked(None, "The cells by region"),
            )
            router >> Edge(label=label("proxy")) >> fleet
        for region, cells in regions.items() if detailed else ():
            with cluster(
                f"Region {region}",
                f"{len(cells)} cell{'s' if len(cells) != 1 else ''}: {_statuses(cells)}",
                nodeid=ident("region", region),
                graph_attr={"bgcolor": "#F4F6F8", "pencolor": "#AEB6BE"},
            ):
                for cell in cells:
                    page = page_link(site, cell_page(cell))
                    with cluster(
                        cell.name,
                        cell.status or "",
                        nodeid=ident("cell", cell.id),
                        href=page,
                        tip=f"{cell.name}: {cell.description or cell.address}",
                        graph_attr={"bgcolor": "#E5F5FD"},
                    ):
                        parts = [
                            kind(
                                label(name),
                                nodeid=ident("cell", cell.id, name.lower()),
                                **SMALL,
                                **linked(page, f"{name} of {cell.name}"),
                            )
                            for kind, name in COMPONENTS
                        ]
                        for left, right in pairwise(parts):
                            left >> Edge(style="invis") >> right
                    router >> parts[0]
    by_region = "; ".join(
        f"{region}: {', '.join(c.name for c in cells)}" if detailed else f"{region}: {len(cells)} cells"
        for region, cells in regions.items()
    )
    shape = (
        "each cell runs Rails, Gitaly, PostgreSQL and Redis"
        if detailed
        else f"each region is shown as one box because there are more than {MAX_DRAWN_CELLS} cells"
    )
    alt = (
        f"System overview: users reach the HTTP router (active rule set {sources.active_rule_set}), which asks "
        f"the Topology Service, backed by its store, to classify requests"
        f"{f' with {classify.fqn}' if classify else ''} and proxies each request to one of "
        f"{len(topology.cells)} cells in {len(regions)} {'region' if len(regions) == 1 else 'regions'} "
        f"({by_region}); {shape}."
    )
    return DiagramSpec(
        drawing=drawing,
        alt=alt,
        sources=(sources.paths.topology_config, sources.paths.router_rules, sources.paths.proto_root),
    )
