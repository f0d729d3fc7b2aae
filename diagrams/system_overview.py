"""System overview: the HTTP router, the Topology Service with its store, and every cell by region.

Drawn from the topology (``config.toml``), the active rule set and the protos. Up to
``MAX_DRAWN_CELLS`` cells, each region is a table with one row per cell (linking to its page)
and the stack every cell runs is drawn once beside them, so that the picture fits one screen;
above that, the fleet is one table with a row per region and its cell count.
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
from cellsdocs.render.topology import CELLS, ROUTING, cell_page
from cellsdocs.sources.topology import Cell as TopologyCell
from diagrams import Edge, Node

#: above this many cells, the fleet is drawn as one table of regions (below, one table per region)
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
        if detailed:
            # one table per region, one row per cell: the whole fleet fits one screen; what runs
            # inside a cell is drawn once, beside them
            with cluster(
                "Inside every cell",
                "an independent full stack",
                nodeid="cell-stack",
                href=page_link(site, f"{CELLS}/index.md"),
                tip="What every cell runs: the cell inventory",
                graph_attr={"bgcolor": "#E5F5FD"},
            ):
                stack = [
                    kind(
                        label(name),
                        nodeid=ident("stack", name.lower()),
                        **SMALL,
                        **linked(None, f"{name}, in every cell"),
                    )
                    for kind, name in COMPONENTS
                ]
                for left, right in pairwise(stack[:2]):
                    left >> Edge(style="invis") >> right
                for other in stack[2:]:
                    stack[0] >> Edge(style="invis") >> other
            for region, cells in regions.items():
                rows = [
                    [
                        Cell(
                            text=cell.name,
                            bold=True,
                            href=page_link(site, cell_page(cell)),
                            tip=cell.description or cell.address,
                        ),
                        Cell(text=cell.status or "status not set", muted=True),
                    ]
                    for cell in cells
                ]
                box = Node(
                    table(
                        (f"Region {region}", f"{len(cells)} cell{'s' if len(cells) != 1 else ''}"),
                        rows,
                        tip=f"Region {region}",
                        icon=Datacenter,
                    ),
                    nodeid=ident("region", region),
                    **TABLE_NODE,
                    **linked(None, f"Region {region}: {_statuses(cells)}"),
                )
                router >> Edge(**linked(None, f"proxy to the cells of {region}")) >> box
                box >> Edge(style="dashed", arrowhead="none", **linked(None, "every cell runs this stack")) >> stack[0]
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
