"""Example requests made from the rules themselves, and the explainer's report as the CLI prints it.

:func:`examples` gives one request per rule, built from the rule's own patterns
(:mod:`cellsdocs.analysis.regex_sample`), for the explainer page's presets and
``cells-docs explain --examples``; :func:`report` is what ``cells-docs explain`` prints, with an
example command for each rule tried before the one that matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cellsdocs.analysis.explain import Explanation, Request, explain, first_cell
from cellsdocs.errors import SourceError
from cellsdocs.sources.jsregex import MatchTimeout
from cellsdocs.sources.routing import RouteRule, RuleSet
from cellsdocs.sources.topology import Topology

__all__ = ["Example", "example_command", "examples", "report"]


@dataclass(frozen=True)
class Example:
    """A request made from one rule's own patterns, to try that rule; or why there is none."""

    rule: int
    request: Request | None
    #: set when the example does not show the rule working: why, in words
    note: str | None = None

    def to_data(self) -> dict[str, object]:
        request = self.request
        return {
            "rule": self.rule,
            "note": self.note,
            "request": None
            if request is None
            else {
                "method": request.method,
                "path": request.path,
                "headers": [list(h) for h in request.headers],
                "cookies": [list(c) for c in request.cookies],
            },
        }


def _candidates(rule: RouteRule, topology: Topology) -> list[dict[str, str]]:
    """Group texts to try, so the example reaches a real cell: a session prefix or cell id of a
    cell other than the first one (which a fallback would reach anyway), then of the first one."""
    if rule.classify is None or not rule.classify.variables:
        return [{}]
    kind = rule.classify.type.removeprefix("CLASSIFY_TYPE_")
    legacy = first_cell(topology)
    cells = sorted(topology.cells, key=lambda c: (c == legacy, c.id))
    out: list[dict[str, str]] = []
    for variable in rule.classify.variables:
        if kind == "SESSION_PREFIX":
            out.extend({variable: c.session_prefix} for c in cells)
        elif kind == "CELL_ID":
            out.extend({variable: value} for c in cells for value in (str(c.id), c.name))
    return [*out, {}]


def _example_request(rule: RouteRule, topology: Topology) -> Request | None:
    from cellsdocs.analysis.regex_sample import sample

    match = rule.match
    if match is None:
        return Request(path="/")
    for overrides in _candidates(rule, topology):
        if match.type == "path":
            assert match.regex_value is not None
            found = sample(match.regex_value, overrides=overrides)
            if found is None:
                continue
            if not found.startswith("/") and match.regex_value.search("/" + found):
                found = "/" + found
            return Request(path=found)
        assert match.regex_name is not None
        name = sample(match.regex_name, overrides=overrides, compiled=match.name_pattern)
        value = "1" if match.regex_value is None else sample(match.regex_value, overrides=overrides)
        if name is None or value is None:
            continue
        pair = ((name, value),)
        return Request(path="/", headers=pair) if match.type == "header" else Request(path="/", cookies=pair)
    return None


def examples(rule_set: RuleSet, topology: Topology) -> list[Example]:
    """One example request per rule, generated from the rule's own match conditions.

    Each is checked by :func:`explain`: an example that an earlier rule catches first says so in
    its note; a rule whose patterns give no sample (:mod:`cellsdocs.analysis.regex_sample`) has a note
    instead of a request."""
    out = []
    for rule in rule_set.rules:
        try:
            request = _example_request(rule, topology)
        except MatchTimeout:
            request = None
        if request is None:
            out.append(Example(rule.number, None, f"no example could be derived from {rule.label}'s patterns"))
            continue
        try:
            result = explain(rule_set, topology, request)
        except SourceError:
            out.append(Example(rule.number, None, f"the example for {rule.label} could not be checked"))
            continue
        note = None
        if result.rule is None or result.rule.number != rule.number:
            caught = result.rule.label if result.rule else "no rule"
            note = f"{caught} matches this example first: {rule.label} is reached only by requests it lets through"
        out.append(Example(rule.number, request, note))
    return out


# --- the command line (cells-docs explain) -------------------------------------------------------


def example_command(rule_set: str | None, request: Request) -> str:
    """The ``cells-docs explain`` command line that sends *request* (through *rule_set* if given)."""
    import shlex

    words = ["cells-docs", "explain"] + ([] if request.path.startswith("-") else [request.path])
    if rule_set is not None:
        words += ["--rules", rule_set]
    if request.method != "GET":
        words += ["--method", request.method]
    for name, value in request.headers:
        words += ["-H", f"{name}: {value}"]
    for name, value in request.cookies:
        words += ["-b", f"{name}={value}"]
    if request.path.startswith("-"):
        words += ["--", request.path]  # a path that looks like an option comes after "--"
    return " ".join(shlex.quote(word) for word in words)


def report(
    rule_set: RuleSet,
    result: Explanation,
    request: Request,
    *,
    active: bool,
    tries: Sequence[Example] = (),
) -> list[str]:
    """What ``cells-docs explain`` prints: the answer, then why each rule tried before did not match
    (with *tries*, an example request each of those rules does match)."""
    lines = [
        f"rule set:       {rule_set.name}{' (active)' if active else ''} [{rule_set.source}]",
        f"request:        {request.method} {request.path}",
    ]
    if result.rule is None:
        lines += ["matching rule:  none", f"outcome:        {result.reason}"]
    else:
        rule = result.rule
        summary = f" - {rule.description}" if rule.description else ""
        lines.append(f"matching rule:  {rule.label}{summary}")
        captured = ", ".join(f"{k}={v}" for k, v in sorted(result.captures.items())) or "nothing"
        lines += [f"captured:       {captured}", f"action:         {result.action}"]
        if result.action == "classify":
            value = f" {result.classify_value}" if result.classify_value is not None else ""
            lines.append(f"classification: {result.classify_type}{value}")
        if result.cell is not None:
            target = f"{result.cell.name} ({result.cell.address})"
        elif result.outcome == "reject":
            target = "none: the request is refused (REJECT)"
        else:
            target = "decided by the Topology Service at run time"
        lines += [f"target cell:    {target}", f"why:            {result.reason}"]
    by_rule = {example.rule: example for example in tries}
    for index, (number, why) in enumerate(result.why_not):
        rule = rule_set.rules[number - 1]
        lines.append(f"{'why not:' if index == 0 else '':<16}{rule.label}: {why}")
        example = by_rule.get(number)
        if example is not None and example.request is not None and example.note is None:
            command = example_command(None if active else rule_set.name, example.request)
            lines.append(f"{'':<18}it matches: {command}")
    return lines
