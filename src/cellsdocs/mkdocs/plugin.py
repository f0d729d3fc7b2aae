"""The ``cells`` MkDocs plugin: wires build events to the library (``- cells`` in ``mkdocs.yml``).

- ``on_config``: load and validate every source (once per change of the source files, kept on
  the plugin: under ``mkdocs serve`` the instance lives across rebuilds), expand the
  ``<folder>/*`` placeholders of the nav.
- ``on_files``: bring ``adr/`` and ``runbooks/`` from their folders into the site and add the
  generated pages and assets.
- ``on_page_markdown``: before mkdocs-macros, front matter is made data and foreign templates
  verbatim; after it, runbooks and ADRs get their generated decorations.
- ``on_post_page`` / ``on_post_build``: the drift report and ``drift.json``.
- ``on_serve``: watch the sources, so a change to them rebuilds.

Every option can come from the environment with ``!ENV`` (see ``mkdocs.yml``); blank means the
default. Source locations left unset come from ``sources.toml``, else the in-repo defaults.
"""

from __future__ import annotations

import time

_IMPORT_STARTED = time.perf_counter()

import datetime as dt  # noqa: E402
import functools  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
from collections.abc import MutableMapping  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from mkdocs.config import base  # noqa: E402
from mkdocs.config import config_options as c  # noqa: E402
from mkdocs.config.base import BaseConfigOption, ValidationError  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402

from cellsdocs.errors import CellsDocsError  # noqa: E402
from cellsdocs.escaping import nav_title  # noqa: E402
from cellsdocs.mkdocs import buildclock  # noqa: E402
from cellsdocs.mkdocs.compat import require  # noqa: E402
from cellsdocs.mkdocs.nav import collection_files, expand_nav  # noqa: E402
from cellsdocs.mkdocs.templating import literal_template, protect_foreign_templates  # noqa: E402
from cellsdocs.render.drift import DRIFT_PAGE, PLACEHOLDER, findings_json, render_findings  # noqa: E402
from cellsdocs.settings import BuildOptions, SourcePaths, manifest_file  # noqa: E402
from cellsdocs.site import SiteModel  # noqa: E402
from cellsdocs.sources.load import SourcesInvalid, fingerprint, load_sources  # noqa: E402

__all__ = ["CellsConfig", "CellsPlugin", "site_for"]

log = logging.getLogger("mkdocs.plugins.cells")

#: plugin option -> the environment variable the CLI reads for the same setting
SOURCE_OPTIONS = {
    "sources": "CELLS_SOURCES",
    "proto_root": "CELLS_PROTO_ROOT",
    "topology_config": "CELLS_TOPOLOGY_CONFIG",
    "router_rules": "CELLS_ROUTER_RULES",
    "alert_rules": "CELLS_ALERT_RULES",
    "adr_dir": "CELLS_ADR_DIR",
    "runbook_dir": "CELLS_RUNBOOK_DIR",
}
OFFLINE_SHIM = "assets/javascripts/iframe-worker-shim.js"
#: front-matter keys the theme (Material) writes into pages as they are: the title in the navigation,
#: ``<title>`` and header; ``description`` in a meta tag; ``subtitle``; ``status``; ``tags`` in the
#: search index, whose results Material inserts as HTML
THEMED_META = ("title", "description", "subtitle", "status", "tags")


