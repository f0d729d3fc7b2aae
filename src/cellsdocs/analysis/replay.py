"""Batch mode for rule changes: replay recorded requests through two rule sets and report the
requests that would be routed differently."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cellsdocs.analysis.explain import Explanation, Request, explain
from cellsdocs.errors import SourceError
from cellsdocs.sources.gitsafe import check_revision, run_git
from cellsdocs.sources.jsonpos import load_json, top_level_element_lines
from cellsdocs.sources.routing import RuleSet, parse_rule_set
from cellsdocs.sources.textio import display_path, read_text
from cellsdocs.sources.topology import Topology

__all__ = ["Difference", "load_requests", "replay", "rule_set_at_revision"]


def load_requests(path: Path) -> list[Request]:
    """Requests from a JSON array or JSON Lines file of ``{method, path, headers, cookies}``."""
    shown = display_path(path)
    text = read_text(path, what="request file")
    stripped = text.lstrip()
    items: list[tuple[int, object]] = []
    if stripped.startswith("["):
        data = load_json(text, file=shown, what="request file")
        lines = top_level_element_lines(text)
        items = [(lines[i] if i < len(lines) else 1, item) for i, item in enumerate(data)]
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            items.append((number, load_json(line, file=shown, what="request", line_offset=number - 1)))
    requests = []
    for number, item in items:
        if not isinstance(item, dict) or not isinstance(item.get("path", "/"), str):
            raise SourceError(
                "a request must be an object with a string 'path'",
                file=shown,
                line=number,
                hint='write {"path": "/x", "headers": {...}, "cookies": {...}}',
            )
        try:
            requests.append(Request.from_data(item))
        except ValueError as exc:
            raise SourceError(
                f"request: {exc}",
                file=shown,
                line=number,
                hint='write "headers": {"Name": "value"} (or [["Name", "value"], ...]), the same for cookies',
            ) from exc
    return requests


@dataclass(frozen=True)
class Difference:
    request: Request
    before: Explanation
    after: Explanation

    def describe(self, result: Explanation) -> str:
        if result.rule is None:
            return "no route"
        target = result.cell.name if result.cell else "cell decided at run time"
        kind = (
            f"{result.classify_type} {result.classify_value or ''}".strip() if result.action == "classify" else "proxy"
        )
        return f"{result.rule.label}: {kind} -> {target}"


def destination(result: Explanation) -> tuple[str, ...]:
    """Where a request ends up: a cell, a classification left to run time, or nowhere."""
    if result.rule is None:
        return ("none",)
    if result.cell is not None:
        return ("cell", result.cell.name)
    return ("runtime", result.classify_type or "", result.classify_value or "")


def replay(requests: Iterable[Request], before: RuleSet, after: RuleSet, topology: Topology) -> Iterator[Difference]:
    """Every request that would end up somewhere else (another cell, or no longer predictable)."""
    for request in requests:
        old = explain(before, topology, request)
        new = explain(after, topology, request)
        if destination(old) != destination(new):
            yield Difference(request, old, new)


def rule_set_at_revision(path: Path, revision: str) -> RuleSet:
    """A rule set file as it was at a git revision."""
    check_revision(revision, key="--against-revision")
    shown_path = display_path(path)
    folder = path.parent
    top = run_git("-C", str(folder), "rev-parse", "--show-toplevel", file=shown_path)
    if top.returncode != 0:
        raise SourceError("not in a git repository", file=shown_path)
    toplevel = str(top.stdout).strip()
    relative = path.resolve().relative_to(Path(toplevel).resolve()).as_posix()
    shown = f"{revision}:{relative}"
    proc = run_git("-C", toplevel, "show", "--end-of-options", shown, file=shown_path)
    if proc.returncode != 0:
        reason = " ".join(str(proc.stderr).split())[:200]
        raise SourceError(f"cannot read {shown}: {reason}", hint="check the revision and the path")
    return parse_rule_set(str(proc.stdout), name=path.stem, file=shown)
