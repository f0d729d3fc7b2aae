"""Pages the build generates from the sources (indexes, reference), keyed by site path."""

from __future__ import annotations

from .markdown import code, link, table, text
from .sources import Sources

__all__ = ["collection_indexes", "generator_banner"]


def generator_banner(source: str, generator: str) -> str:
    """The note every generated page carries: where its content came from."""
    return (
        f'<p class="cells-generated">Generated at build time from {code(source)} by '
        f"{code(generator)}. Edit the source, not this page.</p>\n\n"
    )


def adr_index(sources: Sources) -> str:
    rows = []
    for adr in sorted(sources.adrs.adrs, key=lambda a: (a.number is None, a.number or 0, a.stem)):
        rows.append(
            [
                text(adr.ref),
                link(text(adr.title), f"{adr.stem}.md"),
                text(adr.status or "unknown"),
                text(adr.date.isoformat() if adr.date else ""),
                text(", ".join(adr.tags)),
            ]
        )
    body = table(["Number", "Title", "Status", "Date", "Tags"], rows) if rows else "_No decisions recorded yet._\n"
    return (
        "---\nrender_macros: false\n---\n\n# Architecture decisions\n\n"
        + generator_banner(sources.adrs.folder, "cellsdocs.pages.adr_index")
        + "Why the Cells platform and this documentation site are built the way they are, one record "
        "per decision.\n\n" + body
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
        "---\nrender_macros: false\n---\n\n# Runbooks\n\n"
        + generator_banner(sources.runbooks.folder, "cellsdocs.pages.runbook_index")
        + "What to check and what to do when an alert fires, one page per failure mode.\n\n"
        + body
    )


def collection_indexes(sources: Sources) -> dict[str, str]:
    """The index pages of the ADR and runbook collections."""
    return {
        "adr/index.md": adr_index(sources),
        "runbooks/index.md": runbook_index(sources),
    }