class _Text(BaseConfigOption[str]):
    """A text option that may come through ``!ENV``, whose value MkDocs reads as YAML: a date
    (``CELLS_BUILD_DATE=2026-06-01``) or a number (an all-digit commit) is taken as its text."""

    def run_validation(self, value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
            raise ValidationError(f"expected text, got {type(value).__name__}")
        return str(value)


class CellsConfig(base.Config):  # type: ignore[no-untyped-call]
    """The plugin's options (all optional; relative paths are relative to ``mkdocs.yml``)."""

    sources = c.Optional(_Text())  #: the source manifest (default ``sources.toml``)
    proto_root = c.Optional(_Text())  #: import root of the .proto tree (overrides the manifest)
    topology_config = c.Optional(_Text())  #: the Topology Service's config.toml
    router_rules = c.Optional(_Text())  #: folder of the HTTP router's rule sets
    alert_rules = c.Optional(_Text())  #: folder of Prometheus rule files
    adr_dir = c.Optional(_Text())  #: folder of decision records
    runbook_dir = c.Optional(_Text())  #: folder of runbooks
    active_rule_set = c.Optional(_Text())  #: the rule set the router runs
    api_base = c.Optional(_Text())  #: the revision the API changes page compares with
    build_date = c.Optional(_Text())  #: YYYY-MM-DD the build treats as today (review dates)
    drift = c.Optional(_Text())  #: ``strict`` (default) or ``report`` (previews)


def _one_line_errors(function: Any) -> Any:
    """Turn the library's errors into PluginError (one line, no traceback) at the MkDocs edge."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except CellsDocsError as exc:
            raise PluginError(exc.format()) from exc

    return wrapper


def escape_front_matter(meta: MutableMapping[str, Any]) -> None:
    """Front matter is data: the values the theme shows are escaped for HTML (braces included, so
    mkdocs-macros, which renders titles that look like templates, leaves them alone)."""
    for key in THEMED_META:
        value = meta.get(key)
        if isinstance(value, list):
            meta[key] = [str(nav_title(item)) if isinstance(item, str) else item for item in value]
        elif value is not None and not isinstance(value, dict):
            meta[key] = nav_title(value)


def offline_enabled(config: MkDocsConfig) -> bool:
    """Material's offline plugin is on (``make offline``): the build is the ``file://`` bundle."""
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return bool(plugin is not None and plugin.config.enabled)


class CellsPlugin(BasePlugin[CellsConfig]):  # type: ignore[no-untyped-call]
    """The site's machinery: sources in, generated pages and checks out. State lives here."""

    def __init__(self) -> None:
        super().__init__()
        #: fingerprint of the source files and the model loaded from them (kept across serve rebuilds)
        self._loaded: tuple[str, SiteModel] | None = None
        self._site: SiteModel | None = None
        self._nav: Any = None  #: the nav as written, before its placeholders are filled in
        self._expanded: Any = None  #: the nav this instance filled in (a config seen again has it)
        #: page -> the source kinds the macros it calls read (recorded as the build renders it; an
        #: incremental rebuild re-renders a page when one of them changes)
        self.macro_reads: dict[str, frozenset[str]] = {}
        #: the last build's files, navigation and template environment (for incremental rebuilds)
        self.built: dict[str, Any] = {}

    # -- the model -----------------------------------------------------------------------------

    def root(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path).resolve().parent

    def options(self) -> BuildOptions:
        cfg = self.config
        return BuildOptions.parse(
            {
                "drift": cfg.drift,
                "active_rule_set": cfg.active_rule_set,
                "api_base": cfg.api_base,
                "build_date": cfg.build_date,
            }
        )

    def _source_environ(self) -> dict[str, str]:
        """The source options as the ``CELLS_*`` settings :class:`SourcePaths` reads."""
        return {var: str(self.config[option]) for option, var in SOURCE_OPTIONS.items() if self.config[option]}

    def paths(self, config: MkDocsConfig) -> SourcePaths:
        return SourcePaths.from_env(self.root(config), environ=self._source_environ())

    @property
    def site(self) -> SiteModel:
        """The site model of the build under way (macros ask for it)."""
        if self._site is None:
            raise PluginError("cells: the site model is asked for before on_config loaded it")
        return self._site

    def load(self, config: MkDocsConfig, paths: SourcePaths | None = None) -> SiteModel:
        """The validated sources and what is rendered from them: loaded again only if a source changed."""
        paths = paths if paths is not None else self.paths(config)
        options = self.options()
        stamp = f"{fingerprint(paths)}:{config.use_directory_urls}:{options}"
        if self._loaded is not None and self._loaded[0] == stamp:
            return self._loaded[1]
        try:
            sources = load_sources(paths, options=options)
        except SourcesInvalid as exc:
            raise PluginError("\n".join(e.format() for e in exc.errors)) from exc
        site = SiteModel(sources, directory_urls=config.use_directory_urls, options=options)
        self._loaded = (stamp, site)
        return site

    def _check_site_dir(self, config: MkDocsConfig, paths: SourcePaths) -> None:
        """``mkdocs build`` empties its site folder: never a source, the docs or a tracked folder."""
        from cellsdocs.sitedir import check_site_dir

        sources = [*paths.watched(), Path(config.docs_dir)]
        check_site_dir(config.site_dir, root=self.root(config), sources=sources, siblings=(), label="site_dir")

    # -- events --------------------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Present so that ``mkdocs serve`` keeps this instance (and its loaded model) across rebuilds."""

    @_one_line_errors
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        started = time.perf_counter()
        require("mkdocs")
        if offline_enabled(config):
            # Material's offline plugin loads its web-worker shim from a CDN; ship it with the bundle.
            polyfills = [p for p in config.extra.get("polyfills", []) if "iframe-worker" not in str(p)]
            config.extra["polyfills"] = [*polyfills, OFFLINE_SHIM]
        paths = self.paths(config)  # reads sources.toml and sources.lock: once per build
        self._check_site_dir(config, paths)
        self._site = site = self.load(config, paths)
        site.macro_findings.clear()  # a new build: findings are this build's own
        self.macro_reads = {}
        self.built = {}
        # MkDocs keeps this instance across the builds of one process (serve) and loads a new config
        # for each: a nav that is not the one filled in last time is the nav as written (it may
        # have been edited since)
        if config.nav is not self._expanded:
            self._nav = config.nav
        if self._nav:
            uris = sorted([*collection_files(site.sources.paths), *site.pages])
            labels = {f"reference/api/{folder}": label for folder, label in site.api_nav_labels.items()}
            config.nav = self._expanded = expand_nav(self._nav, uris, site.absent_pages, labels) or []
        if os.environ.get("CELLS_DUMP_MARKDOWN"):  # benchmark only
            from cellsdocs.mkdocs.benchdump import dump_nav

            dump_nav(config)
        buildclock.install(config, started=started, owners={"macros", "cells"})
        return config

    @_one_line_errors
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        site = self.site
        for uri, path in collection_files(site.sources.paths).items():
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
        if offline_enabled(config):
            shim = self.root(config) / "node_modules" / "iframe-worker" / "shim" / "index.js"
            if not shim.is_file():
                raise PluginError(
                    f"{shim} not found: the offline bundle needs it (fix: run make setup-test, or npm ci)"
                )
            files.append(File.generated(config, OFFLINE_SHIM, abs_src_path=str(shim)))
        return files

    @event_priority(100)  # before mkdocs-macros renders the page with Jinja
    def _protect_page(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        escape_front_matter(page.meta)
        title = page.title  # from the front matter (escaped above) or the page's first heading
        if title and any(marker in title for marker in ("{{", "{%", "{#")):
            page.title = literal_template(title)  # mkdocs-macros renders titles: a title is never a template
        return protect_foreign_templates(markdown)

    @event_priority(-50)  # after mkdocs-macros: generated blocks keep their {{ }} verbatim
    @_one_line_errors
    def _decorate_page(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self.site.decorate(page.file.src_uri, markdown)

    on_page_markdown = CombinedEvent(_protect_page, _decorate_page)

    @event_priority(-100)  # after every other plugin: the final Markdown of the page
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Take the title from the rendered heading, escaped (MkDocs 1.6 internals: see compat)."""
        if "title" not in page.meta and page._title_from_render:
            # mkdocs-macros re-renders the raw title and pins it, tags and all; MkDocs' own title
            # from the rendered heading is plain text, which the theme writes unescaped (and
            # Material's ``<title>`` unescapes it once more): kept escaped as the page's title.
            page.__dict__.pop("title", None)
            if page.is_homepage:  # Material leaves the home page's title out of <title>
                page.title = nav_title(page._title_from_render)
            else:
                page.meta["title"] = nav_title(page._title_from_render)
        if os.environ.get("CELLS_DUMP_MARKDOWN"):  # benchmark only
            from cellsdocs.mkdocs.benchdump import dump_page

            dump_page(page)
        return html

    @event_priority(-100)  # after every other plugin's: the config is final, no page is rendered yet
    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        from cellsdocs.mkdocs.mdreuse import build_extensions_once

        build_extensions_once(config)  # each Markdown extension built once per build, not per page
        self.built["nav"] = nav
        return nav

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.built.update(env=env, files=files)
        if os.environ.get("CELLS_DUMP_MARKDOWN"):  # benchmark only
            from cellsdocs.mkdocs.benchdump import dump_assets

            dump_assets(config, files)
        return env

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """The drift report page gets the findings of the whole build (every page is rendered by now)."""
        if page.file.src_uri != DRIFT_PAGE or PLACEHOLDER not in output:
            return output
        import markdown

        findings = markdown.markdown(render_findings(self.site.findings), extensions=["tables"])
        return output.replace(PLACEHOLDER, findings, 1)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """``drift.json`` at the site root: the mode and every finding (an empty list in a strict build)."""
        site = self.site
        Path(config.site_dir, "drift.json").write_text(
            findings_json(site.findings, mode=site.drift_mode), encoding="utf-8"
        )

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        root = self.root(config)
        manifest = manifest_file(root, self._source_environ())
        watched = [*self.paths(config).watched(), manifest, manifest.with_suffix(".lock")]
        for path in [*watched, root / "diagrams", root / "src", root / "macros"]:
            if path.exists():
                server.watch(str(path))
        return server


def site_for(config: MkDocsConfig) -> SiteModel:
    """The site model of the build of *config* (for mkdocs-macros' macros)."""
    plugin = config.plugins.get("cells")
    if not isinstance(plugin, CellsPlugin):
        raise PluginError("the cells plugin is not enabled: add '- cells' to plugins in mkdocs.yml")
    return plugin.site


buildclock.add(time.perf_counter() - _IMPORT_STARTED)  # importing the library counts as its cost
