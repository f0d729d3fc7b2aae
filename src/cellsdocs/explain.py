"""The route explainer: which rule a request matches, how it is classified, which cell serves it.

One semantics, two front ends: this module (CLI, batch replays, guide examples) and
``docs/assets/javascripts/explainer.js`` (the site's explainer page, using the rule sets' original
JavaScript patterns), kept in agreement by the shared vectors in ``tests/data/route-vectors.json``.

Semantics:

1. Rules are tried in order; the first that matches wins. A rule without ``match`` matches
   every request.
2. ``path``: ``regex_value`` is searched in the path (without the query string).
3. ``header`` / ``cookie``: the first header (cookie) whose name matches ``regex_name`` and, when
   given, whose value matches ``regex_value``. Header names are matched case-insensitively (HTTP
   header names are), cookie names exactly. Patterns are searched, not anchored, as
   JavaScript's ``RegExp.test`` does. Each search is time-bounded
   (:data:`cellsdocs.jsregex.MATCH_TIMEOUT`): a pattern that backtracks catastrophically is a
   one-line error naming the rule, never a hang.
4. Named groups of the matching patterns fill ``${name}`` in ``classify.value``.
5. Resolution of the classification to a cell: ``SESSION_PREFIX`` - the cell whose session
   prefix starts the value (the longest such prefix); ``CELL_ID`` - the cell with that id (or,
   failing that, that name); ``FIRST_CELL`` - the first cell, the one with the lowest id (the
   legacy cell). ``proxy`` sends the request to the router's default upstream, which is the
   first cell. Other classification types are answered by the Topology Service at run time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .errors import SourceError
from .jsregex import MatchTimeout, bounded_search
from .routing import RouteRule, RuleSet
from .topology import Cell, Topology

__all__ = ["Explanation", "Request", "explain", "first_cell", "resolve_cell"]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Request:
    """An HTTP request as the router sees it."""

    method: str = "GET"
    path: str = "/"
    headers: tuple[tuple[str, str], ...] = ()
    cookies: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Request:
        """A request from recorded data; malformed fields raise ValueError saying which and how."""

        def text(value: object, what: str) -> str:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ValueError(f"{what} must be a string, got {type(value).__name__}")
            return str(value)

        def pairs(value: object, what: str) -> tuple[tuple[str, str], ...]:
            if value is None:
                return ()
            if isinstance(value, Mapping):
                return tuple((str(k), text(v, f"{what}[{str(k)[:40]!r}]")) for k, v in value.items())
            if isinstance(value, list | tuple):
                out = []
                for index, item in enumerate(value):
                    if not isinstance(item, list | tuple) or len(item) != 2:
                        raise ValueError(f"{what}[{index}] must be a [name, value] pair")
                    out.append((text(item[0], f"{what}[{index}][0]"), text(item[1], f"{what}[{index}][1]")))
                return tuple(out)
            raise ValueError(f"{what} must be an object or a list of [name, value] pairs, got {type(value).__name__}")

        return cls(
            method=text(data.get("method", "GET"), "method").upper(),
            path=text(data.get("path", "/"), "path"),
            headers=pairs(data.get("headers"), "headers"),
            cookies=pairs(data.get("cookies"), "cookies"),
        )


@dataclass(frozen=True)
class Explanation:
    rule_set: str
    rule: RouteRule | None
    captures: Mapping[str, str] = field(default_factory=dict)
    action: str | None = None
    classify_type: str | None = None
    classify_value: str | None = None
    cell: Cell | None = None
    reason: str = ""

    def to_data(self) -> dict[str, object]:
        """The fields the shared test vectors compare."""
        return {
            "rule": self.rule.number if self.rule else None,
            "action": self.action,
            "captures": dict(sorted(self.captures.items())),
            "classify_type": self.classify_type,
            "classify_value": self.classify_value,
            "cell": self.cell.name if self.cell else None,
        }


def interpolate(template: str, captures: Mapping[str, str]) -> str:
    """Fill ``${name}`` with the captured group (empty when the group did not take part)."""
    return _VARIABLE.sub(lambda m: captures.get(m.group(1), ""), template)


def first_cell(topology: Topology) -> Cell:
    return min(topology.cells, key=lambda c: c.id)


def resolve_cell(topology: Topology, classify_type: str, value: str | None) -> tuple[Cell | None, str]:
    """The cell a classification resolves to, and how."""
    kind = classify_type.removeprefix("CLASSIFY_TYPE_")
    if kind == "FIRST_CELL":
        legacy = first_cell(topology)
        return legacy, f"FIRST_CELL is the cell with the lowest id: {legacy.name}"
    cell: Cell | None = None
    if kind == "SESSION_PREFIX":
        cell = topology.by_session_prefix(value or "")
        if cell is None:
            return None, f"no cell's session prefix starts {value!r}"
        return cell, f"session prefix {cell.session_prefix!r} belongs to {cell.name}"
    if kind == "CELL_ID":
        text = (value or "").strip()
        # ids are 64-bit: longer digit strings name no cell (and int() refuses over 4,300 digits)
        numeric = re.fullmatch(r"[0-9]{1,20}", text) is not None
        cell = topology.by_id(int(text)) if numeric else topology.by_name(text)
        if cell is None:
            shown = repr(value) if len(value or "") <= 80 else repr((value or "")[:77]) + "..."
            return None, f"no cell has id or name {shown}"
        return cell, f"cell id {cell.id} is {cell.name}"
    return None, f"{classify_type} is resolved by the Topology Service at run time"


def _search(rule: RouteRule, request: Request) -> dict[str, str] | None:
    match = rule.match
    if match is None:
        return {}
    if match.type == "path":
        assert match.regex_value is not None
        found = match.regex_value.search(request.path.split("?", 1)[0])
        return {k: v for k, v in found.groupdict().items() if v is not None} if found else None
    items: Sequence[tuple[str, str]] = request.headers if match.type == "header" else request.cookies
    for name, value in items:
        captures: dict[str, str] = {}
        pattern = match.name_pattern
        if pattern is not None:
            found = bounded_search(pattern, name)
            if not found:
                continue
            captures.update({k: v for k, v in found.groupdict().items() if v is not None})
        if match.regex_value is not None:
            found = match.regex_value.search(value)
            if not found:
                continue
            captures.update({k: v for k, v in found.groupdict().items() if v is not None})
        return captures
    return None


def explain(rule_set: RuleSet, topology: Topology, request: Request) -> Explanation:
    """Route *request* through *rule_set* and resolve the target cell."""
    for rule in rule_set.rules:
        try:
            captures = _search(rule, request)
        except MatchTimeout as exc:
            raise SourceError(
                f"{rule.label}: {exc} on request {request.method} {request.path[:80]!r}",
                file=rule_set.source,
                line=rule.line,
                key=f"rules[{rule.number - 1}].match",
                hint="simplify the rule's regex so that each repeated part matches one way only",
            ) from exc
        if captures is None:
            continue
        if rule.action == "proxy":
            upstream = first_cell(topology)
            return Explanation(
                rule_set.name,
                rule,
                captures,
                "proxy",
                cell=upstream,
                reason=f"proxied to the default upstream, the first cell {upstream.name}",
            )
        assert rule.classify is not None
        value = None
        if rule.classify.value is not None:
            value = interpolate(rule.classify.value, captures)
        cell, reason = resolve_cell(topology, rule.classify.type, value)
        return Explanation(rule_set.name, rule, captures, "classify", rule.classify.type, value, cell, reason)
    return Explanation(rule_set.name, None, reason="no rule matched: the router has no route for this request")
