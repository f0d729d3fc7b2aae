"""The MkDocs side: wires build events to the library. No logic lives here.

- ``on_config``: load and validate every source (cached by a fingerprint of the files), expand
  the ``<folder>/*`` placeholders of the nav.
- ``on_files``: bring ``adr/`` and ``runbooks/`` from the top level (or ``CELLS_ADR_DIR``,
  ``CELLS_RUNBOOK_DIR``) into the site and add the generated pages.
- ``on_page_markdown`` (before mkdocs-macros): keep Prometheus/Go templates and code verbatim.
- ``on_serve``: watch the sources, so ``make serve`` rebuilds when they change.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from . import buildclock
from .adr import adr_files
from .drift import DRIFT_PAGE, PLACEHOLDER, drift_mode, findings_json, render_findings
from .errors import CellsDocsError
from .escaping import nav_title
from .runbooks import runbook_files
from .settings import SourcePaths
from .site import SiteModel
from .sources import SourcesInvalid, fingerprint, load_sources
from .templating import literal_template, protect_foreign_templates

__all__ = [
    "on_config",
    "on_env",
    "on_files",
    "on_page_content",
    "on_page_markdown",
    "on_post_build",
    "on_post_page",
    "on_serve",
    "site_for",
]

log = logging.getLogger("mkdocs.plugins.cellsdocs")
_CACHE: dict[SourcePaths, tuple[str, SiteModel]] = {}
#: the site model of the build in progress, keyed by its config object: pages ask for it often,
#: and fingerprinting the sources on each request would stat every source file per page
_CURRENT: list[tuple[int, SiteModel]] = []


def paths_for(config: MkDocsConfig) -> SourcePaths:
    return SourcePaths.from_env(Path(config.config_file_path).resolve().parent)


def site_for(config: MkDocsConfig) -> SiteModel:
    """The validated sources of this build and what is rendered from them (once per change)."""
    if _CURRENT and _CURRENT[0][0] == id(config):
        return _CURRENT[0][1]
    paths = paths_for(config)
    stamp = f"{fingerprint(paths)}:{config.use_directory_urls}"
    cached = _CACHE.get(paths)
    if cached is not None and cached[0] == stamp:
        _CURRENT[:] = [(id(config), cached[1])]
        return cached[1]
    try:
        sources = load_sources(paths, drift=drift_mode())
    except SourcesInvalid as exc:
        raise PluginError("\n".join(e.format() for e in exc.errors)) from exc
    site = SiteModel(sources, directory_urls=config.use_directory_urls)
    _CACHE[paths] = (stamp, site)
    _CURRENT[:] = [(id(config), site)]
    return site


def _collection_files(paths: SourcePaths) -> dict[str, Path]:
    """Site path -> file on disk for every ADR and runbook."""
    files = {f"adr/{p.name}": p for p in adr_files(paths.adr_dir)}
    for path in runbook_files(paths.runbook_dir):
        files[f"runbooks/{path.parent.name}/{path.name}"] = path
    return files


def _explicit(entry: Any) -> set[str]:
    """Every page the nav names itself."""
    if isinstance(entry, str):
        return set() if entry.endswith("/*") else {entry}
    if isinstance(entry, list):
        return set().union(*(_explicit(e) for e in entry)) if entry else set()
    if isinstance(entry, dict):
        return set().union(*(_explicit(v) for v in entry.values())) if entry else set()
    return set()


def expand_nav(nav: Any, uris: list[str]) -> Any:
    """Fill the ``folder/*`` entries of *nav* with the pages not named elsewhere in it."""
    named = _explicit(nav)
    return _expand(nav, [u for u in uris if u not in named])


#: a nav section longer than this is split into sub-sections: every page carries its section's links,
#: so a 1,000-page flat section makes every one of those pages heavy (see docs/development)
NAV_CHUNK = 50
#: and more sub-sections than this are grouped into sections of them, level by level, so that what a
#: page carries grows with the logarithm of the collection, not with its size
NAV_FANOUT = 10


def _natural(uri: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", uri)]


def _label(uri: str) -> str:
    stem = Path(uri).stem
    return stem.split("-")[0] if stem[:1].isdigit() else stem


def _chunked(pages: list[str]) -> list[Any]:
    """*pages* as they go into the nav: as they are up to ``NAV_CHUNK``, else in sections of that
    many, grouped ``NAV_FANOUT`` to a section as often as needed; each section is labelled with the
    range it holds (``0100 – 0149``)."""
    if len(pages) <= NAV_CHUNK:
        return list(pages)
    level: list[tuple[str, str, Any]] = [
        (_label(part[0]), _label(part[-1]), part)
        for part in (pages[start : start + NAV_CHUNK] for start in range(0, len(pages), NAV_CHUNK))
    ]
    while len(level) > NAV_FANOUT:
        level = [
            (group[0][0], group[-1][1], [{f"{first} – {last}": children} for first, last, children in group])
            for group in (level[start : start + NAV_FANOUT] for start in range(0, len(level), NAV_FANOUT))
        ]
    return [{f"{first} – {last}": children} for first, last, children in level]


def _expand(entry: Any, uris: list[str]) -> Any:
    """Replace ``"folder/*"`` nav entries with the pages in that folder (sections for subfolders)."""
    if isinstance(entry, str) and entry.endswith("/*"):
        folder = entry[:-1]
        members = sorted((u for u in uris if u.startswith(folder) and u != f"{folder}index.md"), key=_natural)
        flat = _chunked([u for u in members if "/" not in u[len(folder) :]])
        sections: dict[str, list[str]] = {}
        for uri in members:
            rest = uri[len(folder) :]
            if "/" in rest:
                sections.setdefault(rest.split("/", 1)[0], []).append(uri)
        expanded: list[Any] = list(flat)
        for name, pages in sorted(sections.items()):
            index = f"{folder}{name}/index.md"
            chunks = _chunked([p for p in pages if p != index])
            expanded.append({nav_title(name): ([index] if index in uris else []) + chunks})
        return expanded
    if isinstance(entry, list):
        out: list[Any] = []
        for item in entry:
            value = _expand(item, uris)
            if isinstance(item, str) and item.endswith("/*"):
                out.extend(value)
            else:
                out.append(value)
        return out
    if isinstance(entry, dict):
        return {key: _expand(value, uris) for key, value in entry.items()}
    return entry


OFFLINE_SHIM = "assets/javascripts/iframe-worker-shim.js"


def _offline(config: MkDocsConfig) -> bool:
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return bool(plugin is not None and plugin.config.enabled)


def _one_line_errors(function: Any) -> Any:
    """Turn the library's errors into PluginError (one line, no traceback) at the MkDocs edge."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except CellsDocsError as exc:
            raise PluginError(exc.format()) from exc

    return wrapper


def _check_site_dir(config: MkDocsConfig) -> None:
    """``mkdocs build`` empties its site folder: never a source, the docs or a tracked folder."""
    from .sitedir import check_site_dir

    root = Path(config.config_file_path).resolve().parent
    sources = [*paths_for(config).watched(), Path(config.docs_dir)]
    check_site_dir(config.site_dir, root=root, sources=sources, siblings=(), label="site_dir")


@_one_line_errors
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    started = time.perf_counter()
    if _offline(config):
        # Material's offline plugin loads its web-worker shim from a CDN; ship it with the bundle.
        polyfills = [p for p in config.extra.get("polyfills", []) if "iframe-worker" not in str(p)]
        config.extra["polyfills"] = [*polyfills, OFFLINE_SHIM]
    _check_site_dir(config)
    site = site_for(config)
    site.macro_findings.clear()  # a new build: findings are this build's own
    if config.nav:
        uris = sorted([*_collection_files(site.sources.paths), *site.pages])
        config.nav = expand_nav(config.nav, uris)
    target = os.environ.get("CELLS_DUMP_MARKDOWN")
    if target:  # benchmark only: the expanded nav for the plain MkDocs build
        import json

        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / "_nav.json").write_text(json.dumps(config.nav), encoding="utf-8")
    hooks: Any = config.hooks  # name -> module (typed as a list in MkDocs)
    buildclock.install(config, started=started, owners={"macros", *hooks})
    return config


@_one_line_errors
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    site = site_for(config)
    for uri, path in _collection_files(site.sources.paths).items():
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"{uri} exists both in docs/ and in {path.parent}: remove the copy in docs/")
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    for uri, content in site.pages.items():
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"docs/{uri} would hide a generated page: remove it from docs/")
        files.append(File.generated(config, uri, content=content))
    for uri, data in site.assets.items():
        files.append(File.generated(config, uri, content=data))
    # written in full by on_post_build, once every page's references are known
    files.append(File.generated(config, "drift.json", content=findings_json([], mode=site.drift_mode)))
    if _offline(config):
        shim = Path(config.config_file_path).resolve().parent / "node_modules" / "iframe-worker" / "shim" / "index.js"
        if not shim.is_file():
            raise PluginError(f"{shim} not found: the offline bundle needs it (fix: run make setup-test, or npm ci)")
        files.append(File.generated(config, OFFLINE_SHIM, abs_src_path=str(shim)))
    return files


#: front-matter keys the theme (Material) writes into pages as they are: the title in the navigation,
#: ``<title>`` and header; ``description`` in a meta tag; ``subtitle``; ``status``; ``tags`` in the
#: search index, whose results Material inserts as HTML
THEMED_META = ("title", "description", "subtitle", "status", "tags")


def escape_front_matter(meta: MutableMapping[str, Any]) -> None:
    """Front matter is data: the values the theme shows are escaped for HTML (braces included, so
    mkdocs-macros, which renders titles that look like templates, leaves them alone)."""
    for key in THEMED_META:
        value = meta.get(key)
        if isinstance(value, list):
            meta[key] = [str(nav_title(item)) if isinstance(item, str) else item for item in value]
        elif value is not None and not isinstance(value, dict):
            meta[key] = nav_title(value)


@event_priority(100)  # before mkdocs-macros renders the page with Jinja
def _protect_page(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    escape_front_matter(page.meta)
    title = page.title  # from the front matter (escaped above) or the page's first heading
    if title and any(marker in title for marker in ("{{", "{%", "{#")):
        page.title = literal_template(title)  # mkdocs-macros renders titles: a title is never a template
    return protect_foreign_templates(markdown)


@event_priority(-50)  # after mkdocs-macros: generated blocks keep their {{ }} verbatim
@_one_line_errors
def _decorate_page(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    return site_for(config).decorate(page.file.src_uri, markdown)


on_page_markdown = CombinedEvent(_protect_page, _decorate_page)


@event_priority(-100)  # after every other plugin: the final Markdown of the page
def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Take the title from the rendered heading; with ``CELLS_DUMP_MARKDOWN``, save the final Markdown."""
    if "title" not in page.meta and page._title_from_render:
        # mkdocs-macros re-renders the raw title and pins it, tags and all; MkDocs' own title
        # from the rendered heading is plain text, which the theme writes unescaped (and Material's
        # ``<title>`` unescapes it once more): kept escaped as the page's title.
        page.__dict__.pop("title", None)
        if page.is_homepage:  # Material leaves the home page's title out of <title>
            page.title = nav_title(page._title_from_render)
        else:
            page.meta["title"] = nav_title(page._title_from_render)
    target = os.environ.get("CELLS_DUMP_MARKDOWN")
    if target:
        dump_page(Path(target), page)
    return html


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """The drift report page gets the findings of the whole build (every page is rendered by now)."""
    if page.file.src_uri != DRIFT_PAGE or PLACEHOLDER not in output:
        return output
    import markdown

    findings = markdown.markdown(render_findings(site_for(config).findings), extensions=["tables"])
    return output.replace(PLACEHOLDER, findings, 1)


def on_post_build(*, config: MkDocsConfig) -> None:
    """``drift.json`` at the site root: the mode and every finding (an empty list in a strict build)."""
    site = site_for(config)
    Path(config.site_dir, "drift.json").write_text(findings_json(site.findings, mode=site.drift_mode), encoding="utf-8")


def on_env(env: Any, *, config: MkDocsConfig, files: Files) -> Any:
    """With ``CELLS_DUMP_MARKDOWN`` (benchmark only), also save every non-page file of the site."""
    target = os.environ.get("CELLS_DUMP_MARKDOWN")
    if target:
        theme_dirs = [str(Path(d).resolve()) for d in config.theme.dirs]
        for file in files:
            from_theme = file.abs_src_path and any(file.abs_src_path.startswith(d) for d in theme_dirs)
            if not file.is_documentation_page() and not from_theme:
                path = Path(target) / file.src_uri
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(file.content_bytes)
    return env


def dump_page(folder: Path, page: Page) -> None:
    import yaml

    meta = {k: (str(v) if isinstance(v, str) else v) for k, v in page.meta.items() if k != "render_macros"}
    front = f"---\n{yaml.safe_dump(meta, sort_keys=True)}---\n\n" if meta else ""
    path = folder / page.file.src_uri
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front + (page.markdown or ""), encoding="utf-8")


def on_serve(server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
    root = Path(config.config_file_path).resolve().parent
    for path in [*paths_for(config).watched(), root / "diagrams", root / "src", root / "macros"]:
        if path.exists():
            server.watch(str(path))
    return server
