"""The system overview and one diagram per cell, drawn from config.toml."""

from __future__ import annotations

from typing import Any

#: beyond this many cells the overview shows one box per region instead of every cell
SUMMARY_THRESHOLD = 24


def _cell_stack(kit: Any, cell: Any, *, prefix: str) -> Any:
    """A cell's main components inside a cluster; returns the entry node (Rails)."""
    label = kit.safe_label(f"{cell.name} ({cell.status or 'status not set'})")
    with kit.Cluster(label, graph_attr={"URL": kit.page_url(f"reference/cells/{cell.name}.md"),
                                        "tooltip": kit.safe_label(f"{cell.name}: {cell.address}"), "target": "_top"}):
        rails = kit.Rails("Rails", nodeid=f"{prefix}-{cell.id}-rails",
                          URL=kit.page_url(f"reference/cells/{cell.name}.md"), target="_top")
        gitaly = kit.Git("Gitaly", nodeid=f"{prefix}-{cell.id}-gitaly")
        database = kit.Postgresql("PostgreSQL", nodeid=f"{prefix}-{cell.id}-pg")
        redis = kit.Redis("Redis", nodeid=f"{prefix}-{cell.id}-redis")
        rails >> [database, redis, gitaly]
    return rails


def define(site: Any, kit: Any) -> list[Any]:
    sources = site.sources
    topology = sources.topology
    cells = topology.cells
    regions = topology.regions
    first = min(cells, key=lambda c: c.id)
    config = topology.source

    def overview() -> Any:
        with kit.ModelDiagram("system-overview", direction="LR") as diagram:
            users = kit.Users("Users and API clients", nodeid="users")
            router = kit.Nginx("HTTP router", nodeid="router", URL=kit.page_url("reference/routing/index.md"),
                               target="_top", tooltip=f"Active rule set: {sources.active_rule_set}")
            with kit.Cluster("Topology Service", graph_attr={"URL": kit.page_url("reference/api/index.md"),
                                                            "target": "_top"}):
                service = kit.Router("Topology Service", nodeid="topology",
                                     URL=kit.page_url("reference/api/index.md"), target="_top")
                storage = kit.Storage("Claims and sequences store", nodeid="topology-store")
                service >> storage
            users >> router
            router >> kit.Edge(label="Classify", style="dashed") >> service
            for region in regions:
                members = [c for c in cells if (c.region or "unassigned") == region]
                with kit.Cluster(kit.safe_label(f"Region {region}")):
                    if len(cells) > SUMMARY_THRESHOLD:
                        summary = kit.Rails(kit.safe_label(f"{len(members)} cells"), nodeid=f"region-{region}-cells",
                                            URL=kit.page_url("reference/cells/index.md"), target="_top")
                        router >> summary
                        continue
                    for cell in members:
                        entry = _cell_stack(kit, cell, prefix="cell")
                        router >> kit.Edge(label="first cell" if cell == first else "") >> entry
        return diagram

    specs = [
        kit.Spec(
            name="system-overview",
            title="System overview",
            alt=(f"Users reach the HTTP router, which asks the Topology Service (Classify) where to send each "
                 f"request and proxies it to one of {len(cells)} cells in {len(regions)} regions "
                 f"({', '.join(regions)}). Each cell runs Rails, Gitaly, PostgreSQL and Redis."),
            sources=(config, sources.paths.proto_root.name),
            draw=overview,
        )
    ]

    for cell in cells:

        def one(cell: Any = cell) -> Any:
            with kit.ModelDiagram(f"cell-{cell.name}", direction="LR") as diagram:
                router = kit.Nginx("HTTP router", nodeid="router", URL=kit.page_url("reference/routing/index.md"),
                                   target="_top")
                service = kit.Router("Topology Service", nodeid="topology", URL=kit.page_url("reference/api/index.md"),
                                     target="_top")
                entry = _cell_stack(kit, cell, prefix="cell")
                router >> kit.Edge(label=kit.safe_label(f"session prefix {cell.session_prefix}")) >> entry
                entry >> kit.Edge(label="claims, ID range", style="dashed") >> service
            return diagram

        specs.append(kit.Spec(
            name=f"cell-{cell.name}",
            title=f"Cell {cell.name}",
            alt=(f"Cell {cell.name} in region {cell.region or 'unassigned'}: the router sends it requests whose "
                 f"session starts {cell.session_prefix}; its Rails talks to PostgreSQL, Redis and Gitaly, and to "
                 "the Topology Service for claims and its ID range."),
            sources=(config,),
            draw=one,
        ))
    return specs
