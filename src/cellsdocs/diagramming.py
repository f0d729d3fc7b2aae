"""Architecture diagrams drawn from the typed models with the ``diagrams`` package, rendered by
Graphviz at build time, cached, clickable and self-contained.

Definitions live in the top-level ``diagrams/`` folder (not a package: it must not shadow the
``diagrams`` library). Each module there has ``define(site, kit) -> list[Spec]``; *kit* is this
module. A spec's ``draw()`` builds the picture inside :class:`ModelDiagram`; this module then

1. takes the DOT source without letting ``diagrams`` write files,
2. renders it with ``dot -Tsvg`` through a cache keyed by the DOT (a warm build renders nothing),
3. replaces the icons' absolute paths of the build machine with site assets
   (``assets/diagrams/icons/...``) and the link placeholders with paths relative to the page.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import posixpath
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diagrams.generic.network import Router
from diagrams.generic.storage import Storage
from diagrams.onprem.client import Users
from diagrams.onprem.database import Postgresql
from diagrams.onprem.inmemory import Redis
from diagrams.onprem.network import Nginx
from diagrams.onprem.vcs import Git
from diagrams.programming.flowchart import Action, Decision, Document
from diagrams.programming.framework import Rails

from diagrams import Cluster, Diagram, Edge  # type: ignore[attr-defined]  # the library (mypy sees our diagrams/ folder)

from .errors import CellsDocsError
from .graphviz import RENDER_STATS, render_svg

__all__ = [
    "RENDER_STATS",
    "Action",
    "Cluster",
    "Decision",
    "Document",
    "Edge",
    "Git",
    "ModelDiagram",
    "Nginx",
    "Postgresql",
    "Rails",
    "Redis",
    "Router",
    "Spec",
    "Storage",
    "Users",
    "diagram_assets",
    "diagram_markdown",
    "page_url",
    "render_diagrams",
    "safe_label",
]

ICON_ASSETS = "assets/diagrams/icons"
_PAGE = re.compile(r"@@PAGE:([^@#]*)(#[^@]*)?@@")
_ICON = re.compile(r'(xlink:href|href)="(/[^"]+\.(?:png|svg|jpg))"')


@dataclass(frozen=True)
class Spec:
    """One diagram: its name, its words for people and screen readers, and how to draw it."""

    name: str
    title: str
    alt: str
    sources: tuple[str, ...]
    draw: Callable[[], ModelDiagram]


@dataclass
class Rendered:
    spec: Spec
    dot: str
    svg: str  # with @@PAGE:...@@ and @@ICON:...@@ placeholders
    icons: dict[str, Path] = field(default_factory=dict)


class ModelDiagram(Diagram):  # type: ignore[misc]
    """A ``diagrams.Diagram`` that never writes files: leaving the block keeps the DOT in memory."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        graph_attr = {
            "bgcolor": "white",
            "pad": "0.3",
            "fontname": "Helvetica",
            "fontsize": "13",
            "splines": "spline",
            "nodesep": "0.5",
            "ranksep": "0.8",
            "label": "",
            **kwargs.pop("graph_attr", {}),
        }
        node_attr = {"fontname": "Helvetica", "fontsize": "11", **kwargs.pop("node_attr", {})}
        super().__init__(
            name,
            show=False,
            outformat="svg",
            filename=f"/nonexistent/{name}",
            graph_attr=graph_attr,
            node_attr=node_attr,
            **kwargs,
        )

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        from diagrams import setdiagram  # type: ignore[attr-defined]

        setdiagram(None)  # no render(), no file


def page_url(src_uri: str, anchor: str | None = None) -> str:
    """A link placeholder to a page of the site, resolved per page by :func:`diagram_markdown`."""
    return f"@@PAGE:{src_uri}{'#' + anchor if anchor else ''}@@"


def safe_label(text: object) -> str:
    """A label Graphviz shows as text (never as an HTML-like label); newlines become line breaks."""
    value = "\\n".join(" ".join(line.split()) for line in str(text).splitlines())
    if value.startswith("<") and value.endswith(">"):
        value = " " + value
    return value


def _definitions(root: Path) -> list[Path]:
    folder = root / "diagrams"
    return sorted(p for p in folder.glob("*.py") if not p.name.startswith("_")) if folder.is_dir() else []


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"_cells_diagram_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise CellsDocsError("cannot load the diagram definition", file=str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _icon_name(path: Path) -> str:
    parts = path.parts
    tail = parts[parts.index("resources") + 1 :] if "resources" in parts else parts[-2:]
    return "-".join(tail)


