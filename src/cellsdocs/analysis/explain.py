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
   (:data:`cellsdocs.sources.jsregex.MATCH_TIMEOUT`): a pattern that backtracks catastrophically is a
   one-line error naming the rule, never a hang.
4. Named groups of the matching patterns fill ``${name}`` in ``classify.value``.
5. Resolution of the classification to a cell: ``SESSION_PREFIX`` - the cell whose session
   prefix starts the value (the longest such prefix); ``CELL_ID`` - the cell with that id (or,
   failing that, that name); ``FIRST_CELL`` - the first cell, the one with the lowest id (the
   legacy cell). ``proxy`` sends the request to the router's default upstream, which is the
   first cell. Other classification types are answered by the Topology Service at run time.
6. A ``SESSION_PREFIX`` or ``CELL_ID`` value that names no cell is answered ``REJECT`` by the
   Topology Service (``ClassifyAction``), and the router refuses the request: it does not fall
   back to another rule or cell. (A value the rule's regex does not accept never gets that far:
   the rule does not match and the next rule is tried.)
7. Why not: each rule tried before the one that matched says which condition failed
   (:func:`why_not`), in words shared with the browser.

Values in messages are shown as JSON strings (``"abc"``), cut at 60 characters, so the browser
(``JSON.stringify``) writes the same text. A request's ``Cookie:`` header is read with
:func:`parse_cookie_header`. Example requests, one per rule, and the report that ``cells-docs
explain`` prints are in :mod:`cellsdocs.analysis.examples`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cellsdocs.errors import SourceError
from cellsdocs.sources.jsregex import MatchTimeout, TranslatedRegex, bounded_search
from cellsdocs.sources.routing import RouteRule, RuleSet
from cellsdocs.sources.topology import Cell, Topology

__all__ = [
    "Explanation",
    "Request",
    "explain",
    "first_cell",
    "parse_cookie_header",
    "quoted",
    "resolve_cell",
    "why_not",
]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_COOKIE_PREFIX = re.compile(r"cookie:", re.ASCII | re.IGNORECASE)
#: a name pattern that is one plain name, ``^name$``: messages can say "cookie name missing"
_LITERAL_NAME = re.compile(r"\^([A-Za-z0-9_-]{1,60})\$")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,60}")
SHOWN = 60
#: outcomes: the request reaches a cell, is refused, waits for the Topology Service, or has no route
OUTCOMES = ("cell", "reject", "run-time", "no-route")


