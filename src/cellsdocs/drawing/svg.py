"""Graphviz SVG made fit for inlining in a page.

Graphviz comments and generated titles are dropped; every id is made unique; a link keeps its
``@@SITE@@/`` placeholder (see :func:`cellsdocs.drawing.api.page_link`) and gets a plain ``href``
beside ``xlink:href``; an icon, an absolute path of the build machine, becomes ``@@ICON@@/<name>``
(served as a site asset); no ``@@`` or ``{{`` from source text survives; the title and alt text are
added for readers who cannot see the picture. :mod:`cellsdocs.drawing.place` replaces the
placeholders by paths relative to the page that shows the diagram.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib
import re
from pathlib import Path
from typing import Any

from cellsdocs.drawing.api import SITE, xml_text
from cellsdocs.errors import CellsDocsError
from cellsdocs.markdown import escape_attr

# Untyped library, imported by name (``diagrams`` is also this repository's folder of definitions).
diagrams: Any = importlib.import_module("diagrams")

__all__ = ["ICON", "finish_svg"]

#: placeholder for the site folder of the icons in the rendered SVG
ICON = "@@ICON@@/"
_CARD_STYLE = "max-width:100%;height:auto;border-radius:0.4rem"  # the card's colours: cells.css

_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


@functools.cache
def _icon_name(path: Path) -> str | None:
    """Site file name of an icon: its path under the ``diagrams`` resources, flattened (None if
    there is no such file)."""
    if not path.is_absolute() or not path.is_file():
        return None
    resources = Path(diagrams.__file__).resolve().parent.parent / "resources"
    try:
        return "-".join(path.resolve().relative_to(resources).parts)
    except ValueError:
        return f"{path.stem}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}{path.suffix}"


def _braces(value: str) -> str:
    """No ``@@`` may pass for a placeholder and no ``{{`` for Jinja: source text can hold anything."""
    return value.replace("@", "&#64;").replace("{", "&#123;").replace("}", "&#125;")


def _unique_ids(svg: str) -> str:
    """Each id once: Graphviz gives every cluster (and its link) the graph's own id, which
    clusters inherit; a repeated id is numbered (``diagram-x``, ``diagram-x-2``...)."""
    seen: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        value = match.group(1)
        seen[value] = seen.get(value, 0) + 1
        return match.group(0) if seen[value] == 1 else f' id="{value}-{seen[value]}"'

    return re.sub(r' id="([^"]*)"', number, svg)


def finish_svg(svg: str, *, name: str, title: str, alt: str) -> tuple[str, dict[str, Path]]:
    """Graphviz SVG -> markup to inline in a page, with ``@@SITE@@/`` and ``@@ICON@@/`` links."""
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<title>[^<]*</title>\s*", "", svg)  # Graphviz's: node ids, not for readers
    svg = _braces(svg)
    icons: dict[str, Path] = {}

    def link(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        href = html.unescape(attrs.pop("xlink:href", ""))
        tip = attrs.pop("xlink:title", None)
        out = ""
        if href:
            if not href.startswith(SITE):
                raise CellsDocsError(
                    f"diagram {name!r}: link {href!r} is not a page of the site", hint="use page_link()"
                )
            out += f' href="{escape_attr(href)}" xlink:href="{escape_attr(href)}"'
        out += "".join(f' {key}="{value}"' for key, value in attrs.items())
        return f"<a{out}>" + (f"<title>{tip}</title>" if tip else "")

    def image(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        source = Path(html.unescape(attrs.pop("xlink:href", "")))
        asset = _icon_name(source)
        if asset is None:
            raise CellsDocsError(f"diagram {name!r}: icon {source.name!r} not found", hint="use a diagrams node icon")
        icons[asset] = source
        rest = "".join(f' {key}="{value}"' for key, value in attrs.items())
        return f'<image href="{ICON}{asset}" xlink:href="{ICON}{asset}"{rest}/>'

    svg = re.sub(r"<a\b([^>]*)>", link, svg)
    svg = re.sub(r"<image\b([^>]*?)/?>", image, svg)

    def root(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        keep = "".join(f' {key}="{attrs[key]}"' for key in ("width", "height", "viewBox") if key in attrs)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"{keep}'
            f' role="group" aria-label="{_braces(escape_attr(alt))}" style="{_CARD_STYLE}">'
            f"\n<title>{_braces(xml_text(title))}</title>\n<desc>{_braces(xml_text(alt))}</desc>"
        )

    svg = re.sub(r"<svg\b([^>]*)>", root, svg, count=1)
    svg = _unique_ids(svg)
    lines = [line.rstrip() for line in svg.strip().splitlines()]
    return "\n".join(line for line in lines if line.strip()) + "\n", icons
