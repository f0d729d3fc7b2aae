"""Drift between sources: references to things another source does not (or no longer) define.

By default drift fails the build. ``CELLS_DRIFT=report`` (for previews of upstream changes) turns
each one into a :class:`Finding`: a marker where the reference is, a row on the *Drift report*
page and an entry in ``drift.json``. Invalid sources still fail the build in either mode.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict

from cellsdocs.checks import Finding
from cellsdocs.markdown import escape_attr, table, text

__all__ = [
    "DRIFT_PAGE",
    "Finding",
    "findings_json",
    "marker",
    "render_drift_page",
    "render_findings",
]

DRIFT_PAGE = "reference/drift.md"
#: replaced, once every page has been rendered, by the findings of the whole build
PLACEHOLDER = "<!-- cells-docs: drift findings -->"


def marker(finding: Finding, label: str) -> str:
    """The inline marker shown where a dangling reference stands in a page (HTML inside Markdown)."""
    title = f"Drift: {finding.message}"
    return (
        f'<span class="cells-drift" title="{escape_attr(title)}">'
        f"{text(label)} <strong>(drift: not in the sources)</strong></span>"
    )


def render_findings(findings: Iterable[Finding]) -> str:
    """Markdown table of every finding (empty list: a sentence saying so)."""
    rows = sorted(set(findings), key=lambda f: (f.where, f.line or 0, f.kind, f.message))
    if not rows:
        return "No drift: every reference in the pages and sources resolves.\n"
    body = [
        [text(f.where + (f":{f.line}" if f.line else "")), text(f.kind), text(f.message), text(f.hint)] for f in rows
    ]
    return f"**{len(rows)} finding(s).**\n\n" + table(["Where", "Kind", "What is missing", "Fix"], body)


def findings_json(findings: Iterable[Finding], *, mode: str) -> str:
    rows = sorted(set(findings), key=lambda f: (f.where, f.line or 0, f.kind, f.message))
    return json.dumps({"mode": mode, "findings": [asdict(f) for f in rows]}, indent=2, sort_keys=True) + "\n"


def render_drift_page(mode: str) -> str:
    """The *Drift report* page; its findings are filled in once every page is rendered."""
    if mode == "report":
        intro = (
            "This build ran in **drift report mode** (`CELLS_DRIFT=report`): references to things the "
            "sources do not define were kept as findings instead of failing the build. Each is marked where "
            "it stands and listed here; the same list is in [`drift.json`](../drift.json)."
        )
    else:
        intro = (
            "This build is **strict**: any reference to an RPC, message, cell, rule set, rule or alert that the "
            "sources do not define, an ADR governing something that does not exist, a classify type missing from "
            "the proto enum or a broken alert-runbook contract fails the build. Previews of upstream changes run "
            "with `CELLS_DRIFT=report` and list their findings here and in [`drift.json`](../drift.json)."
        )
    return f"---\ntitle: Drift report\nsearch:\n  exclude: true\n---\n\n# Drift report\n\n{intro}\n\n{PLACEHOLDER}\n"
