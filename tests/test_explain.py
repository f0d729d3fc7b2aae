"""The Python route explainer against the shared vectors (the browser runs the same ones)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cellsdocs.analysis.explain import Request, explain
from cellsdocs.sources.routing import parse_rule_set
from cellsdocs.sources.topology import Cell, Topology

from conftest import DATA

VECTORS: dict[str, Any] = json.loads((DATA / "route-vectors.json").read_text(encoding="utf-8"))


def topology() -> Topology:
    cells = tuple(
        Cell(
            id=c["id"],
            name=c["name"],
            address=c["address"],
            session_prefix=c["session_prefix"],
            sequence_min=c["id"] * 1000,
            sequence_max=c["id"] * 1000 + 999,
        )
        for c in VECTORS["cells"]
    )
    return Topology(cells=cells, source="vectors")


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_vector(case: dict[str, Any]) -> None:
    rules = parse_rule_set(json.dumps(VECTORS["rule_sets"][case["rule_set"]]), name=case["rule_set"], file="v.json")
    result = explain(rules, topology(), Request.from_data(case["request"]))
    assert result.to_data() == case["expect"]


# --- Cookie headers, why-not words, examples ------------------------------------------------------

from cellsdocs.analysis.examples import Example, example_command, examples, report  # noqa: E402
from cellsdocs.analysis.explain import parse_cookie_header, quoted, request_from_arguments, why_not  # noqa: E402
from cellsdocs.analysis.regex_sample import sample  # noqa: E402
from cellsdocs.sources.jsregex import translate  # noqa: E402

from conftest import ROOT  # noqa: E402


def rule_set(rules: list[dict[str, Any]], name: str = "t") -> Any:
    return parse_rule_set(json.dumps(rules), name=name, file=f"{name}.json")


@pytest.mark.parametrize(
    ("header", "pairs"),
    [
        ("Cookie: a=1; b=2", [("a", "1"), ("b", "2")]),
        ("cookie:a=1", [("a", "1")]),
        ("COOKIE:  a = 1 ;; b=x=y ; flag", [("a", "1"), ("b", "x=y"), ("flag", "")]),
        ("a=1", [("a", "1")]),
        ("Cookie:", []),
        ("  ", []),
        ('s="quoted value"', [("s", '"quoted value"')]),
        ("Cookies: a=1", [("Cookies: a", "1")]),  # only the Cookie: header name is taken off
    ],
)
def test_parse_cookie_header(header: str, pairs: list[tuple[str, str]]) -> None:
    assert parse_cookie_header(header) == pairs


def test_quoted_is_json_cut_at_sixty_code_points() -> None:
    assert quoted('a"b') == '"a\\"b"'
    assert quoted("x" * 61) == '"' + "x" * 60 + '…"'
    assert quoted("\U0001f600" * 61) == '"' + "\U0001f600" * 60 + '…"'
    assert quoted("\ud800") == '"\\ud800"'  # a lone surrogate, written as JSON.stringify writes it


def test_why_not_names_the_failing_condition() -> None:
    rules = rule_set(
        [
            {"match": {"type": "path", "regex_value": "^/users/"}, "action": "proxy"},
            {
                "match": {"type": "cookie", "regex_name": "^_gitlab_session$", "regex_value": "^cell_\\d+_"},
                "action": "proxy",
            },
        ]
    )
    path_rule, cookie_rule = rules.rules
    request = Request(path="/api/v4/x?y=1", cookies=(("_gitlab_session", "abc"),))
    assert why_not(path_rule, request) == 'path "/api/v4/x" does not match ^/users/'
    assert why_not(cookie_rule, request) == 'cookie _gitlab_session value "abc" does not match ^cell_\\d+_'
    assert why_not(cookie_rule, Request()) == "cookie _gitlab_session missing"
    # a cookie of another case is another cookie (cookie names are compared exactly)
    assert why_not(cookie_rule, Request(cookies=(("_GITLAB_SESSION", "cell_1_"),))) == "cookie _gitlab_session missing"


def test_explanation_lists_only_the_rules_tried() -> None:
    rules = rule_set(
        [
            {"id": "a", "match": {"type": "path", "regex_value": "^/a"}, "action": "proxy"},
            {"id": "b", "match": {"type": "path", "regex_value": "^/b"}, "action": "proxy"},
            {"id": "c", "match": {"type": "path", "regex_value": "^/"}, "action": "proxy"},
        ]
    )
    result = explain(rules, topology(), Request(path="/b"))
    assert result.rule is not None and result.rule.id == "b"
    assert result.why_not == ((1, 'path "/b" does not match ^/a'),)


@pytest.mark.parametrize(
    ("pattern", "overrides", "expected"),
    [
        ("^(?<p>cell_\\d+_)[0-9a-f]{16,64}$", {"p": "cell_2_"}, "cell_2_abcdef0123456789"),
        ("^(?<p>cell_\\d+_)[0-9a-f]{16,64}$", {"p": "nope"}, None),  # the override is checked too
        ("^glpat-c(?<id>\\d+)\\.[A-Za-z0-9_-]{20,}$", {"id": "12"}, "glpat-c12.abcdefghijklmnopqrst"),
        ("^/-/(health|readiness)$", {}, "/-/health"),
        ("^/users/(?<user>[\\w.-]+)$", {}, "/users/abc"),
        ("(?<=x)y", {}, "xy"),  # what a lookbehind wants to see comes first
        ("^[^a-z]+$", {}, "012"),
        ("(a)\\1", {}, "aa"),
        ("^[]$", {}, None),  # matches nothing: no example
        ("a{5000}", {}, None),  # too long for an example
    ],
)
def test_sample_writes_a_string_the_pattern_matches(
    pattern: str, overrides: dict[str, str], expected: str | None
) -> None:
    assert sample(translate(pattern), overrides=overrides) == expected


def test_examples_reach_their_own_rule_in_every_repository_rule_set() -> None:
    from cellsdocs.sources.load import load_topology
    from cellsdocs.sources.routing import load_rule_sets

    real = load_topology(ROOT / "sources" / "topology-service" / "config.toml")
    sets = load_rule_sets(ROOT / "sources" / "http-router" / "rules")
    assert sets
    for found in sets:
        made = examples(found, real)
        assert [e.rule for e in made] == [r.number for r in found.rules]
        for example in made:
            assert example.note is None and example.request is not None, (found.name, example)
            result = explain(found, real, example.request)
            assert result.rule is not None and result.rule.number == example.rule
            assert result.outcome in ("cell", "run-time"), (found.name, example)  # never a refused example


def test_examples_carry_a_real_session_prefix_and_say_when_they_cannot() -> None:
    rules = rule_set(
        [
            {"match": {"type": "path", "regex_value": "^/"}, "action": "proxy"},
            {
                "match": {"type": "cookie", "regex_name": "^s$", "regex_value": "^(?<p>cell_\\d+_)[a-f]{4}$"},
                "action": "classify",
                "classify": {"type": "SESSION_PREFIX", "value": "${p}"},
            },
            {"match": {"type": "path", "regex_value": "^[]"}, "action": "proxy"},
        ]
    )
    first, cookie, nothing = examples(rules, topology())
    assert first.note is None and first.request == Request(path="/")
    # the cookie example is caught by rule 1 first (its path is "/"): said, not hidden
    assert cookie.request is not None and cookie.request.cookies == (("s", "cell_2_abcd"),)
    assert cookie.note is not None and "rule 1 matches this example first" in cookie.note
    assert nothing.request is None and nothing.note == "no example could be derived from rule 3's patterns"


def test_example_to_data_and_command_line() -> None:
    request = Request(method="POST", path="-x", headers=(("A", "b c"),), cookies=(("s", "v'q"),))
    assert Example(1, request).to_data()["request"] == {
        "method": "POST",
        "path": "-x",
        "headers": [["A", "b c"]],
        "cookies": [["s", "v'q"]],
    }
    command = example_command("other", request)
    assert command == "cells-docs explain --rules other --method POST -H 'A: b c' -b 's=v'\"'\"'q' -- -x"
    assert example_command(None, Request(path="/a b")) == "cells-docs explain '/a b'"


def test_request_from_arguments_reads_cookie_headers() -> None:
    request = request_from_arguments("get", "/", ["Cookie: a=1; b=2", "X: y"], ["Cookie: c=3; d=4", "e=5"])
    assert request.method == "GET"
    assert request.headers == (("Cookie", "a=1; b=2"), ("X", "y"))
    assert request.cookies == (("c", "3"), ("d", "4"), ("e", "5"), ("a", "1"), ("b", "2"))


def test_report_prints_why_not_lines_and_examples() -> None:
    rules = rule_set(
        [
            {
                "id": "session",
                "match": {"type": "cookie", "regex_name": "^s$", "regex_value": "^(?<p>cell_\\d+_)[a-f]{4}$"},
                "action": "classify",
                "classify": {"type": "SESSION_PREFIX", "value": "${p}"},
            },
            {"id": "fallback", "action": "classify", "classify": {"type": "FIRST_CELL"}},
        ]
    )
    request = Request(cookies=(("s", "abc"),))
    result = explain(rules, topology(), request)
    lines = report(rules, result, request, active=True, tries=examples(rules, topology()))
    assert (
        lines[-2] == 'why not:        rule 1 (session): cookie s value "abc" does not match ^(?<p>cell_\\d+_)[a-f]{4}$'
    )
    assert lines[-1] == "                  it matches: cells-docs explain / -b s=cell_2_abcd"
    refused = explain(rules, topology(), Request(cookies=(("s", "cell_9_abcd"),)))
    text = "\n".join(report(rules, refused, request, active=False))
    assert "target cell:    none: the request is refused (REJECT)" in text
    assert "the Topology Service answers REJECT and the router refuses the request" in text
