"""Live architecture diagrams: drawn from the typed models at every build, clickable, self-contained.

Definitions live in ``diagrams/*.py`` at the repository root. That folder is not a package (an
``__init__.py`` there would shadow the ``diagrams`` library), so each file is loaded by path under
a private module name. A definition exposes either

- ``build(site) -> DiagramSpec``: one diagram, named after the file with ``_`` as ``-``
  (``system_overview.py`` -> ``system-overview``), or
- ``variants(site) -> Iterable[str]`` and ``build(site, variant) -> DiagramSpec``: one diagram per
  variant, named ``<file>-<variant>`` (``cell.py`` -> ``cell-cell-1``, ``cell-cell-2``...).

It draws with the ``diagrams`` package inside ``with Drawing(...)`` (a ``Diagram`` that never runs
Graphviz nor writes a file), passing ``nodeid=`` to every node (see :func:`ident`), :func:`label`
for every text and :func:`linked` for links. This module then renders the DOT with the real
``dot`` through a cache (``<root>/.cache/diagrams/<sha256 of Graphviz version and DOT>.svg``; a
warm build renders nothing) and makes the SVG fit for inlining in a page: Graphviz comments and
generated titles dropped, links made relative to the page (a plain ``href`` beside
``xlink:href``), icons served as site assets instead of absolute paths of the build machine,
source text escaped, alt text added.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.util
import os
import posixpath
import re
import shutil
import subprocess
import sys
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cellsdocs.cachefile import write_atomic
from cellsdocs.errors import CellsDocsError
from cellsdocs.markdown import code, escape_attr, text
from cellsdocs.settings import ENV_VARS, repo_root
from cellsdocs.sources.textio import display_path

# Untyped libraries, imported by name: for mypy and ruff, ``diagrams`` is also this repository's
# diagrams/ folder (of definitions, not a package), which the library wins over at run time.
diagrams: Any = importlib.import_module("diagrams")
graphviz: Any = importlib.import_module("graphviz")

if TYPE_CHECKING:
    from cellsdocs.site import SiteModel
    from cellsdocs.sources.protos.model import Method

__all__ = [
    "ICONS",
    "RENDER_STATS",
    "TABLE_NODE",
    "Cell",
    "DiagramSpec",
    "Drawing",
    "RenderedDiagram",
    "api_link",
    "cluster",
    "diagram_assets",
    "diagram_dots",
    "diagram_markdown",
    "diagram_names",
    "find_rpc",
    "icon_file",
    "ident",
    "label",
    "linked",
    "page_link",
    "page_url",
    "relative_url",
    "render_diagrams",
    "table",
    "tooltip",
]

#: site folder the icons are copied to
ICONS = "assets/diagrams/icons"
#: placeholders in the rendered SVG, replaced by paths relative to the page that shows it
SITE = "@@SITE@@/"
_ICON = "@@ICON@@/"
#: how many diagrams Graphviz rendered and how many came from the cache (tests, benchmark)
RENDER_STATS = {"rendered": 0, "cached": 0}
#: seconds one Graphviz run may take
TIMEOUT_S = 120

# Colours of the light palette; docs/assets/cells.css maps each to its counterpart in the dark one
# (the SVG is inline, so CSS overrides its colour attributes).
INK = "#2D3436"
MUTED = "#56616A"
EDGE = "#7B8894"
FONT = "Sans-Serif"
_CARD_STYLE = "max-width:100%;height:auto;border-radius:0.4rem"  # the card's colours: cells.css

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


# --- what definitions use ---------------------------------------------------------------------


class Drawing(diagrams.Diagram):  # type: ignore[misc]  # the library is untyped
    """A ``diagrams.Diagram`` for live diagrams: leaving the ``with`` block renders nothing and
    writes no file (this module renders the DOT, through its cache)."""

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


def _xml(value: object) -> str:
    return html.escape(" ".join(str(value).split()), quote=True)


def label(*lines: object, bold_first: bool = False, small_rest: bool = False, left: bool = False) -> str:
    """A Graphviz HTML-like label showing *lines* verbatim: source text is escaped, so ``<script>``,
    backslash escapes (``\\N``, ``\\d``) and DOT quoting have no effect."""
    parts = []
    for number, line in enumerate(lines):
        body = _xml(line)
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
    body = _xml(cell.text) or " "
    if cell.mono:
        body = f'<FONT FACE="monospace">{body}</FONT>'
    if cell.bold:
        body = f"<B>{body}</B>"
    if cell.muted:
        body = f'<FONT COLOR="{MUTED}">{body}</FONT>'
    attrs = ' ALIGN="LEFT"' + (f' COLSPAN="{cell.colspan}"' if cell.colspan > 1 else "")
    if cell.href:
        attrs += f' HREF="{_xml(cell.href)}" TARGET="_top"'
    if cell.href or cell.tip is not None:
        attrs += f' TITLE="{_xml(cell.tip if cell.tip is not None else cell.text)}"'
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
    link = f' HREF="{_xml(href)}" TARGET="_top" TITLE="{_xml(tip if tip is not None else title[0])}"' if href else ""
    heading = label(*title, bold_first=True, small_rest=True, left=True)[1:-1]
    picture = ""
    if icon is not None:
        image = f'<IMG SCALE="TRUE" SRC="{_xml(icon_file(icon))}"/>'
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


# --- loading definitions ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Definition:
    path: Path
    module: ModuleType

    @property
    def base(self) -> str:
        return self.path.stem.replace("_", "-")


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def definitions_dir(site: SiteModel) -> Path:
    """``diagrams/`` beside the site's ``mkdocs.yml``, else the one of this checkout."""
    local = site.sources.paths.root / "diagrams"
    return local if local.is_dir() else repo_root() / "diagrams"


