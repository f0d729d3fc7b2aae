from __future__ import annotations

import json

import pytest

from cellsdocs.errors import SourceError
from cellsdocs.sources.routing import parse_rule_set

SESSION = [
    {
        "id": "session-cookie",
        "match": {"type": "cookie", "regex_name": "^_gitlab_session$", "regex_value": "^(?<prefix>cell_\\d+_)"},
        "action": "classify",
        "classify": {"type": "SESSION_PREFIX", "value": "${prefix}"},
    },
    {"action": "classify", "classify": {"type": "FIRST_CELL"}},
]


def parse(rules: object) -> object:
    return parse_rule_set(json.dumps(rules, indent=2), name="t", file="rules/t.json")


def test_parses_rules_in_order_with_lines() -> None:
    rule_set = parse(SESSION)
    assert [r.number for r in rule_set.rules] == [1, 2]  # type: ignore[attr-defined]
    first = rule_set.rules[0]  # type: ignore[attr-defined]
    assert first.match.groups == ("prefix",)
    assert first.classify.variables == ("prefix",)
    assert first.line == 2
    assert rule_set.rules[1].line == 15  # type: ignore[attr-defined]
    assert rule_set.rule("session-cookie") is first  # type: ignore[attr-defined]


def broken(change: dict[str, object], index: int = 0) -> list[object]:
    rules = json.loads(json.dumps(SESSION))
    rules[index].update(change)
    return rules


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"not": "a list"}, "rules/t.json:1: a rule set must be a JSON array"),
        ([], "rule set is empty"),
        (broken({"action": "route"}), "rules/t.json:2: rules[0].action: unknown action 'route'"),
        (broken({"extra": 1}), "rules[0].extra: unknown key 'extra'"),
        (broken({"match": {"type": "query", "regex_value": "x"}}), "rules[0].match.type: unknown match type 'query'"),
        (broken({"match": {"type": "cookie", "regex_value": "x"}}), "a cookie match needs regex_name"),
        (broken({"match": {"type": "path", "regex_name": "x", "regex_value": "y"}}), "a path match has no name"),
        (broken({"match": {"type": "path", "regex_value": "(?P<x>a)"}}), "is not JavaScript regex syntax"),
        (broken({"match": {"type": "path", "regex_value": "[a-"}}), "unterminated character class"),
        (
            broken({"classify": {"type": "SESSION_PREFIX", "value": "${cell}"}}),
            "${cell} is not captured by the rule's regex (named groups: prefix)",
        ),
        (broken({"classify": None}), "a classify rule needs a 'classify' object"),
        (broken({"action": "proxy"}), "a proxy rule must not have 'classify'"),
        (
            [{"action": "proxy"}, *SESSION],
            "rules/t.json:5: rules[1]: rule 2 (session-cookie) can never match: rule 1 has no",
        ),
        ([*broken({"id": "x"}, 0), {"id": "x", "action": "proxy"}], "duplicate rule id 'x'"),
    ],
)
def test_broken_rule_sets(rules: object, expected: str) -> None:
    with pytest.raises(SourceError) as info:
        parse(rules)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_json_syntax_error_names_line_and_column() -> None:
    with pytest.raises(SourceError) as info:
        parse_rule_set('[\n  {"action": "proxy",}\n]', name="t", file="rules/t.json")
    assert str(info.value).startswith("rules/t.json:2: rule set is not valid JSON")
    assert "column" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[\n  {"action": "proxy",\n   "action": "classify"}\n]',
            "rules/t.json:3: action: rule set has the key 'action' twice",
        ),
        (
            '[\n  {"match": {"type": "path",\n             "type": "cookie", "regex_value": "x"}, "action": "proxy"}\n]',
            "rules/t.json:3: type: rule set has the key 'type' twice",
        ),
        ("[\n" + "[" * 300 + "]" * 300 + "\n]", "rules/t.json:2: rule set is nested more than 200 levels deep"),
        (
            '[\n  {"action": "proxy", "id": ' + "7" * 5000 + "}\n]",
            "rules/t.json:2: rule set has an integer of more than",
        ),
    ],
)
def test_json_that_json_would_misread_or_crash_on(text: str, expected: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_rule_set(text, name="t", file="rules/t.json")
    assert str(info.value).startswith(expected)


def test_a_javascript_lookbehind_is_a_valid_rule() -> None:
    rule_set = parse(
        [
            {
                "match": {"type": "path", "regex_value": "(?<=^/api/v\\d+/cells/)(?<cell>cell-\\d+)"},
                "action": "classify",
                "classify": {"type": "CELL_ID", "value": "${cell}"},
            }
        ]
    )
    assert rule_set.rules[0].match.groups == ("cell",)  # type: ignore[attr-defined]