def render_one(spec: Spec, cache_dir: Path | None) -> Rendered:
    try:
        diagram = spec.draw()
        dot = diagram.dot.source
    except CellsDocsError:
        raise
    except Exception as exc:
        raise CellsDocsError(f"diagram {spec.name!r}: its definition failed: {type(exc).__name__}: {exc}") from exc
    dot = re.sub(r"^// .*\n", "", dot, flags=re.M)  # graphviz' comment names a file
    svg = render_svg(dot, name=spec.name, cache_dir=cache_dir)
    icons: dict[str, Path] = {}

    def icon(match: re.Match[str]) -> str:
        path = Path(match.group(2))
        name = _icon_name(path)
        icons[name] = path
        return f'href="@@ICON:{name}@@"'

    svg = _ICON.sub(icon, svg)
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'<svg width="[^"]*" height="[^"]*"', lambda m: "<svg", svg, count=1)
    return Rendered(spec=spec, dot=dot, svg=svg, icons=icons)


_RENDERED: weakref.WeakKeyDictionary[Any, dict[str, Rendered]] = weakref.WeakKeyDictionary()


def specs_for(site: Any) -> list[Spec]:
    import sys

    kit = sys.modules[__name__]
    specs: list[Spec] = []
    for path in _definitions(site.sources.paths.root):
        try:
            module = _load(path)
            found = module.define(site, kit)
        except CellsDocsError as exc:
            raise exc.with_context(file=str(path)) from exc
        except Exception as exc:
            raise CellsDocsError(f"diagram definition failed: {type(exc).__name__}: {exc}", file=str(path)) from exc
        specs.extend(found)
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CellsDocsError(f"two diagrams are named {duplicates[0]!r}", hint="rename one")
    return specs


def render_diagrams(site: Any) -> dict[str, Rendered]:
    """Every diagram of this build, rendered once (cached across builds by their DOT)."""
    done = _RENDERED.get(site)
    if done is None:
        cache = site.sources.paths.root / ".cache" / "diagrams"
        done = {spec.name: render_one(spec, cache) for spec in specs_for(site)}
        _RENDERED[site] = done
    return done


def diagram_assets(site: Any) -> dict[str, bytes]:
    """The icons the diagrams use, as site files."""
    assets: dict[str, bytes] = {}
    for rendered in render_diagrams(site).values():
        for name, path in rendered.icons.items():
            assets[f"{ICON_ASSETS}/{name}"] = path.read_bytes()
    return assets


def _page_href(target: str, anchor: str, from_page: str, directory_urls: bool) -> str:
    def url(src: str) -> str:
        if not directory_urls:
            return src[:-3] + ".html"
        if src.endswith("index.md"):
            return src[: -len("index.md")]
        return src[:-3] + "/"

    here = url(from_page)
    base = here if here.endswith("/") else posixpath.dirname(here) + "/"
    rel = posixpath.relpath(url(target) or ".", base.rstrip("/") or ".")
    if url(target).endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel + anchor


def diagram_markdown(site: Any, name: str, *, from_page: str, caption: str | None = None) -> str:
    """An inline, clickable SVG in a figure with its caption (and the sources it was drawn from)."""
    rendered = render_diagrams(site)
    if name not in rendered:
        raise CellsDocsError(f"no diagram named {name!r}", hint=f"use one of: {', '.join(sorted(rendered))}")
    item = rendered[name]
    directory_urls = getattr(site, "directory_urls", True)
    svg = _PAGE.sub(
        lambda m: html.escape(_page_href(m.group(1), m.group(2) or "", from_page, directory_urls)), item.svg
    )
    here = from_page[:-3] + "/" if directory_urls and not from_page.endswith("index.md") else from_page
    assets = posixpath.relpath(ICON_ASSETS, posixpath.dirname(here) or ".")
    svg = svg.replace("@@ICON:", assets + "/").replace("@@", "")
    svg = re.sub(r"<title>[^<]*</title>", "", svg, count=1)  # Graphviz' graph title is the name
    # no role="img": the picture holds links, which must stay reachable (axe: nested-interactive)
    svg = svg.replace("<svg", f'<svg aria-labelledby="d-{name}-t d-{name}-d"', 1)
    svg = re.sub(
        r"(<svg[^>]*>)",
        rf'\1<title id="d-{name}-t">{html.escape(item.spec.title)}</title>'
        rf'<desc id="d-{name}-d">{html.escape(item.spec.alt)}</desc>',
        svg,
        count=1,
    )
    sources = ", ".join(f"<code>{html.escape(s)}</code>" for s in item.spec.sources)
    text = html.escape(caption or item.spec.title)
    digest = hashlib.sha256(item.dot.encode()).hexdigest()[:10]
    return (
        f'<figure class="cells-diagram" id="diagram-{name}" data-dot="{digest}">\n{svg}'
        f"<figcaption>{text}. Drawn at build time from {sources}. Boxes link to their pages.</figcaption>\n"
        "</figure>\n"
    )
