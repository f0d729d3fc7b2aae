"""The decisions (ADRs) on the site: index with filters, timeline, relation graph, status banners
on each record, and backlinks from the reference pages of what each decision governs."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from pathlib import Path

from .adr import Adr, AdrCollection
from .errors import CellsDocsError
from .escaping import dot_string, dot_url, html_text, url_path
from .graphviz import render_svg
from .markdown import code, escape_attr, text
from .protos.refs import resolve
from .sources import Sources

__all__ = [
    "adr_banner",
    "governance_index",
    "make_backlinks",
    "render_adr_graph",
    "render_adr_index",
    "render_timeline",
]

GENERATOR = "cellsdocs.decisions"
_STATUS_KIND = {
    "accepted": "success",
    "proposed": "info",
    "rejected": "failure",
    "deprecated": "warning",
    "superseded": "danger",
}


def governance_index(sources: Sources) -> dict[str, list[Adr]]:
    """Key of a governed thing -> the decisions that govern it. Keys: API fqn, ``rule-set:<name>``,
    ``cell:<name>``. Unknown names are reported by the sources' cross-check, not here."""
    index: dict[str, list[Adr]] = {}
    for adr in sorted(sources.adrs.adrs, key=lambda a: a.number or 0):
        for kind, name in adr.governs:
            key: str | None = None
            if kind in ("services", "rpcs"):
                try:
                    key = resolve(sources.api, name, "service" if kind == "services" else "rpc").fqn
                except CellsDocsError:
                    key = None
            elif kind == "rule-sets":
                key = f"rule-set:{name}"
            elif kind == "cells":
                key = f"cell:{name}"
            if key is not None:
                index.setdefault(key, []).append(adr)
    return index


def _link(adr: Adr, from_page: str) -> str:
    rel = posixpath.relpath(adr.page, posixpath.dirname(from_page) or ".")
    return f"[{text(adr.ref)}: {text(adr.title)}]({url_path(rel)}) ({text(adr.status or 'status not recorded')})"


def make_backlinks(index: dict[str, list[Adr]]) -> Callable[[str, str], str]:
    """A function giving the 'Decisions:' line for a governed thing, placed on its reference page."""

    def backlinks(key: str, from_page: str) -> str:
        adrs = index.get(key, [])
        if not adrs:
            return ""
        links = "; ".join(_link(a, from_page) for a in adrs)  # a related-record list: not for search
        return f'<p data-search-exclude markdown="span">**Decisions:** {links}</p>\n\n'

    return backlinks


def adr_banner(adr: Adr, collection: AdrCollection, governed: Callable[[str, str], str] | None = None) -> str:
    """The status box shown under a record's title (prominent when superseded)."""
    page = adr.page
    status = adr.status or "unknown"
    kind = _STATUS_KIND.get(status, "note")
    date = f" on {adr.date.isoformat()}" if adr.date else ""
    if adr.superseded_by:
        targets = [collection.by_number(n) for n in adr.superseded_by]
        names = ", ".join(_link(t, page) for t in targets if t is not None)
        title = "Superseded by " + ", ".join(f"ADR-{n:04d}" for n in adr.superseded_by)
        body = f"This decision no longer holds. Read {names} instead."
        kind = "danger"
    elif status == "unknown":
        title, body = "Status not recorded", "This record does not say whether the decision was taken."
    else:
        title = status.capitalize()
        makers = f" by {text(', '.join(adr.decision_makers))}" if adr.decision_makers else ""
        body = f"{text(adr.ref)} was {text(status)}{date}{makers}."
    lines = [f'!!! {kind} "{title}"', f"    {body}"]
    relations = []
    for label, numbers in (("Supersedes", adr.supersedes), ("Related", adr.relates_to)):
        found = [collection.by_number(n) for n in numbers]
        links = ", ".join(_link(a, page) for a in found if a is not None)
        if links:
            relations.append(f"{label}: {links}.")
    if adr.tags:
        relations.append("Tags: " + ", ".join(code(t) for t in adr.tags) + ".")
    for relation in relations:
        lines.append(f"\n    {relation}")
    # status, related records and tags: generated chrome, kept out of the search index
    return "<div data-search-exclude markdown>\n\n" + "\n".join(lines) + "\n\n</div>\n\n"


