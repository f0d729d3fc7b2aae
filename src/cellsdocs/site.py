"""One build's worth of derived data: the validated sources and what is rendered from them.

Computed lazily and once per change of the sources; the MkDocs adapter and the macros share it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from cellsdocs.indexing import first_by
from cellsdocs.render.api import ApiSite, render_api, render_changes
from cellsdocs.render.decisions import (
    adr_banner,
    governance_index,
    make_backlinks,
    render_adr_graph,
    render_adr_index,
    render_timeline,
)
from cellsdocs.render.drift import DRIFT_PAGE, Finding, render_drift_page
from cellsdocs.render.oncall import decorate_runbook, render_alert_index, render_freshness
from cellsdocs.render.topology import render_topology_pages
from cellsdocs.settings import BuildOptions
from cellsdocs.sources.adrs import Adr
from cellsdocs.sources.alerts import Alert
from cellsdocs.sources.load import Sources
from cellsdocs.sources.outside_links import rewrite_outside_links
from cellsdocs.sources.protos.history import ApiHistory, compare_revisions
from cellsdocs.sources.runbooks import Runbook
from cellsdocs.sources.textio import display_path

__all__ = ["KIND_PAGES", "SiteModel"]

#: source kind -> the generated pages that exist only when the site has that kind (folder prefixes
#: or single pages); an absent kind (``enabled = false`` in sources.toml) has none of them
KIND_PAGES: dict[str, tuple[str, ...]] = {
    "protos": ("reference/api/",),
    "topology": ("reference/cells/",),
    "rules": ("reference/routing/",),
    "alerts": ("runbooks/alerts.md",),
    "adrs": ("adr/",),
    "runbooks": ("runbooks/",),
}


class SiteModel:
    def __init__(self, sources: Sources, *, directory_urls: bool = True, options: BuildOptions | None = None) -> None:
        self.sources = sources
        self.directory_urls = directory_urls
        self.options = options if options is not None else BuildOptions.from_env()
        #: dangling references met by macros in drift report mode, during the current build
        self.macro_findings: list[Finding] = []

    @property
    def findings(self) -> list[Finding]:
        """Every drift finding of this build: between sources, and in the pages' references."""
        return [*self.sources.drift, *self.macro_findings]

    @cached_property
    def backlinks(self) -> Callable[[str, str], str]:
        return make_backlinks(governance_index(self.sources))

    @cached_property
    def _api(self) -> tuple[ApiSite, dict[str, str]]:
        paths = self.sources.paths
        return render_api(
            self.sources.api,
            source_label=display_path(paths.proto_root),
            backlinks=self.backlinks,
            source_link=lambda file, line: paths.link("protos", paths.proto_root / file, line),
        )

    @property
    def api_nav_labels(self) -> dict[str, str]:
        """Short, distinct nav labels of the API's package folders (folder -> label)."""
        return self.api_site.nav_labels

    @property
    def api_site(self) -> ApiSite:
        return self._api[0]

    @cached_property
    def api_history(self) -> ApiHistory:
        paths = self.sources.paths
        cache = paths.root / ".cache" / "protos"  # the base revision's compiled tree, by content hash
        return compare_revisions(paths.proto_root, self.sources.api, self.options.api_base, cache_dir=cache)

    @cached_property
    def pages(self) -> dict[str, str]:
        """Site path -> Markdown of every generated page."""
        from cellsdocs.render.pages import collection_indexes

        present = self.sources.paths.present
        pages = collection_indexes(self.sources)
        adrs = self.sources.adrs
        pages["adr/index.md"] = render_adr_index(adrs, directory_urls=self.directory_urls)
        pages["adr/timeline.md"] = render_timeline(adrs)
        cache = self.sources.paths.root / ".cache" / "diagrams"
        pages["adr/graph.md"] = render_adr_graph(adrs, directory_urls=self.directory_urls, cache_dir=cache)
        if present("protos"):
            pages.update(self._api[1])
        if present("topology"):  # the cells, and the routing pages (rules need the cell inventory)
            pages.update(render_topology_pages(self.sources, self.sources.active_rule_set, self.backlinks))
        pages = {uri: page for uri, page in pages.items() if not self._of_absent_kind(uri)}
        self._place_diagrams(pages)
        if present("protos"):
            pages["reference/api/changes.md"] = render_changes(self.api_site, self.api_history)
        if present("alerts") and present("runbooks"):
            pages["runbooks/alerts.md"] = render_alert_index(self.sources)
        if present("runbooks"):
            pages["runbooks/freshness.md"] = render_freshness(self.sources, self.today)
        pages[DRIFT_PAGE] = render_drift_page(self.drift_mode)
        self._check_page_paths(pages)
        return pages

    def _of_absent_kind(self, uri: str) -> bool:
        """*uri* is a generated page of a source kind the site does not have."""
        return any(
            uri == page or (page.endswith("/") and uri.startswith(page))
            for kind in self.sources.paths.absent
            for page in KIND_PAGES[kind]
        )

    @property
    def absent_pages(self) -> frozenset[str]:
        """The always-generated pages this site lacks because their source kind is absent (the nav
        drops the entries naming them)."""
        from cellsdocs.render.pages import FIXED_PAGES

        if not self.sources.paths.absent:
            return frozenset()
        return frozenset(uri for uri in FIXED_PAGES if uri not in self.pages)

    def _check_page_paths(self, pages: dict[str, str]) -> None:
        """No two sources write one page (``cells-docs check`` runs the same check over the plan;
        here it also covers pages the plan does not know and the site's URL style)."""
        from cellsdocs.render.pages import page_collisions, page_plan

        plan = page_plan(self.sources)
        planned = {uri for uri, _ in plan}
        extra = [(uri, "a generated page") for uri in pages if uri not in planned]
        errors = page_collisions([*plan, *extra], directory_urls=self.directory_urls)
        if errors:
            raise errors[0]

    @property
    def drift_mode(self) -> str:
        return self.sources.drift_mode

    def _place_diagrams(self, pages: dict[str, str]) -> None:
        """Put the architecture diagrams on the generated pages they illustrate."""
        from cellsdocs.drawing.place import diagram_markdown, render_diagrams
        from cellsdocs.render.topology import CELLS, ROUTING, cell_page

        rendered = render_diagrams(self)

        def place(uri: str, name: str, heading: str) -> None:
            if uri in pages and name in rendered:
                pages[uri] += f"\n## {heading}\n\n" + diagram_markdown(self, name, from_page=uri)

        place(f"{CELLS}/index.md", "system-overview", "System overview")
        place(f"{ROUTING}/index.md", "request-flow", "Request flow")
        place("reference/api/index.md", "topology-api", "Services and messages")
        for cell in self.sources.topology.cells:
            place(cell_page(cell), f"cell-{cell.name}", "Diagram")

    @property
    def today(self) -> dt.date:
        return self.options.today

    def decorate(self, src_uri: str, markdown: str) -> str:
        """Generated additions to hand-written pages: runbooks get their alert definitions and the
        stale banner, ADRs their status box."""
        paths = self.sources.paths
        book = self._runbook_pages.get(src_uri)
        if book is not None:
            markdown = self._outside_links(markdown, book.file, "runbooks", paths.runbook_dir)
            return decorate_runbook(
                markdown, book, self._alerts_by_name, self.today, link=lambda a: paths.link("alerts", a.file, a.line)
            )
        adr = self._adr_pages.get(src_uri)
        if adr is not None:
            markdown = self._outside_links(markdown, adr.file, "adrs", paths.adr_dir)
            return _after_title(markdown, adr_banner(adr, self.sources.adrs))
        return markdown

    def _outside_links(self, markdown: str, file: str, kind: str, folder: Path) -> str:
        """Links out of a fetched folder go to the upstream web URL at the locked commit."""
        origin = self.sources.paths.origin(kind)
        if origin is None or origin.lock is None or origin.override:
            return markdown
        return rewrite_outside_links(markdown, page=Path(file).resolve(), folder=folder.resolve(), web_url=origin.link)

    @cached_property
    def _runbook_pages(self) -> dict[str, Runbook]:
        return first_by(self.sources.runbooks.runbooks, lambda book: book.page)

    @cached_property
    def _alerts_by_name(self) -> dict[str, tuple[Alert, ...]]:
        """Alert name -> every definition of it (Prometheus allows one name in several files)."""
        found: dict[str, list[Alert]] = {}
        for alert in self.sources.alerts.alerts:
            found.setdefault(alert.name, []).append(alert)
        return {name: tuple(alerts) for name, alerts in found.items()}

    @cached_property
    def _adr_pages(self) -> dict[str, Adr]:
        return first_by(self.sources.adrs.adrs, lambda adr: adr.page)

    @cached_property
    def assets(self) -> dict[str, bytes]:
        """Site path -> content of every generated non-page file (diagram icons, ...)."""
        from cellsdocs.drawing.place import diagram_assets

        return diagram_assets(self)


def _after_title(markdown: str, block: str) -> str:
    """Insert *block* after the page's first-level heading (or at the top)."""
    match = re.search(r"^# .*$", markdown, re.M)
    if match is None:
        return block + markdown
    return markdown[: match.end()] + "\n\n" + block + markdown[match.end() :]
