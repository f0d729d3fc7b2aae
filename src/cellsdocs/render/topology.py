"""Pages for the cell inventory and the router's rule sets (Markdown keyed by site path).

- ``reference/cells/index.md``: every cell; ``reference/cells/<name>.md``: one page per cell
- ``reference/routing/index.md``: rule sets, the active one marked;
  ``reference/routing/<ruleset>.md``: the rules of one set in evaluation order
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable

from cellsdocs.analysis.explain import first_cell
from cellsdocs.escaping import url_path
from cellsdocs.markdown import code, escape_attr, table, text
from cellsdocs.sources.alerts import Alert
from cellsdocs.sources.load import Sources
from cellsdocs.sources.routing import RouteRule, RuleSet
from cellsdocs.sources.topology import Cell

__all__ = ["CELLS", "ROUTING", "cell_page", "readable_count", "render_topology_pages", "rule_anchor"]

CELLS = "reference/cells"
#: (key such as ``cell:cell-2`` or ``rule-set:passthrough``, from_page) -> "Decisions: ..." Markdown
Backlinks = Callable[[str, str], str]
ROUTING = "reference/routing"
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


def rule_set_page(rule_set: RuleSet) -> str:
    stem = rule_set.name if rule_set.name not in ("index", "explain") else f"{rule_set.name}-rules"
    return f"{ROUTING}/{stem}.md"


def rule_anchor(rule_set: RuleSet, rule: RouteRule) -> str:
    return f"{rule_set.name}-rule-{rule.number}"


def _front(title: str, source: str) -> str:
    return (
        f"---\nrender_macros: false\ntitle: {json.dumps(title)}\nhide:\n  - toc\n---\n\n"
        '<p class="cells-generated" data-search-exclude>'
        f"Generated at build time from {code(source)} by {code(GENERATOR)}. "
        "Edit the source, not this page.</p>\n\n"
    )


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
        _front("Cells", topology.source).replace(
            "render_macros: false\n", "render_macros: false\nsearch:\n  boost: 2\n", 1
        ),
        "# Cells\n\n",
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
    out = [_front(cell.name, topology.source), f"# {text(cell.name)}\n\n"]
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
            _defined_in(sources.paths.link("topology", topology.source, cell.line), topology.source, cell.line),
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


def _pattern(regex: object) -> str:
    source = getattr(regex, "source", None)
    return code(source) if source is not None else "–"


def _rule_match(rule: RouteRule) -> str:
    match = rule.match
    if match is None:
        return "any request"
    if match.type == "path":
        return f"path {_pattern(match.regex_value)}"
    return f"{text(match.type)} {_pattern(match.regex_name)}<br>value {_pattern(match.regex_value)}"


def _rule_action(rule: RouteRule) -> str:
    if rule.classify is None:
        return text(rule.action)
    then = f"{text(rule.action)} as {code(rule.classify.type)}"
    if rule.classify.value is not None:
        then += f"<br>with {code(rule.classify.value)}"
    return then


def _defined_in(url: str | None, file: str, line: int | None) -> str:
    """Where a fact comes from: file and line, linked upstream at the locked commit when known."""
    label = code(posixpath.basename(file)) + (f" line {line}" if line else "")
    return f'<a class="cells-source" href="{escape_attr(url)}">{label}</a>' if url else label


def render_rules_table(
    rule_set: RuleSet, *, anchors: bool = True, link: Callable[[str, int | None], str | None] | None = None
) -> str:
    """One row per rule, in evaluation order: what it is, what it matches, what it does.

    With *link* (file, line -> upstream URL), each rule's number links to its definition upstream.
    """
    rows = []
    for rule in rule_set.rules:
        number = text(rule.number)
        url = link(rule_set.source, rule.line) if link else None
        if url:
            number = f'<a class="cells-source" href="{escape_attr(url)}" title="Definition upstream">{number}</a>'
        if anchors:
            number = f'<span id="{escape_attr(rule_anchor(rule_set, rule))}"></span>{number}'
        about = code(rule.id) if rule.id else ""
        if rule.description:
            about += ("<br>" if about else "") + text(rule.description)
        rows.append([number, about, _rule_match(rule), _rule_action(rule)])
    return table(["#", "Rule", "Matches", "Then"], rows)


def render_routing_index(sources: Sources, active: str) -> str:
    out = [_front("Routing", ", ".join(r.source for r in sources.rule_sets)), "# Routing rules\n\n"]
    out.append(
        "The HTTP router evaluates the rules of its configured rule set in order; the first rule that matches "
        "decides. A `classify` rule asks the Topology Service which cell serves the request; a `proxy` rule "
        "sends it to the default upstream. Try a request in the [route explainer](explain.md).\n\n"
    )
    rows = []
    for rule_set in sources.rule_sets:
        marker = " **(active)**" if rule_set.name == active else ""
        rel = posixpath.basename(rule_set_page(rule_set))
        rows.append([f"[{code(rule_set.name)}]({rel}){marker}", text(len(rule_set.rules)), code(rule_set.source)])
    out.append(table(["Rule set", "Rules", "Source"], rows))
    return "".join(out)


def render_rule_set_page(
    rule_set: RuleSet,
    active: str,
    backlinks: Backlinks | None = None,
    link: Callable[[str, int | None], str | None] | None = None,
) -> str:
    out = [_front(rule_set.name, rule_set.source), f"# Rule set {text(rule_set.name)}\n\n"]
    if backlinks is not None:
        out.append(backlinks(f"rule-set:{rule_set.name}", rule_set_page(rule_set)))
    if rule_set.name == active:
        out.append('!!! success "Active"\n    The router is configured with this rule set.\n\n')
    else:
        out.append(f"Not the active rule set (the router uses {code(active)}).\n\n")
    out.append("Rules in evaluation order; the first match wins.\n\n")
    out.append(render_rules_table(rule_set, link=link))
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


EXPLAINER = f"{ROUTING}/explain.md"


def site_link(target: str, from_page: str = EXPLAINER) -> str:
    """The link from *from_page* to *target* (Markdown paths, ``#anchor`` allowed) in the built site,
    with directory URLs (``a/b.md`` is served at ``a/b/``): what raw HTML and JavaScript need."""

    def served(md: str) -> str:
        stem = md.removesuffix(".md")
        return stem.removesuffix("index") if stem == "index" or stem.endswith("/index") else stem + "/"

    path, _, anchor = target.partition("#")
    here = served(from_page)
    rel = posixpath.relpath(served(path) or ".", here or ".")
    rel = "./" if rel == "." else rel + "/"
    return url_path(rel + (f"#{anchor}" if anchor else ""))


def routing_data(sources: Sources, active: str) -> dict[str, object]:
    """What the explainer page needs, exported at build time (plain JSON): the rule sets with each
    rule's link (its row in the rule set's table) and one example request per rule, and the cells
    with their pages' links."""
    from cellsdocs.analysis.explain import examples

    def regex(value: object) -> str | None:
        return getattr(value, "source", None)

    return {
        "active": active,
        "cells": [
            {
                "id": c.id,
                "name": c.name,
                "address": c.address,
                "session_prefix": c.session_prefix,
                "region": c.region,
                "href": site_link(cell_page(c)),
            }
            for c in sources.topology.cells
        ],
        "rule_sets": {
            rs.name: {
                "source": rs.source,
                "href": site_link(rule_set_page(rs)),
                "examples": [example.to_data() for example in examples(rs, sources.topology)],
                "rules": [
                    {
                        "number": r.number,
                        "id": r.id,
                        "description": r.description,
                        "action": r.action,
                        "href": site_link(f"{rule_set_page(rs)}#{rule_anchor(rs, r)}"),
                        "match": None
                        if r.match is None
                        else {
                            "type": r.match.type,
                            "regex_name": regex(r.match.regex_name),
                            "regex_value": regex(r.match.regex_value),
                        },
                        "classify": None
                        if r.classify is None
                        else {"type": r.classify.type, "value": r.classify.value},
                    }
                    for r in rs.rules
                ],
            }
            for rs in sources.rule_sets
        },
    }


