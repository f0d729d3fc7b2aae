"""The decisions (ADRs) on the site: index with filters, timeline, relation graph, status banners
on each record, and backlinks from the reference pages of what each decision governs."""

from __future__ import annotations

import json
import posixpath
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

from cellsdocs.drawing.graphviz import render_svg
from cellsdocs.errors import CellsDocsError
from cellsdocs.escaping import dot_string, dot_url, html_text, url_path
from cellsdocs.markdown import code, escape_attr, text
from cellsdocs.render.page import GeneratedPage
from cellsdocs.sources.adrs import Adr, AdrCollection
from cellsdocs.sources.load import Sources
from cellsdocs.sources.protos.refs import resolve

__all__ = [
    "adr_banner",
    "adr_graph_dot",
    "adr_groups",
    "governance_index",
    "make_backlinks",
    "render_adr_graph",
    "render_adr_index",
    "render_timeline",
]

GENERATOR = "cellsdocs.render.decisions"
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
        return f'<p class="cells-decisions" data-search-exclude markdown="span">**Decisions:** {links}</p>\n\n'

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
    return '<div class="cells-adr-meta" data-search-exclude markdown>\n\n' + "\n".join(lines) + "\n\n</div>\n\n"


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
        GeneratedPage(
            generator=GENERATOR, source=code(collection.folder), heading="Architecture decisions", edit=""
        ).header()
        + "Why the Cells platform and this site are built the way they are, one record per decision. "
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
        GeneratedPage(
            generator=GENERATOR,
            source=code(collection.folder),
            title="Decision timeline",
            heading="Decision timeline",
            edit="",
        ).header(),
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
    "superseded": "#757575",
    "unknown": "#616161",
}
#: a title is wrapped at this many characters, on at most this many lines
_TITLE_WIDTH = 20
_TITLE_LINES = 4


def adr_groups(collection: AdrCollection) -> tuple[list[list[Adr]], list[Adr]]:
    """The numbered records in groups of related ones (the connected parts of the supersedes and
    relates-to graph, largest first), and the records related to none."""
    adrs = sorted((a for a in collection.adrs if a.number is not None), key=lambda a: a.number or 0)
    by_number = {a.number: a for a in adrs}
    parent = {a.number: a.number for a in adrs}

    def find(n: int | None) -> int | None:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for adr in adrs:
        for other in (*adr.supersedes, *adr.superseded_by, *adr.relates_to):
            if other in by_number and other != adr.number:
                parent[find(adr.number)] = find(other)
    members: dict[int | None, list[Adr]] = {}
    for adr in adrs:
        members.setdefault(find(adr.number), []).append(adr)
    groups = sorted((g for g in members.values() if len(g) > 1), key=lambda g: (-len(g), g[0].number or 0))
    alone = [g[0] for g in members.values() if len(g) == 1]
    return groups, alone


def _title_lines(title: str) -> list[str]:
    lines = textwrap.wrap(" ".join(title.split()), _TITLE_WIDTH, break_long_words=True) or [""]
    if len(lines) > _TITLE_LINES:
        lines = lines[:_TITLE_LINES]
        lines[-1] = lines[-1][: _TITLE_WIDTH - 1].rstrip() + "…"
    return lines


def adr_graph_dot(group: list[Adr], *, index: int, directory_urls: bool) -> str:
    """DOT of one group of related records, oldest at the top: red arrows from a record to the one
    it supersedes, dashed lines between related records; nodes link to the records. No edge
    carries a label (the legend says what each line means), so no text sits on a line."""
    lines = [
        f"digraph adr_group_{index} {{",
        f'  graph [id="adr-group-{index}", rankdir=TB, bgcolor="transparent", fontname="Helvetica", '
        "nodesep=0.15, ranksep=0.45, pad=0.1];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=12, fontcolor="white", '
        'penwidth=0, margin="0.12,0.06"];',
        '  edge [color="#888888", arrowsize=0.8];',
    ]
    numbers = {a.number for a in group}
    for adr in group:
        status = adr.status or "unknown"
        href = f"../{adr.stem}/" if directory_urls else f"{adr.stem}.html"
        label = "\\n".join(dot_string(line)[1:-1] for line in [adr.ref, *_title_lines(adr.title)])
        color = dot_string(_STATUS_COLOR.get(status, _STATUS_COLOR["unknown"]))
        tooltip = dot_string(f"{adr.ref}: {adr.title} ({status})")
        lines.append(
            f'  n{adr.number} [label="{label}", fillcolor={color}, URL={dot_url(href)}, target="_top", '
            f'tooltip={tooltip}, id="adr-{adr.number}"];'
        )
    seen: set[tuple[int, int]] = set()
    for adr in group:
        assert adr.number is not None
        for old in adr.supersedes:
            if old in numbers and old != adr.number:
                tip = dot_string(f"ADR-{adr.number:04d} supersedes ADR-{old:04d}")
                # drawn from the older record, so newer records sit lower; the arrow points at the old one
                lines.append(
                    f'  n{old} -> n{adr.number} [dir=back, color="#c62828", penwidth=1.6, tooltip={tip}, '
                    f'id="adr-supersedes-{adr.number}-{old}"];'
                )
        for other in adr.relates_to:
            pair = (min(adr.number, other), max(adr.number, other))
            if other in numbers and other != adr.number and pair not in seen:
                seen.add(pair)
                tip = dot_string(f"ADR-{pair[0]:04d} and ADR-{pair[1]:04d} are related")
                lines.append(
                    f"  n{pair[0]} -> n{pair[1]} [dir=none, style=dashed, tooltip={tip}, "
                    f'id="adr-related-{pair[0]}-{pair[1]}"];'
                )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _data(adr: Adr) -> str:
    status = adr.status or "unknown"
    return f'data-status="{escape_attr(status)}" data-tags="{escape_attr(json.dumps(list(adr.tags)))}"'


