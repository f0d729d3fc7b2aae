"""Incremental rebuilds for ``cells-docs serve``: re-render only the pages whose inputs changed,
when nothing else in the site can differ from a full strict build.

The warm build process keeps the last full build (its config, files, navigation and template
environment, see :class:`LastBuild`). When the only files that changed are Markdown pages (a guide
in ``docs/``, an ADR, a runbook) or source files (a proto, ``config.toml``, a rule set, an alert
file), :func:`rebuild` re-renders into a hard-linked copy of the last build the pages that depend
on them (the dependency graph, recorded by the build):

- an edited page: that page;
- a changed source (ADRs and runbooks are sources too): the reloaded model's generated pages and
  assets whose content changed (reference pages, indexes, diagrams), every page that calls a
  macro reading that kind of source (recorded per page as the build renders it, from
  :data:`cellsdocs.mkdocs.macros.READS`), and for alert files the runbook pages (they show the
  alert definitions).

Everything else stays byte for byte what the full build wrote, which is sound only while these
hold (otherwise :func:`rebuild` answers ``None`` and the server runs a full build):

- every changed path is an existing page of the last build outside the snippet folder (pages
  include snippets), or an existing file of a source; not the config, the manifest, an asset or code;
- a re-rendered page keeps its title, front matter and every anchor it had (it may gain new ones):
  the navigation, the previous and next links, the indexes of other pages and the anchor checks
  of other pages' links read those;
- when a source changed, the reloaded model has the same generated pages and assets (by path),
  navigation labels and absent kinds, and reports no drift finding;
- re-rendering logs no warning (a broken link is then reported by the full build that follows);
- the site's plugins are the ones whose events are replayed here (search, cells, macros), and the
  offline bundle is off (it rewrites every page after the build).

MkDocs 1.6 renders a page in two private steps (``_populate_page``, ``_build_page``) and Material's
search plugin keeps its index entries in a list: both are used only on the verified series
(:mod:`cellsdocs.mkdocs.compat`); on any other version every rebuild is a full one.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellsdocs.mkdocs.compat import VERIFIED, series
from cellsdocs.sources.manifest import KINDS

__all__ = ["LastBuild", "rebuild"]

log = logging.getLogger("mkdocs")


@dataclass
class LastBuild:
    """What a full build leaves for the next incremental one (all of it MkDocs' own objects)."""

    config: Any
    files: Any
    nav: Any
    env: Any
    site_dir: Path


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


#: the plugins whose page and post-build events :func:`rebuild` replays (or that do nothing here)
_KNOWN_PLUGINS = {"material/search", "search", "cells", "macros", "material/offline", "offline"}


def _verified() -> bool:
    import importlib.metadata

    for distribution in ("mkdocs",):
        if series(importlib.metadata.version(distribution)) != VERIFIED[distribution][0]:
            return False
    return series(importlib.metadata.version("mkdocs-material")).split(".")[0] == "9"


def _snapshot(page: Any) -> tuple[Any, ...]:
    return (page.title, copy.deepcopy(page.meta))


def _same_for_others(page: Any, before: tuple[Any, ...], anchors: frozenset[str]) -> bool:
    """Other pages see the same title and front matter, and every anchor they could link to (a new
    one breaks nothing: the last build had no link to an anchor that did not exist)."""
    return _snapshot(page) == before and anchors <= frozenset(page.present_anchor_ids)


def _entries_of(entries: list[dict[str, Any]], url: str) -> list[int]:
    return [i for i, e in enumerate(entries) if e["location"] == url or e["location"].startswith(url + "#")]


def _unlink(path: str | Path) -> None:
    """Replace, never write through, a file of the hard-linked copy (it is shared with the last build)."""
    Path(path).unlink(missing_ok=True)


def rebuild(last: LastBuild, changed: Iterable[str], site_dir: Path) -> str | None:
    """Re-render the pages of *changed* into *site_dir* (a new folder; the last build is copied
    there as hard links). Returns a one-line summary, or ``None`` when only a full build is sound
    (*site_dir* is then removed; the caller runs the full build)."""
    try:
        summary = _rebuild(last, [Path(p) for p in changed], site_dir)
    except Exception as exc:  # anything unexpected: the full build decides, and reports
        log.debug(f"incremental rebuild not possible: {type(exc).__name__}: {exc}")
        summary = None
    if summary is None:
        shutil.rmtree(site_dir, ignore_errors=True)
    return summary


def _rebuild(last: LastBuild, changed: list[Path], site_dir: Path) -> str | None:
    from mkdocs.commands.build import _build_page, _populate_page
    from mkdocs.structure.files import InclusionLevel

    from cellsdocs.mkdocs.plugin import CellsPlugin, offline_enabled

    if not changed or not _verified():
        return None
    config, files = last.config, last.files
    cells = config.plugins.get("cells")
    search = config.plugins.get("material/search") or config.plugins.get("search")
    if not isinstance(cells, CellsPlugin) or search is None or not hasattr(search, "search_index"):
        return None
    if set(config.plugins) - _KNOWN_PLUGINS or offline_enabled(config):
        return None  # a plugin whose events this module does not replay (the offline bundle rewrites pages)
    docs = Path(config.docs_dir).resolve()
    snippets = docs / "snippets"
    by_path = {Path(f.abs_src_path).resolve(): f for f in files.documentation_pages() if f.abs_src_path}
    paths = cells.paths(config)
    locations = {
        kind: getattr(paths, attr).resolve() for kind, (attr, _, _) in KINDS.items() if kind not in paths.absent
    }
    targets, kinds = [], set()
    for path in changed:
        resolved = path.resolve()
        kind = next((k for k, location in locations.items() if resolved.is_relative_to(location)), None)
        file = by_path.get(resolved)
        if file is None:
            if kind is None or not resolved.is_file():
                return None  # not a page or a source file of the last build (config, code, assets...)
            kinds.add(kind)  # a proto, config.toml, a rule set or an alert file
            continue
        if file.page is None or not file.src_uri.endswith(".md"):
            return None
        if not resolved.is_file() or resolved.is_relative_to(snippets):
            return None  # removed, or a snippet other pages include
        targets.append(file.page)
        if kind is not None:
            kinds.add(kind)  # an ADR or runbook is a source too
    sources_changed = bool(kinds)
    old_site = cells.site
    if old_site.drift_mode != "strict":
        return None
    pages = list(targets)
    assets: list[Any] = []
    if sources_changed:
        # the model is reloaded (a broken source raises: the full build reports it) and must give
        # the same navigation; the generated pages and assets whose content changed are redone
        new_site = cells.load(config)
        if new_site is not old_site:
            if (
                new_site.pages.keys() != old_site.pages.keys()
                or new_site.assets.keys() != old_site.assets.keys()
                or new_site.api_nav_labels != old_site.api_nav_labels
                or new_site.absent_pages != old_site.absent_pages
                or new_site.findings
            ):
                return None
            for uri, content in new_site.pages.items():
                if content != old_site.pages[uri]:
                    file = files.get_file_from_path(uri)
                    if file is None or file.page is None:
                        return None
                    file.content_string = content
                    pages.append(file.page)
            for uri, data in new_site.assets.items():
                if data != old_site.assets[uri]:
                    file = files.get_file_from_path(uri)
                    if file is None:
                        return None
                    file.content_bytes = data if isinstance(data, bytes) else data.encode()
                    assets.append(file)
            cells._site = new_site
        # pages whose macros read a changed kind; runbook pages show the alert definitions
        dependents = {page for page, reads in cells.macro_reads.items() if reads & kinds}
        if "alerts" in kinds:
            dependents |= set(cells.site._runbook_pages)
        pages += [f.page for f in files.documentation_pages() if f.src_uri in dependents and f.page not in pages]
    before = {id(p): _snapshot(p) for p in pages}
    anchors = {id(p): frozenset(p.present_anchor_ids) for p in pages}

    shutil.copytree(last.site_dir, site_dir, copy_function=os.link, symlinks=True)
    config["site_dir"] = str(site_dir)
    for file in files:
        file.dest_dir = str(site_dir)
        file.__dict__.pop("abs_dest_path", None)  # a cached property of MkDocs' File
    counter = _Warnings()
    log.addHandler(counter)
    try:
        for asset in assets:
            _unlink(asset.abs_dest_path)
            asset.copy_file()
        for page in pages:
            _populate_page(page, config, files)
            if not _same_for_others(page, before[id(page)], anchors[id(page)]):
                return None  # title, front matter or an anchor moved: other pages read them
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        entries: list[dict[str, Any]] = search.search_index.entries
        for page in pages:
            where = _entries_of(entries, page.url)
            start = where[0] if where else len(entries)
            for index in reversed(where):
                del entries[index]
            size = len(entries)
            _unlink(page.file.abs_dest_path)
            _build_page(page, config, doc_files, last.nav, last.env)
            fresh = entries[size:]
            del entries[size:]
            entries[start:start] = fresh
        for page in pages:
            page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        if counter.count:
            return None
        _unlink(site_dir / "search" / "search_index.json")
        search.on_post_build(config=config)
        _unlink(site_dir / "drift.json")
        cells.on_post_build(config=config)
    finally:
        log.removeHandler(counter)
    last.site_dir = site_dir
    return f"{len(pages)} page{'s' if len(pages) != 1 else ''} re-rendered"