def render_explainer_page(sources: Sources, active: str) -> str:
    from cellsdocs.markdown import escape_json_for_html

    payload = escape_json_for_html(json.dumps(routing_data(sources, active), sort_keys=True))
    methods = "".join(f'<option value="{m}">{m}</option>' for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"))
    return (
        _front("Route explainer", ", ".join([sources.topology.source, *(r.source for r in sources.rule_sets)]))
        + "# Route explainer\n\n"
        "Type a request, or pick an example: the explainer shows the rule that matches, what it captures, how "
        "the request is classified and which cell serves it, and for every rule tried before it, which "
        "condition failed. It runs in your browser on the rule sets and cells exported at build time, with the "
        "same semantics as `cells-docs explain` on the command line. The request is kept in the address bar, "
        "so a result can be shared as a link.\n\n"
        '<div class="cells-explainer">\n'
        '<div id="cells-explainer-presets" class="cells-explainer__presets"></div>\n'
        '<form id="cells-explainer-form" autocomplete="off">\n'
        '<label>Rule set <select name="ruleset"></select></label>\n'
        f'<label>Method <select name="method">{methods}</select></label>\n'
        '<label class="cells-explainer__wide">Path '
        '<input name="path" type="text" value="/" spellcheck="false"></label>\n'
        '<label class="cells-explainer__wide"><span>Headers, one per line: <code>Name: value</code></span>'
        '<textarea name="headers" rows="3" spellcheck="false"></textarea></label>\n'
        '<label class="cells-explainer__wide"><span>Cookies, one per line: <code>name=value</code>, '
        "or paste a browser&#39;s <code>Cookie:</code> header</span>"
        '<textarea name="cookies" rows="3" spellcheck="false"></textarea></label>\n'
        "</form>\n"
        '<p class="cells-explainer__share"><a id="cells-explainer-share" href="./">Link to this request</a> '
        '<button type="button" id="cells-explainer-copy" class="md-button" hidden>Copy link</button></p>\n'
        '<output id="cells-explainer-result" aria-live="polite" for="cells-explainer-form"></output>\n'
        "</div>\n\n"
        f'<script type="application/json" id="cells-routing-data">{payload}</script>\n'
    )
