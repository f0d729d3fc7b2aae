"""What the diagram definitions in ``diagrams/*.py`` draw with.

A definition draws with the ``diagrams`` package inside ``with Drawing(...)`` (a ``Diagram`` that
never runs Graphviz nor writes a file), passes ``nodeid=`` to every node (:func:`ident`), shows
every text through :func:`label` or :func:`table` (source text escaped) and every link through
:func:`linked` with :func:`page_link` or :func:`api_link`, and returns a :class:`DiagramSpec`.
The palette and Graphviz defaults here give every diagram the site's look.
"""

from __future__ import annotations

import functools
import html
import importlib
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

# Untyped libraries, imported by name: for mypy and ruff, ``diagrams`` is also this repository's
# diagrams/ folder (of definitions, not a package), which the library wins over at run time.
diagrams: Any = importlib.import_module("diagrams")
graphviz: Any = importlib.import_module("graphviz")

if TYPE_CHECKING:
    from cellsdocs.site import SiteModel
    from cellsdocs.sources.protos.elements import Method

__all__ = [
    "EDGE",
    "INK",
    "MUTED",
    "SITE",
    "TABLE_NODE",
    "Cell",
    "DiagramSpec",
    "Drawing",
    "api_link",
    "cluster",
    "find_rpc",
    "icon_file",
    "ident",
    "label",
    "linked",
    "page_link",
    "page_url",
    "table",
    "tooltip",
    "xml_text",
]

#: placeholder for the site root in links, replaced by a path relative to the page that shows the diagram
SITE = "@@SITE@@/"

# Colours of the light palette; docs/assets/cells.css maps each to its counterpart in the dark one
# (the SVG is inline, so CSS overrides its colour attributes).
INK = "#2D3436"
MUTED = "#56616A"
EDGE = "#7B8894"
FONT = "Sans-Serif"

GRAPH_DEFAULTS = {
    "label": "",  # the figure caption names the diagram
    "pad": "0.25",
    "bgcolor": "transparent",
    "splines": "spline",
    "nodesep": "0.35",
    "ranksep": "0.6",
    "fontname": FONT,
    "fontcolor": INK,
    "fontsize": "13",
}
NODE_DEFAULTS = {"fontname": FONT, "fontcolor": INK, "fontsize": "11", "imagepos": "tc"}  # icon on top, label below
EDGE_DEFAULTS = {"color": EDGE, "fontname": FONT, "fontcolor": MUTED, "fontsize": "10", "arrowsize": "0.7"}


class Drawing(diagrams.Diagram):  # type: ignore[misc]  # the library is untyped
    """A ``diagrams.Diagram`` for live diagrams: leaving the ``with`` block renders nothing and
    writes no file (:mod:`cellsdocs.drawing.place` has the DOT rendered, through the cache)."""

    def __init__(
        self,
        title: str,
        *,
        direction: str = "LR",
        graph_attr: Mapping[str, str] | None = None,
        node_attr: Mapping[str, str] | None = None,
        edge_attr: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            name="",  # the graph is named after the diagram when it is rendered
            filename="diagram",
            direction=direction,
            curvestyle="curved",
            outformat="svg",
            show=False,
            graph_attr={**GRAPH_DEFAULTS, **(graph_attr or {})},
            node_attr={**NODE_DEFAULTS, **(node_attr or {})},
            edge_attr={**EDGE_DEFAULTS, **(edge_attr or {})},
        )
        self.title = title

    def render(self) -> None:
        """Never run Graphviz from here."""

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        diagrams.setdiagram(None)


@dataclass(frozen=True, kw_only=True)
class DiagramSpec:
    """What a definition returns: the drawing, its alt text and the sources it was drawn from."""

    drawing: Drawing
    alt: str  # what the diagram shows, in words, for readers who cannot see it
    sources: tuple[Path, ...] = ()  # files the diagram is drawn from (named in its caption)

    @property
    def title(self) -> str:
        return str(self.drawing.title)


def xml_text(value: object) -> str:
    """*value* on one line, escaped for Graphviz HTML-like labels and SVG text."""
    return html.escape(" ".join(str(value).split()), quote=True)


def label(*lines: object, bold_first: bool = False, small_rest: bool = False, left: bool = False) -> str:
    """A Graphviz HTML-like label showing *lines* verbatim: source text is escaped, so ``<script>``,
    backslash escapes (``\\N``, ``\\d``) and DOT quoting have no effect."""
    parts = []
    for number, line in enumerate(lines):
        body = xml_text(line)
        if not body:
            continue
        if number == 0 and bold_first:
            body = f"<B>{body}</B>"
        elif number > 0 and small_rest:
            body = f'<FONT POINT-SIZE="10" COLOR="{MUTED}">{body}</FONT>'
        parts.append(body)
    if not parts:
        return ""
    if left:
        return "<" + "".join(part + '<BR ALIGN="LEFT"/>' for part in parts) + ">"
    return "<" + "<BR/>".join(parts) + ">"


@dataclass(frozen=True, kw_only=True)
class Cell:
    """One cell of a :func:`table` label: text, an optional link and how it looks."""

    text: object
    href: str | None = None
    tip: object = None
    bold: bool = False
    mono: bool = False
    muted: bool = False
    colspan: int = 1


def icon_file(kind: Any) -> str:
    """The icon file of a ``diagrams`` node class, for a :func:`table` header."""
    return str(Path(diagrams.__file__).resolve().parent.parent / kind._icon_dir / kind._icon)


