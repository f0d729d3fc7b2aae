"""Placing the architecture diagrams on the site: rendered once per site model, their icons as
site assets, and the Markdown (a ``<figure>``) that shows one on a page.

Diagrams are drawn from the typed models at every build (:mod:`cellsdocs.drawing.load`), rendered
by the real ``dot`` through the cache (:mod:`cellsdocs.drawing.graphviz`: a warm build renders
nothing) and made fit for inlining (:mod:`cellsdocs.drawing.svg`). Placed on a page, their links
and icons become relative to that page, and the caption names the sources each was drawn from.
"""

from __future__ import annotations

import html
import posixpath
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cellsdocs.drawing.api import SITE, page_url
from cellsdocs.drawing.graphviz import render_svgs
from cellsdocs.drawing.load import built_diagrams
from cellsdocs.drawing.svg import ICON, finish_svg
from cellsdocs.errors import CellsDocsError
from cellsdocs.markdown import code, escape_attr, text
from cellsdocs.settings import ENV_VARS, repo_root

if TYPE_CHECKING:
    from cellsdocs.site import SiteModel

__all__ = [
    "ICONS",
    "RenderedDiagram",
    "diagram_assets",
    "diagram_dots",
    "diagram_markdown",
    "diagram_names",
    "relative_url",
    "render_diagrams",
]

#: site folder the icons are copied to
ICONS = "assets/diagrams/icons"


def relative_url(target: str, from_url: str) -> str:
    """*target* (a URL relative to the site root, optionally with ``#anchor``) as seen from the
    page served at *from_url*."""
    path, sep, fragment = target.partition("#")
    base = from_url.rsplit("/", 1)[0] if "/" in from_url else ""
    rel = posixpath.relpath(path or ".", base or ".")
    if rel == ".":
        rel = "./"
    elif path.endswith("/") or not path:
        rel += "/"
    return rel + sep + fragment


@dataclass(frozen=True, kw_only=True)
class RenderedDiagram:
    """One diagram, rendered: SVG markup with placeholders for page-relative links and icons."""

    name: str
    title: str
    alt: str
    sources: tuple[Path, ...]
    definition: Path
    dot: str
    svg: str
    icons: tuple[tuple[str, Path], ...]  # (asset file name, icon file)


_RENDERED: weakref.WeakKeyDictionary[SiteModel, dict[str, RenderedDiagram]] = weakref.WeakKeyDictionary()


def diagram_names(site: SiteModel) -> list[str]:
    """The name of every diagram the definitions draw for these sources."""
    return list(built_diagrams(site))


def diagram_dots(site: SiteModel) -> dict[str, str]:
    """Name -> DOT source of every diagram (no Graphviz needed)."""
    return {name: item.dot for name, item in built_diagrams(site).items()}


def render_diagrams(site: SiteModel) -> dict[str, RenderedDiagram]:
    """Every diagram, rendered once per site model (and once per content, thanks to the cache)."""
    if site in _RENDERED:
        return _RENDERED[site]
    built = built_diagrams(site)
    svgs = render_svgs(
        {name: item.dot for name, item in built.items()}, cache_dir=site.sources.paths.root / ".cache" / "diagrams"
    )
    rendered: dict[str, RenderedDiagram] = {}
    for name, item in built.items():
        svg, icons = finish_svg(svgs[name], name=name, title=item.spec.title, alt=item.spec.alt)
        rendered[name] = RenderedDiagram(
            name=name,
            title=item.spec.title,
            alt=item.spec.alt,
            sources=item.spec.sources,
            definition=item.definition,
            dot=item.dot,
            svg=svg,
            icons=tuple(sorted(icons.items())),
        )
    _RENDERED[site] = rendered
    return rendered


def diagram_assets(site: SiteModel) -> dict[str, bytes]:
    """Site path -> content of every icon the diagrams show."""
    assets: dict[str, bytes] = {}
    for diagram in render_diagrams(site).values():
        for asset, source in diagram.icons:
            uri = f"{ICONS}/{asset}"
            if uri not in assets:
                assets[uri] = source.read_bytes()
    return dict(sorted(assets.items()))


_PLACEHOLDER = re.compile(rf'(href=")({re.escape(SITE)}|{re.escape(ICON)})([^"]*)(")')


def _names_hint(names: Iterable[str]) -> str:
    listed = list(names)
    shown = ", ".join(listed[:12])
    return f"use one of: {shown}" + (f", ... ({len(listed)} in all)" if len(listed) > 12 else "")


def _shown(site: SiteModel, path: Path) -> str:
    """A source as named on a page: relative to the repository, else by the variable that moved it;
    never an absolute path of the build machine."""
    paths = site.sources.paths
    for root in (paths.root, repo_root()):
        for candidate in (path, path.resolve()):
            if candidate.is_relative_to(root) or candidate.is_relative_to(root.resolve()):
                base = root if candidate.is_relative_to(root) else root.resolve()
                return candidate.relative_to(base).as_posix()
    for var, (attr, _default, _what) in ENV_VARS.items():
        location = getattr(paths, attr)
        if path == location or path.is_relative_to(location):
            inner = path.relative_to(location).as_posix()
            return f"${var}" + ("" if inner == "." else f"/{inner}")
    return path.name


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def diagram_markdown(site: SiteModel, name: str, *, from_page: str, caption: str | None = None) -> str:
    """A ``<figure>`` holding diagram *name* as inline SVG (clickable), its alt text and a caption
    naming the sources it was drawn from, for the page *from_page* (a src_uri)."""
    rendered = render_diagrams(site)
    diagram = rendered.get(name)
    if diagram is None:
        raise CellsDocsError(f"no diagram named {name!r}", hint=_names_hint(rendered))
    here = page_url(from_page, directory_urls=site.directory_urls)

    def place(match: re.Match[str]) -> str:
        prefix, kind, target, end = match.groups()
        target = html.unescape(target)
        if kind == ICON:
            target = f"{ICONS}/{target}"
        return prefix + escape_attr(relative_url(target, here)) + end

    svg = _PLACEHOLDER.sub(place, diagram.svg)
    lead = text(caption.strip().rstrip(".") if caption else diagram.title)
    sources = [code(_shown(site, path)) for path in diagram.sources]
    origin = f" from {_and(sources)}" if sources else ""
    hint = " Select a box to open its page." if "<a href=" in svg else ""
    return (
        f'<figure class="cells-diagram" id="figure-{escape_attr(name)}">\n{svg}'
        f"<figcaption>{lead}. Drawn at build time{origin} by {code(_shown(site, diagram.definition))}.{hint}"
        "</figcaption>\n</figure>\n"
    )