def _split_svgs(svg: str, count: int) -> list[str]:
    parts = [part.strip() + "\n</svg>\n" for part in svg.split("</svg>") if "<svg" in part]
    if len(parts) != count:
        raise CellsDocsError(f"diagram 'adr-graph': Graphviz drew {len(parts)} of {count} groups")
    return parts


def render_adr_graph(collection: AdrCollection, *, directory_urls: bool, cache_dir: Path | None) -> str:
    """The relation graph: one small diagram per group of related records (so that it stays
    readable at a thousand records), filters by status and tag, focus on one record and its
    neighbours (assets/javascripts/adr-graph.js), and the records related to none, listed."""
    groups, alone = adr_groups(collection)
    dots = [adr_graph_dot(group, index=i + 1, directory_urls=directory_urls) for i, group in enumerate(groups)]
    # one Graphviz run for every group (one graph after another on its input, one SVG each)
    svgs = _split_svgs(render_svg("".join(dots), name="adr-graph", cache_dir=cache_dir), len(groups)) if dots else []
    by_number = {a.number: a for group in groups for a in group}

    def mark(match: re.Match[str]) -> str:  # each node carries its record's status and tags
        adr = by_number[int(match.group(1))]
        return f'<g id="adr-{match.group(1)}" class="node" {_data(adr)}>'

    adrs = sorted((a for a in collection.adrs if a.number is not None), key=lambda a: a.number or 0)
    statuses = sorted({a.status or "unknown" for a in adrs})
    tags = sorted({t for a in adrs for t in a.tags})
    status_boxes = "".join(
        f'<label><input type="checkbox" name="status" value="{escape_attr(s)}" checked> {html_text(s)}</label>'
        for s in statuses
    )
    tag_options = "".join(f'<option value="{escape_attr(t)}">{html_text(t)}</option>' for t in tags)
    focus_options = "".join(
        f'<option value="{a.number}">{html_text(a.ref)}: {html_text(a.title)}</option>' for a in adrs
    )
    figures = []
    for index, (group, drawn) in enumerate(zip(groups, svgs, strict=True), start=1):
        svg = drawn.replace("xlink:href=", "href=")  # HTML5 inline SVG: plain href, which link checkers read
        svg = re.sub(r'<g id="adr(?:-|&#45;)(\d+)" class="node">', mark, svg)
        refs = f"{group[0].ref} to {group[-1].ref}"
        figures.append(
            f'<figure class="cells-diagram cells-adr-group" id="adr-group-figure-{index}" '
            f'data-records="{" ".join(str(a.number) for a in group)}">\n{svg}'
            f"<figcaption>Group {index}: {len(group)} related records, {html_text(refs)}.</figcaption>\n</figure>\n"
        )

    def href(adr: Adr) -> str:
        return escape_attr(url_path(f"../{adr.stem}/" if directory_urls else f"{adr.stem}.html"))

    listed = "".join(
        f'<li {_data(a)} data-record="{a.number}"><a href="{href(a)}">{html_text(a.ref)}: {html_text(a.title)}</a></li>'
        for a in alone
    )
    alone_block = (
        f'<details class="cells-adr-alone" id="cells-adr-alone"><summary>{len(alone)} '
        f"record{'s' if len(alone) != 1 else ''} related to no other</summary>\n<ul>{listed}</ul>\n</details>\n"
        if alone
        else ""
    )
    legend = ", ".join(
        f'<span class="cells-status cells-status--{s}">{s}</span>'
        for s in ("accepted", "proposed", "rejected", "deprecated", "superseded")
    )
    return (
        GeneratedPage(
            generator=GENERATOR,
            source=code(collection.folder),
            title="Decision graph",
            heading="Decision graph",
            edit="",
        ).header()
        + f"How the {len(adrs)} decisions relate: a red arrow points from a record to the one it supersedes, a "
        "dashed line joins related records; older records sit higher. Records that relate to one another form "
        f"a group ({len(groups)} group{'s' if len(groups) != 1 else ''}). Click a box to open the record. "
        f"Colours: {legend}.\n\n"
        '<form class="cells-adr-filter" id="cells-adr-graph-filter" aria-label="Filter the decision graph">\n'
        f"<fieldset><legend>Status</legend>{status_boxes}</fieldset>\n"
        f'<label>Tag <select name="tag"><option value="">any</option>{tag_options}</select></label>\n'
        f'<label>Focus on <select name="focus"><option value="">every record</option>{focus_options}</select>'
        "</label>\n"
        '<output id="cells-adr-graph-count" aria-live="polite"></output>\n'
        "</form>\n\n"
        f'<div class="cells-adr-graph" aria-label="Graph of {len(adrs)} architecture decisions and how they '
        'supersede or relate to one another">\n' + "".join(figures) + alone_block + "</div>\n"
    )