def _td(cell: Cell) -> str:
    body = xml_text(cell.text) or " "
    if cell.mono:
        body = f'<FONT FACE="monospace">{body}</FONT>'
    if cell.bold:
        body = f"<B>{body}</B>"
    if cell.muted:
        body = f'<FONT COLOR="{MUTED}">{body}</FONT>'
    attrs = ' ALIGN="LEFT"' + (f' COLSPAN="{cell.colspan}"' if cell.colspan > 1 else "")
    if cell.href:
        attrs += f' HREF="{xml_text(cell.href)}" TARGET="_top"'
    if cell.href or cell.tip is not None:
        attrs += f' TITLE="{xml_text(cell.tip if cell.tip is not None else cell.text)}"'
    return f"<TD{attrs}>{body}</TD>"


def table(
    title: Sequence[object],
    rows: Sequence[Sequence[Cell]],
    *,
    href: str | None = None,
    tip: object = None,
    icon: Any = None,
    header: str = "#E5F5FD",
) -> str:
    """An HTML-like label: a titled table whose cells may each link somewhere (escaped text)."""
    width = max([sum(cell.colspan for cell in row) for row in rows] + [1])
    link = (
        f' HREF="{xml_text(href)}" TARGET="_top" TITLE="{xml_text(tip if tip is not None else title[0])}"'
        if href
        else ""
    )
    heading = label(*title, bold_first=True, small_rest=True, left=True)[1:-1]
    picture = ""
    if icon is not None:
        image = f'<IMG SCALE="TRUE" SRC="{xml_text(icon_file(icon))}"/>'
        picture = f'<TD FIXEDSIZE="TRUE" WIDTH="30" HEIGHT="30" BGCOLOR="{header}">{image}</TD>'
    span = max(width - (1 if picture else 0), 1)
    head = f'<TR>{picture}<TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{header}" COLSPAN="{span}"{link}>{heading}</TD></TR>'
    body = "".join("<TR>" + "".join(_td(cell) for cell in row) + "</TR>" for row in rows)
    return (
        '<<TABLE BORDER="1" COLOR="#AEB6BE" STYLE="ROUNDED" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
        f'BGCOLOR="#FFFFFF">{head}{body}</TABLE>>'
    )


TABLE_NODE = {"shape": "plain", "fixedsize": "false", "width": "0", "height": "0", "labelloc": "c", "margin": "0"}


def tooltip(value: object, *, limit: int = 300) -> str:
    """A plain Graphviz string (for ``tooltip``) showing *value* verbatim, on one line."""
    flat = " ".join(str(value).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return str(graphviz.escape(flat))


def page_url(src_uri: str, *, directory_urls: bool = True) -> str:
    """The URL (relative to the site root) MkDocs serves the page *src_uri* at."""
    stem, ext = posixpath.splitext(src_uri)
    if ext != ".md":
        return src_uri
    if not directory_urls:
        return stem + ".html"
    folder, base = posixpath.split(stem)
    if base in ("index", "README"):
        return folder + "/" if folder else ""
    return stem + "/"


def page_link(site: SiteModel, src_uri: str, anchor: str | None = None) -> str:
    """A link to a page of the site (by its src_uri), for ``URL=``; made relative when placed."""
    url = quote(page_url(src_uri, directory_urls=site.directory_urls), safe="/-._~")
    return SITE + url + ("#" + quote(anchor, safe="-._~") if anchor else "")


def api_link(site: SiteModel, fqn: str) -> str | None:
    """A link to an API element's reference (anchor = its fqn); None for library types."""
    page = site.api_site.pages.get(fqn)
    return None if page is None else page_link(site, page, fqn)


def linked(href: str | None, tip: object) -> dict[str, str]:
    """Node/edge/cluster attributes: a link (opening in the page, not a frame) and its tooltip."""
    attrs = {"tooltip": tooltip(tip)}
    if href:
        attrs.update(URL=href, target="_top")
    return attrs


@functools.lru_cache(maxsize=16)  # per-cell diagrams ask for the same RPC, once per cell
def find_rpc(site: SiteModel, name: str) -> Method | None:
    """The RPC called *name* (in a service named after it first: ``ClassifyService.Classify``)."""
    found = [(s, m) for s in site.sources.api.services() for m in s.methods if m.name == name]
    found.sort(key=lambda pair: (pair[0].name != f"{name}Service", pair[1].fqn))
    return found[0][1] if found else None


def ident(*parts: object) -> str:
    """A stable node id from *parts* (any text: ids are quoted in DOT; ``:`` would name a port)."""
    return "/".join(str(part).replace(":", "%3A") for part in parts)


def cluster(
    *lines: object,
    nodeid: str,
    href: str | None = None,
    tip: object = None,
    graph_attr: Mapping[str, str] | None = None,
) -> Any:
    """A ``diagrams.Cluster`` with an escaped label, a stable id and an optional link."""
    attrs: dict[str, str] = {"fontcolor": INK, "fontsize": "12", "margin": "10"}
    if tip is not None or href:
        attrs.update(linked(href, tip if tip is not None else " ".join(str(line) for line in lines)))
    attrs.update(graph_attr or {})
    group = diagrams.Cluster(label(*lines, bold_first=True, small_rest=True, left=True), graph_attr=attrs)
    group.dot.name = "cluster_" + ident(nodeid)
    return group