def quoted(value: str, limit: int = SHOWN) -> str:
    """*value* as a JSON string, cut at *limit* code points (``…`` after the cut).

    The browser writes the same with ``JSON.stringify`` (lone surrogates as ``\\udxxx``)."""
    cut = value[:limit] + ("…" if len(value) > limit else "")
    text = json.dumps(cut, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _pattern_text(regex: TranslatedRegex | None, limit: int = 80) -> str:
    source = regex.source if regex is not None else ""
    return source[:limit] + ("…" if len(source) > limit else "")


def _name_text(name: str) -> str:
    return name if _PLAIN_NAME.fullmatch(name) else quoted(name)


def parse_cookie_header(text: str) -> list[tuple[str, str]]:
    """``name=value; name2=value2`` (a leading ``Cookie:`` is allowed) as (name, value) pairs.

    Blanks around names and values (space, tab) are dropped, empty parts skipped; a part without
    ``=`` is a name with an empty value."""
    text = text.strip(" \t")
    if _COOKIE_PREFIX.match(text):
        text = text[7:]
    out = []
    for raw in text.split(";"):
        part = raw.strip(" \t")
        if not part:
            continue
        name, _, value = part.partition("=")
        out.append((name.strip(" \t"), value.strip(" \t")))
    return out


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

        cookies = pairs(data.get("cookies"), "cookies")
        header = data.get("cookie_header")
        if header is not None:
            cookies += tuple(parse_cookie_header(text(header, "cookie_header")))
        return cls(
            method=text(data.get("method", "GET"), "method").upper(),
            path=text(data.get("path", "/"), "path"),
            headers=pairs(data.get("headers"), "headers"),
            cookies=cookies,
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
    #: one of :data:`OUTCOMES`
    outcome: str = "no-route"
    #: (rule number, which condition failed) for each rule tried before the match, in order
    why_not: tuple[tuple[int, str], ...] = ()

    def to_data(self) -> dict[str, object]:
        """The fields the shared test vectors compare."""
        return {
            "rule": self.rule.number if self.rule else None,
            "action": self.action,
            "captures": dict(sorted(self.captures.items())),
            "classify_type": self.classify_type,
            "classify_value": self.classify_value,
            "cell": self.cell.name if self.cell else None,
            "outcome": self.outcome,
            "reason": self.reason,
            "why_not": [[number, why] for number, why in self.why_not],
        }


def interpolate(template: str, captures: Mapping[str, str]) -> str:
    """Fill ``${name}`` with the captured group (empty when the group did not take part)."""
    return _VARIABLE.sub(lambda m: captures.get(m.group(1), ""), template)


def first_cell(topology: Topology) -> Cell:
    return min(topology.cells, key=lambda c: c.id)


REFUSED = "the Topology Service answers REJECT and the router refuses the request"


def resolve_cell(topology: Topology, classify_type: str, value: str | None) -> tuple[Cell | None, str]:
    """The cell a classification resolves to, and how (see :func:`classification_outcome`)."""
    kind = classify_type.removeprefix("CLASSIFY_TYPE_")
    if kind == "FIRST_CELL":
        legacy = first_cell(topology)
        return legacy, f"FIRST_CELL is the cell with the lowest id: {legacy.name}"
    cell: Cell | None = None
    if kind == "SESSION_PREFIX":
        cell = topology.by_session_prefix(value or "")
        if cell is None:
            return None, f"no cell's session prefix starts {quoted(value or '')}: {REFUSED}"
        return cell, f"session prefix {quoted(cell.session_prefix)} belongs to {cell.name}"
    if kind == "CELL_ID":
        text = (value or "").strip()
        # ids are 64-bit: longer digit strings name no cell (and int() refuses over 4,300 digits)
        numeric = re.fullmatch(r"[0-9]{1,20}", text) is not None
        cell = topology.by_id(int(text)) if numeric else topology.by_name(text)
        if cell is None:
            return None, f"no cell has id or name {quoted(value or '')}: {REFUSED}"
        return cell, f"cell id {cell.id} is {cell.name}"
    return None, f"{classify_type} is resolved by the Topology Service at run time"


def classification_outcome(classify_type: str, cell: Cell | None) -> str:
    """``cell`` when resolved; ``reject`` when the value names no cell; ``run-time`` otherwise."""
    if cell is not None:
        return "cell"
    kind = classify_type.removeprefix("CLASSIFY_TYPE_")
    return "reject" if kind in ("SESSION_PREFIX", "CELL_ID") else "run-time"


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


def why_not(rule: RouteRule, request: Request) -> str:
    """Which of *rule*'s conditions *request* fails (the rule must not match it)."""
    match = rule.match
    assert match is not None, "a rule without match matches every request"
    if match.type == "path":
        path = request.path.split("?", 1)[0]
        return f"path {quoted(path)} does not match {_pattern_text(match.regex_value)}"
    kind = match.type
    items: Sequence[tuple[str, str]] = request.headers if kind == "header" else request.cookies
    pattern = match.name_pattern
    named = [(n, v) for n, v in items if pattern is None or bounded_search(pattern, n)]
    if not named:
        literal = _LITERAL_NAME.fullmatch(match.regex_name.source) if match.regex_name else None
        if literal:
            return f"{kind} {literal.group(1)} missing"
        return f"no {kind} name matches {_pattern_text(match.regex_name)}"
    name, value = named[0]
    what = f"{kind} {_name_text(name)} value {quoted(value)} does not match {_pattern_text(match.regex_value)}"
    if len(named) > 1:
        what += f" (nor do the values of {len(named) - 1} more {kind}{'s' if len(named) > 2 else ''} of that name)"
    return what


def explain(rule_set: RuleSet, topology: Topology, request: Request) -> Explanation:
    """Route *request* through *rule_set* and resolve the target cell."""
    missed: list[tuple[int, str]] = []
    for rule in rule_set.rules:
        try:
            captures = _search(rule, request)
            if captures is None:
                missed.append((rule.number, why_not(rule, request)))
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
                outcome="cell",
                why_not=tuple(missed),
            )
        assert rule.classify is not None
        value = None
        if rule.classify.value is not None:
            value = interpolate(rule.classify.value, captures)
        cell, reason = resolve_cell(topology, rule.classify.type, value)
        return Explanation(
            rule_set.name,
            rule,
            captures,
            "classify",
            rule.classify.type,
            value,
            cell,
            reason,
            outcome=classification_outcome(rule.classify.type, cell),
            why_not=tuple(missed),
        )
    return Explanation(
        rule_set.name,
        None,
        reason="no rule matched: the router has no route for this request",
        why_not=tuple(missed),
    )


def request_from_arguments(method: str, path: str, headers: Sequence[str], cookies: Sequence[str]) -> Request:
    """A request from ``-H 'Name: value'`` and ``-b 'name=value'`` options.

    ``-b`` also takes a whole ``Cookie:`` header (``'a=1; b=2'``, ``'Cookie: a=1; b=2'``), and a
    ``-H 'Cookie: ...'`` header gives its cookies as well, as the router reads them."""
    from cellsdocs.errors import CellsDocsError

    header_pairs: list[tuple[str, str]] = []
    cookie_pairs: list[tuple[str, str]] = []
    for value in cookies:
        if "=" not in value:
            raise CellsDocsError(f"cookie {value!r} has no '='", hint="write NAME=VALUE or 'Cookie: a=1; b=2'")
        cookie_pairs.extend(parse_cookie_header(value))
    for value in headers:
        if ":" not in value:
            raise CellsDocsError(f"header {value!r} has no ':'", hint="write NAME:VALUE")
        name, _, rest = value.partition(":")
        header_pairs.append((name.strip(), rest.strip()))
        if name.strip().lower() == "cookie":
            cookie_pairs.extend(parse_cookie_header(rest))
    return Request(method=method.upper(), path=path, headers=tuple(header_pairs), cookies=tuple(cookie_pairs))