def render_adr_index(collection: AdrCollection, *, directory_urls: bool = True) -> str:
    """Every record in a table a reader can filter by status and tag in the browser."""

    def href(stem: str) -> str:  # from adr/index.md, served at adr/ (or adr/index.html)
        return escape_attr(url_path(f"{stem}/" if directory_urls else f"{stem}.html"))

    adrs = sorted(collection.adrs, key=lambda a: (a.number is None, a.number or 0, a.stem))
    statuses = sorted({a.status or "unknown" for a in adrs})
    tags = sorted({t for a in adrs for t in a.tags})
    rows = []
    for adr in adrs:
        status = adr.status or "unknown"
        superseded = ", ".join(
            f'<a href="{href(collection.by_number(n).stem)}">ADR-{n:04d}</a>'  # type: ignore[union-attr]
            for n in adr.superseded_by
            if collection.by_number(n) is not None
        )
        rows.append(
            f'<tr data-status="{escape_attr(status)}" data-tags="{escape_attr(json.dumps(list(adr.tags)))}">'
            f"<td>{html_text(adr.ref)}</td>"
            f'<td><a href="{href(adr.stem)}">{text(adr.title)}</a></td>'
            f'<td><span class="cells-status cells-status--{escape_attr(status)}">{html_text(status)}</span></td>'
            f"<td>{html_text(adr.date.isoformat() if adr.date else '')}</td>"
            f"<td>{', '.join(html_text(t) for t in adr.tags)}</td>"
            f"<td>{superseded}</td></tr>"
        )
    status_boxes = "".join(
        f'<label><input type="checkbox" name="status" value="{escape_attr(s)}" checked> {html_text(s)}</label>'
        for s in statuses
    )
    tag_options = "".join(f'<option value="{escape_attr(t)}">{html_text(t)}</option>' for t in tags)
    return (
        "---\nrender_macros: false\n---\n\n# Architecture decisions\n\n"
        f'<p class="cells-generated" data-search-exclude>Generated at build time from {code(collection.folder)} by '
        f"{code(GENERATOR)}.</p>\n\n"
        "Why the Cells platform and this site are built the way they are, one record per decision. "
        "Also: the [timeline](timeline.md) and the [relation graph](graph.md). "
        'New records: `cells-docs adr new "Title"`.\n\n'
        '<form class="cells-adr-filter" id="cells-adr-filter" aria-label="Filter decisions">\n'
        f"<fieldset><legend>Status</legend>{status_boxes}</fieldset>\n"
        f'<label>Tag <select name="tag"><option value="">any</option>{tag_options}</select></label>\n'
        '<output id="cells-adr-count" aria-live="polite"></output>\n'
        "</form>\n\n"
        '<table id="cells-adr-table">\n<thead><tr><th>Number</th><th>Title</th><th>Status</th><th>Date</th>'
        "<th>Tags</th><th>Superseded by</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
    )


def render_timeline(collection: AdrCollection) -> str:
    dated = sorted((a for a in collection.adrs if a.date is not None), key=lambda a: (a.date, a.number or 0))
    out = [
        "---\nrender_macros: false\ntitle: Decision timeline\n---\n\n# Decision timeline\n\n",
        "Every dated decision, oldest first.\n\n",
    ]
    year = None
    for adr in dated:
        assert adr.date is not None
        if adr.date.year != year:
            year = adr.date.year
            out.append(f"\n## {year}\n\n")
        status = adr.status or "unknown"
        out.append(
            f"- **{adr.date.isoformat()}** [{text(adr.ref)}: {text(adr.title)}]({url_path(adr.stem + '.md')}) "
            f'<span class="cells-status cells-status--{escape_attr(status)}">{html_text(status)}</span>\n'
        )
    undated = [a for a in collection.adrs if a.date is None]
    if undated:
        out.append("\n## Undated\n\n")
        out.extend(f"- [{text(a.ref)}: {text(a.title)}]({url_path(a.stem + '.md')})\n" for a in undated)
    return "".join(out)


_STATUS_COLOR = {
    "accepted": "#2e7d32",
    "proposed": "#1565c0",
    "rejected": "#6d4c41",
    "deprecated": "#ef6c00",
    "superseded": "#9e9e9e",
    "unknown": "#757575",
}


def adr_graph_dot(collection: AdrCollection, *, directory_urls: bool) -> str:
    """DOT of the supersedes / relates-to graph; nodes link to the records."""
    lines = [
        "digraph adrs {",
        '  graph [rankdir=LR, bgcolor="transparent", fontname="Helvetica", nodesep=0.3, ranksep=0.5];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fontcolor="white", '
        'penwidth=0, margin="0.15,0.06"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#888888", fontcolor="#888888"];',
    ]
    adrs = sorted((a for a in collection.adrs if a.number is not None), key=lambda a: a.number or 0)
    for adr in adrs:
        status = adr.status or "unknown"
        title = adr.title if len(adr.title) <= 42 else adr.title[:40] + "…"
        href = f"../{adr.stem}/" if directory_urls else f"{adr.stem}.html"
        label = dot_string(adr.ref)[:-1] + "\\n" + dot_string(title)[1:]  # two lines: reference, title
        color = dot_string(_STATUS_COLOR.get(status, "#757575"))
        tooltip = dot_string(f"{adr.ref}: {adr.title} ({status})")
        lines.append(
            f'  n{adr.number} [label={label}, fillcolor={color}, URL={dot_url(href)}, target="_top", '
            f'tooltip={tooltip}, id="adr-{adr.number}"];'
        )
    numbers = {a.number for a in adrs}
    seen: set[tuple[int, int]] = set()
    for adr in adrs:
        assert adr.number is not None
        for old in adr.supersedes:
            if old in numbers:
                lines.append(f'  n{adr.number} -> n{old} [label="supersedes", color="#c62828", fontcolor="#c62828"];')
        for other in adr.relates_to:
            pair = (min(adr.number, other), max(adr.number, other))
            if other in numbers and pair not in seen:
                seen.add(pair)
                lines.append(f"  n{pair[0]} -> n{pair[1]} [dir=none, style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_adr_graph(collection: AdrCollection, *, directory_urls: bool, cache_dir: Path | None) -> str:
    svg = render_svg(adr_graph_dot(collection, directory_urls=directory_urls), name="adr-graph", cache_dir=cache_dir)
    svg = svg.replace("xlink:href=", "href=")  # HTML5 inline SVG: plain href, which link checkers read
    legend = ", ".join(
        f'<span class="cells-status cells-status--{s}">{s}</span>'
        for s in ("accepted", "proposed", "rejected", "deprecated", "superseded")
    )
    return (
        "---\nrender_macros: false\ntitle: Decision graph\n---\n\n# Decision graph\n\n"
        "Which decision supersedes which (red arrows) and which are related (dashed). Click a box to open the "
        f"record. Colours: {legend}.\n\n"
        f'<figure class="cells-diagram" aria-label="Graph of {len(collection.adrs)} architecture decisions '
        'and how they supersede or relate to one another">\n' + svg + "</figure>\n"
    )
