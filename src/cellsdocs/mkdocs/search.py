"""How search ranks pages, set by the build (see docs/development/decisions/0001-site-search.md).

Material's search multiplies a page's score by ``search.boost`` from the page's front matter. The
front matter of runbooks and ADRs comes from other repositories and is untrusted: a record could
rank itself above every runbook (``boost: 1e9``) or hide itself (``exclude: true``). So for those
pages the build decides, and whatever ``search:`` their front matter holds is replaced:

- runbooks answer on-call questions: ranked above everything that merely mentions an alert or a
  service;
- ADRs explain why, and mention many terms in passing: ranked below the guides and runbooks that
  say what to do;
- a ``.proto`` file's page lists its messages, which the service pages also show inline under each
  RPC together with its REST mapping: a question about an RPC lands on the service page.

Hand-written pages in docs/ (trusted, reviewed here) set their own boost: the guides and the
glossary rank above the reference.
"""

from __future__ import annotations

from collections.abc import Collection, MutableMapping
from typing import Any

__all__ = ["ADR_BOOST", "PROTO_FILE_BOOST", "RUNBOOK_BOOST", "rank_page", "search_boost"]

RUNBOOK_BOOST = 2.0
ADR_BOOST = 0.5
PROTO_FILE_BOOST = 0.5


def search_boost(src_uri: str, generated: Collection[str], proto_files: Collection[str] = ()) -> float | None:
    """The boost the build gives the page at *src_uri*; None for pages that choose their own.

    *generated* holds the site paths of the generated pages (the ADR index, the on-call index...),
    which live in the same folders as the records and runbooks but are not ones; *proto_files*
    those of the ``.proto`` files' pages."""
    if src_uri in proto_files:
        return PROTO_FILE_BOOST
    if src_uri in generated:
        return None
    if src_uri.startswith("runbooks/") and src_uri.count("/") == 2:  # runbooks/<service>/<name>.md
        return RUNBOOK_BOOST
    if src_uri.startswith("adr/") and src_uri.count("/") == 1:  # adr/NNNN-title.md
        return ADR_BOOST
    return None


def rank_page(
    meta: MutableMapping[str, Any], src_uri: str, generated: Collection[str], proto_files: Collection[str] = ()
) -> None:
    """Set ``meta["search"]`` of a runbook, an ADR or a ``.proto`` page from the build, dropping
    the page's own."""
    boost = search_boost(src_uri, generated, proto_files)
    if boost is not None:
        meta["search"] = {"boost": boost}
