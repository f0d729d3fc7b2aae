"""Pages for the cell inventory (Markdown keyed by site path), and every topology page together.

- ``reference/cells/index.md``: every cell; ``reference/cells/<name>.md``: one page per cell
- :func:`render_topology_pages`: these and the routing pages of :mod:`cellsdocs.render.routing`
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable

from cellsdocs.analysis.explain import first_cell
from cellsdocs.markdown import code, table, text
from cellsdocs.render.page import GeneratedPage
from cellsdocs.render.routing import (
    ROUTING,
    defined_in,
    render_explainer_page,
    render_routing_index,
    render_rule_set_page,
    rule_anchor,
    rule_set_page,
)
from cellsdocs.sources.alerts import Alert
from cellsdocs.sources.load import Sources
from cellsdocs.sources.topology import Cell

__all__ = ["CELLS", "ROUTING", "cell_page", "readable_count", "render_topology_pages", "rule_anchor", "rule_set_page"]

CELLS = "reference/cells"
#: (key such as ``cell:cell-2`` or ``rule-set:passthrough``, from_page) -> "Decisions: ..." Markdown
Backlinks = Callable[[str, str], str]
GENERATOR = "cellsdocs.render.topology"


def readable_count(n: int) -> str:
    """``1000000000000`` -> ``1.0 T`` (short scale), for range sizes."""
    units = ((10**3, "k"), (10**6, "M"), (10**9, "G"), (10**12, "T"), (10**15, "P"), (10**18, "E"))
    for index in range(len(units) - 1, -1, -1):
        threshold, suffix = units[index]
        if n >= threshold:
            if round(n / threshold, 1) >= 1000 and index + 1 < len(units):  # 999,999,999,999 is 1.0 T
                threshold, suffix = units[index + 1]
            return f"{n / threshold:.1f} {suffix}"
    return str(n)


def cell_page(cell: Cell) -> str:
    return f"{CELLS}/{cell.name if cell.name != 'index' else 'index-cell'}.md"


def _header(title: str, source: str, *, search_boost: int | None = None) -> str:
    return GeneratedPage(
        generator=GENERATOR,
        source=code(source),
        title=title,
        heading=text(title),
        hide_toc=True,
        search_boost=search_boost,
    ).header()


def _range(cell: Cell) -> str:
    return f"{cell.sequence_min:,} – {cell.sequence_max:,}"


def cells_table(cells: Iterable[Cell], *, from_page: str, legacy: Cell | None) -> str:
    rows = []
    for cell in cells:
        link = posixpath.relpath(cell_page(cell), posixpath.dirname(from_page))
        name = f"[{code(cell.name)}]({link})" + (" (first cell)" if legacy is not None and cell == legacy else "")
        rows.append(
            [
                text(cell.id),
                name,
                code(cell.address),
                code(cell.session_prefix),
                f"{text(_range(cell))}<br>{text(readable_count(cell.sequence_size))} IDs",
                text(cell.region or ""),
                text(cell.status or ""),
            ]
        )
    return table(["ID", "Cell", "Address", "Session prefix", "Sequence range", "Region", "Status"], rows)


def render_cells_index(sources: Sources) -> str:
    topology = sources.topology
    page = f"{CELLS}/index.md"
    legacy = first_cell(topology)
    out = [
        _header("Cells", topology.source, search_boost=2),
    ]
    regions = topology.regions
    out.append(
        f"{len(topology.cells)} cells in {len(regions)} region{'s' if len(regions) != 1 else ''}. "
        f"The first cell, {code(legacy.name)} (lowest id), serves every request that the rules send to the "
        "`FIRST_CELL` and everything the router proxies without classifying. Sequence ranges never overlap: "
        "an ID allocated in one cell is unique across the cluster.\n\n"
    )
    out.append(cells_table(topology.cells, from_page=page, legacy=legacy))
    return "".join(out)


_WORD = re.compile(r"[\w.-]+")


def alerts_by_cell(cells: Iterable[Cell], alerts: Iterable[Alert]) -> dict[str, list[Alert]]:
    """For each cell name, in rule order: alerts about every cell (service ``cell``) and alerts
    that name this cell, as a whole word of their expression or as their ``cell`` label."""
    found: dict[str, list[Alert]] = {cell.name: [] for cell in cells}
    for alert in alerts:
        targets: Iterable[str]
        if alert.service == "cell":
            targets = found.keys()
        else:
            words = set(_WORD.findall(alert.expr))
            if label := alert.label("cell"):
                words.add(label)
            targets = words & found.keys()
        for name in targets:
            found[name].append(alert)
    return found


def render_cell_page(sources: Sources, cell: Cell, alerts: list[Alert], backlinks: Backlinks | None = None) -> str:
    """A cell's page; *alerts* are the cell's, from :func:`alerts_by_cell`."""
    topology = sources.topology
    page = cell_page(cell)
    legacy = first_cell(topology)
    out = [_header(cell.name, topology.source)]
    if cell.description:
        out.append(f"{text(cell.description)}\n\n")
    facts = [
        ["ID", text(cell.id)],
        ["Address", code(cell.address)],
        ["Session prefix", code(cell.session_prefix)],
        ["Sequence range", f"{text(_range(cell))} ({text(readable_count(cell.sequence_size))} IDs)"],
        ["Region", text(cell.region or "not set")],
        ["Status", text(cell.status or "not set")],
        ["Ring", text(cell.ring if cell.ring is not None else "not set")],
        ["Owners", text(", ".join(cell.owners) or "not set")],
        [
            "Defined in",
            defined_in(sources.paths.link("topology", topology.source, cell.line), topology.source, cell.line),
        ],
        ["Role", "first cell: default upstream and FIRST_CELL target" if cell == legacy else "cell"],
    ]
    out.append(table(["Fact", "Value"], facts) + "\n")
    if backlinks is not None:
        out.append(backlinks(f"cell:{cell.name}", page))
    peers = [c for c in topology.cells if c.region == cell.region and c != cell]
    out.append("## Place in the topology\n\n")
    if peers:
        links = ", ".join(f"[{code(c.name)}]({posixpath.basename(cell_page(c))})" for c in peers)
        out.append(f"Other cells in {text(cell.region or 'the same region')}: {links}.\n\n")
    else:
        out.append(f"The only cell in {text(cell.region or 'its region')}.\n\n")
    out.append(
        f"A request reaches this cell when a rule classifies it with `SESSION_PREFIX` and a session cookie "
        f"starting {code(cell.session_prefix)}, or with `CELL_ID` {text(cell.id)}"
        + (", or when it is proxied or classified as `FIRST_CELL`" if cell == legacy else "")
        + ".\n\n"
    )
    out.append("## Alerts and runbooks\n\n")
    if alerts:
        rows = []
        for alert in alerts:
            runbook = alert.runbook
            target = sources.runbooks.by_url(runbook.split("#", 1)[0]) if runbook else None
            if target is not None:
                rel = posixpath.relpath(f"runbooks/{target.service}/{target.name}.md", posixpath.dirname(page))
                anchor = "#" + runbook.split("#", 1)[1] if runbook and "#" in runbook else ""
                book = f"[{text(target.title)}]({rel}{anchor})"
            else:
                book = text(runbook or "none")
            rows.append([code(alert.name), text(alert.severity or ""), book])
        out.append(table(["Alert", "Severity", "Runbook"], rows))
    else:
        out.append("No alert rule concerns this cell.\n")
    return "".join(out)


def render_topology_pages(sources: Sources, active: str, backlinks: Backlinks | None = None) -> dict[str, str]:
    pages = {f"{CELLS}/index.md": render_cells_index(sources)}
    per_cell = alerts_by_cell(sources.topology.cells, sources.alerts.alerts)
    for cell in sources.topology.cells:
        pages[cell_page(cell)] = render_cell_page(sources, cell, per_cell[cell.name], backlinks)
    pages[f"{ROUTING}/index.md"] = render_routing_index(sources, active)
    pages[f"{ROUTING}/explain.md"] = render_explainer_page(sources, active)
    for rule_set in sources.rule_sets:
        pages[rule_set_page(rule_set)] = render_rule_set_page(
            rule_set, active, backlinks, lambda file, line: sources.paths.link("rules", file, line)
        )
    return pages
