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
    return {"runbooks/index.md": runbook_index(sources)}
