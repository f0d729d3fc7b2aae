"""Pages the build generates from the sources (indexes, reference), keyed by site path."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path

from cellsdocs.errors import SourceError
from cellsdocs.markdown import code, link, table, text
from cellsdocs.render.page import GeneratedPage
from cellsdocs.sources.load import Sources

__all__ = ["FIXED_PAGES", "collection_indexes", "output_key", "page_collisions", "page_plan"]

#: pages the build always generates, whatever the sources say
FIXED_PAGES = (
    "adr/index.md",
    "adr/timeline.md",
    "adr/graph.md",
    "runbooks/index.md",
    "runbooks/alerts.md",
    "runbooks/freshness.md",
    "reference/api/index.md",
    "reference/api/scalars.md",
    "reference/api/coverage.md",
    "reference/api/changes.md",
    "reference/cells/index.md",
    "reference/routing/index.md",
    "reference/routing/explain.md",
)


def runbook_index(sources: Sources) -> str:
    rows = []
    for book in sorted(sources.runbooks.runbooks, key=lambda b: (b.service, b.name)):
        rows.append(
            [
                text(book.service),
                link(text(book.title), f"{book.service}/{book.name}.md"),
                ", ".join(code(a) for a in book.alerts),
                text(book.severity or ""),
                text(book.owner or ""),
            ]
        )
    body = table(["Service", "Runbook", "Alerts", "Severity", "Owner"], rows) if rows else "_No runbooks yet._\n"
    return (
        GeneratedPage(
            generator="cellsdocs.render.pages.runbook_index", source=code(sources.runbooks.folder), heading="Runbooks"
        ).header()
        + "What to check and what to do when an alert fires, one page per failure mode.\n\n"
        + body
    )


def collection_indexes(sources: Sources) -> dict[str, str]:
    """The index pages of the ADR and runbook collections."""
    return {"runbooks/index.md": runbook_index(sources)}


# --- page paths: two sources never write the same page ------------------------------------------


def output_key(uri: str, *, directory_urls: bool = True) -> str:
    """The file a page's source path becomes in the site, case-folded (``a/b.md`` and
    ``a/B/index.md`` both become ``a/b/index.html``; a case-insensitive disk holds one of them)."""
    folder, name = posixpath.split(uri)
    stem = name[:-3] if name.endswith(".md") else name
    if stem in ("index", "README") or not directory_urls:
        out = posixpath.join(folder, ("index" if stem == "README" else stem) + ".html")
    else:
        out = posixpath.join(folder, stem, "index.html")
    return out.casefold()


def page_plan(sources: Sources) -> list[tuple[str, str]]:
    """(site path, where it comes from) of every page the sources make: generated pages named
    after a source (cells, rule sets, proto files and services), ADRs, runbooks, the fixed pages."""
    from cellsdocs.render.api import build_api_site
    from cellsdocs.render.drift import DRIFT_PAGE
    from cellsdocs.render.routing import rule_set_page
    from cellsdocs.render.topology import cell_page

    plan: list[tuple[str, str]] = [(uri, "a generated page") for uri in (*FIXED_PAGES, DRIFT_PAGE)]
    topology = sources.topology
    for cell in topology.cells:
        where = f"{topology.source}:{cell.line}" if cell.line else topology.source
        plan.append((cell_page(cell), f"cell {cell.name!r} ({where})"))
    for rule_set in sources.rule_sets:
        plan.append((rule_set_page(rule_set), f"rule set {rule_set.name!r} ({rule_set.source})"))
    api = build_api_site(sources.api)
    for package in sorted({f.package for f in sources.api.api_files}):
        plan.append((f"reference/api/{package or '_default'}/index.md", f"proto package {package!r}"))
    for file, page in api.file_pages.items():
        plan.append((page, f"the types of {file}"))
    for service in sources.api.services():
        plan.append((api.pages[service.fqn], f"service {service.fqn} ({service.file})"))
    for adr in sources.adrs.adrs:
        plan.append((adr.page, adr.file))
    for book in sources.runbooks.runbooks:
        plan.append((book.page, book.file))
    return plan


def docs_pages(docs_dir: Path) -> list[tuple[str, str]]:
    """(site path, file) of the hand-written pages in *docs_dir*."""
    if not docs_dir.is_dir():
        return []
    return [
        (path.relative_to(docs_dir).as_posix(), f"docs/{path.relative_to(docs_dir).as_posix()}")
        for path in sorted(docs_dir.rglob("*.md"))
        if path.is_file() and "snippets" not in path.relative_to(docs_dir).parts
    ]


def page_collisions(entries: Iterable[tuple[str, str]], *, directory_urls: bool = True) -> list[SourceError]:
    """One error per page written by two sources (same site path, or the same file in the built
    site), naming both; the build would otherwise keep one page and silently drop the other."""
    seen: dict[str, tuple[str, str]] = {}
    errors: list[SourceError] = []
    for uri, origin in entries:
        key = output_key(uri, directory_urls=directory_urls)
        first = seen.get(key)
        if first is None:
            seen[key] = (uri, origin)
            continue
        if first == (uri, origin):
            continue
        same = f"the page {uri}" if first[0] == uri else f"the pages {first[0]} and {uri} (both {key})"
        errors.append(
            SourceError(
                f"{origin} and {first[1]} both make {same}: one would overwrite the other",
                hint="rename one of them",
            )
        )
    return errors


def check_page_paths(sources: Sources) -> list[SourceError]:
    """:func:`page_collisions` over :func:`page_plan` and the hand-written pages of ``docs/``."""
    return page_collisions([*page_plan(sources), *docs_pages(sources.paths.root / "docs")])