def _where(exc: BaseException, path: Path) -> int | None:
    """The last line of *path* the traceback of *exc* went through."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _load(path: Path) -> _Definition:
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    module_name = f"_cellsdocs_diagram_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise CellsDocsError("cannot load diagram definition", file=display_path(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise CellsDocsError(
            f"diagram definition cannot be loaded: {type(exc).__name__}: {exc}",
            file=display_path(path),
            line=_where(exc, path),
        ) from exc
    if not callable(getattr(module, "build", None)):
        raise CellsDocsError(
            "diagram definition has no build() function",
            file=display_path(path),
            hint="define build(site) -> DiagramSpec (or variants(site) and build(site, variant))",
        )
    return _Definition(path, module)


def load_definitions(folder: Path) -> list[_Definition]:
    """Every definition in *folder* (``_*.py`` files are not definitions), in name order."""
    if not folder.is_dir():
        raise CellsDocsError("diagram definitions folder not found", file=display_path(folder))
    return [_load(path) for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]


def _call(definition: _Definition, name: str, function: Callable[..., Any], *args: Any) -> Any:
    try:
        return function(*args)
    except CellsDocsError as exc:
        raise CellsDocsError(
            f"diagram {name!r}: {exc.message}",
            file=exc.file or display_path(definition.path),
            line=exc.line,
            key=exc.key,
            hint=exc.hint,
        ) from exc
    except Exception as exc:
        raise CellsDocsError(
            f"diagram {name!r}: its definition raised {type(exc).__name__}: {exc}",
            file=display_path(definition.path),
            line=_where(exc, definition.path),
            hint="fix the definition",
        ) from exc


@dataclass(frozen=True, kw_only=True)
class _Built:
    name: str
    spec: DiagramSpec
    definition: Path
    dot: str


def _build(site: SiteModel, definition: _Definition, name: str, *args: Any) -> _Built:
    spec = _call(definition, name, definition.module.build, site, *args)
    if not isinstance(spec, DiagramSpec):
        raise CellsDocsError(
            f"diagram {name!r}: build() returned {type(spec).__name__}, not a DiagramSpec",
            file=display_path(definition.path),
            hint="return DiagramSpec(drawing=..., alt=..., sources=...)",
        )
    dot = spec.drawing.dot
    dot.name = name
    dot.graph_attr["id"] = "diagram-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)
    return _Built(name=name, spec=spec, definition=definition.path, dot=dot.source)


def _build_all(site: SiteModel) -> dict[str, _Built]:
    built: dict[str, _Built] = {}

    def add(item: _Built) -> None:
        if item.name in built:
            raise CellsDocsError(
                f"two diagrams are named {item.name!r}",
                file=display_path(item.definition),
                hint=f"rename this definition or the one in {display_path(built[item.name].definition)}",
            )
        built[item.name] = item

    for definition in load_definitions(definitions_dir(site)):
        variants = getattr(definition.module, "variants", None)
        if variants is None:
            add(_build(site, definition, definition.base))
            continue
        for variant in _call(definition, definition.base + "-*", lambda v=variants: [str(x) for x in v(site)]):
            name = f"{definition.base}-{variant}"
            if not _NAME.match(variant):
                raise CellsDocsError(
                    f"diagram {name!r}: variant {variant!r} cannot be part of a name",
                    file=display_path(definition.path),
                    hint="use letters, digits, '.', '_' and '-'",
                )
            add(_build(site, definition, name, variant))
    return built


# --- rendering --------------------------------------------------------------------------------

_VERSIONS: dict[str, str] = {}


def _graphviz() -> tuple[str, str]:
    """The ``dot`` executable and its version (part of every cache key)."""
    exe = shutil.which("dot")
    if exe is None:
        raise CellsDocsError("Graphviz 'dot' not found", hint="apt-get install graphviz")
    if exe not in _VERSIONS:
        try:
            proc = subprocess.run([exe, "-V"], capture_output=True, text=True, check=False, timeout=TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CellsDocsError(f"Graphviz 'dot' cannot run: {exc}", hint="apt-get install graphviz") from exc
        _VERSIONS[exe] = " ".join((proc.stderr or proc.stdout).split())
    return exe, _VERSIONS[exe]


def _run_dot(exe: str, name: str, dot: str) -> str:
    """SVG of one diagram. One ``dot`` process per diagram: several graphs in one process do not
    always come out the same (Graphviz orders subgraphs by memory address)."""
    try:
        proc = subprocess.run(
            [exe, "-Tsvg"], input=dot, capture_output=True, text=True, encoding="utf-8", check=False, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        raise CellsDocsError(f"diagram {name!r}: Graphviz took longer than {TIMEOUT_S} s", hint="simplify it") from exc
    except OSError as exc:
        raise CellsDocsError(f"Graphviz 'dot' cannot run: {exc}", hint="apt-get install graphviz") from exc
    if proc.returncode != 0 or "<svg" not in proc.stdout:
        reason = " ".join(proc.stderr.split()) or f"exit status {proc.returncode}"
        raise CellsDocsError(f"diagram {name!r}: Graphviz failed: {reason}")
    return proc.stdout


def render_svgs(dots: Mapping[str, str], *, cache_dir: Path | None) -> dict[str, str]:
    """Graphviz SVG of each named DOT source. A cache hit costs a file read; the misses are
    rendered by ``dot`` processes running in parallel."""
    exe, version = _graphviz()
    keys = {name: hashlib.sha256(f"{version}\n{dot}".encode()).hexdigest() for name, dot in dots.items()}
    out: dict[str, str] = {}
    missing: list[str] = []
    for name in dots:
        cached = cache_dir / f"{keys[name]}.svg" if cache_dir is not None else None
        if cached is not None and cached.is_file():
            out[name] = cached.read_text(encoding="utf-8")
            RENDER_STATS["cached"] += 1
        else:
            missing.append(name)
    if missing:
        workers = max(1, min(2 * (os.cpu_count() or 1), 8, len(missing)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            svgs = list(pool.map(lambda name: _run_dot(exe, name, dots[name]), missing))
        for name, svg in zip(missing, svgs, strict=True):
            out[name] = svg
            RENDER_STATS["rendered"] += 1
            if cache_dir is not None:
                write_atomic(cache_dir / f"{keys[name]}.svg", svg)  # unique temporary name per writer
    return {name: out[name] for name in dots}


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


def _finish_svg(svg: str, *, name: str, title: str, alt: str) -> tuple[str, dict[str, Path]]:
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
        return f'<image href="{_ICON}{asset}" xlink:href="{_ICON}{asset}"{rest}/>'

    svg = re.sub(r"<a\b([^>]*)>", link, svg)
    svg = re.sub(r"<image\b([^>]*?)/?>", image, svg)

    def root(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        keep = "".join(f' {key}="{attrs[key]}"' for key in ("width", "height", "viewBox") if key in attrs)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"{keep}'
            f' role="group" aria-label="{_braces(escape_attr(alt))}" style="{_CARD_STYLE}">'
            f"\n<title>{_braces(_xml(title))}</title>\n<desc>{_braces(_xml(alt))}</desc>"
        )

    svg = re.sub(r"<svg\b([^>]*)>", root, svg, count=1)
    svg = _unique_ids(svg)
    lines = [line.rstrip() for line in svg.strip().splitlines()]
    return "\n".join(line for line in lines if line.strip()) + "\n", icons


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


_BUILT: weakref.WeakKeyDictionary[SiteModel, dict[str, _Built]] = weakref.WeakKeyDictionary()
_RENDERED: weakref.WeakKeyDictionary[SiteModel, dict[str, RenderedDiagram]] = weakref.WeakKeyDictionary()


def _built(site: SiteModel) -> dict[str, _Built]:
    if site not in _BUILT:
        _BUILT[site] = _build_all(site)
    return _BUILT[site]


def diagram_names(site: SiteModel) -> list[str]:
    """The name of every diagram the definitions draw for these sources."""
    return list(_built(site))


def diagram_dots(site: SiteModel) -> dict[str, str]:
    """Name -> DOT source of every diagram (no Graphviz needed)."""
    return {name: item.dot for name, item in _built(site).items()}


def render_diagrams(site: SiteModel) -> dict[str, RenderedDiagram]:
    """Every diagram, rendered once per site model (and once per content, thanks to the cache)."""
    if site in _RENDERED:
        return _RENDERED[site]
    built = _built(site)
    svgs = render_svgs(
        {name: item.dot for name, item in built.items()}, cache_dir=site.sources.paths.root / ".cache" / "diagrams"
    )
    rendered: dict[str, RenderedDiagram] = {}
    for name, item in built.items():
        svg, icons = _finish_svg(svgs[name], name=name, title=item.spec.title, alt=item.spec.alt)
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


# --- the contract with the site ---------------------------------------------------------------


def diagram_assets(site: SiteModel) -> dict[str, bytes]:
    """Site path -> content of every icon the diagrams show."""
    assets: dict[str, bytes] = {}
    for diagram in render_diagrams(site).values():
        for asset, source in diagram.icons:
            uri = f"{ICONS}/{asset}"
            if uri not in assets:
                assets[uri] = source.read_bytes()
    return dict(sorted(assets.items()))


_PLACEHOLDER = re.compile(r'(href=")(@@SITE@@/|@@ICON@@/)([^"]*)(")')


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
        if kind == _ICON:
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
