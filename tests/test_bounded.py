"""Bounded work: no source can make the tools hang or exhaust memory (issue 14, item 4).

The ReDoS check (refuse before running), the time limit on every match (cut off while running),
regular files only, bounded YAML alias expansion, and git revisions that are never options.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cellsdocs.analysis.explain import Request, explain, resolve_cell
from cellsdocs.errors import SourceError
from cellsdocs.sources.gitsafe import check_revision
from cellsdocs.sources.jsregex import MATCH_TIMEOUT, MatchTimeout, catastrophic, translate
from cellsdocs.sources.routing import RouteMatch, RouteRule, RuleSet, load_rule_sets, parse_rule_set
from cellsdocs.sources.textio import read_text
from cellsdocs.sources.topology import parse_topology
from cellsdocs.sources.yamlsrc import load_yaml

from helpers import DATA, ROOT, SourceTree, cli

TOPOLOGY = parse_topology(
    '[[cells]]\nid = 1\nname = "cell-1"\naddress = "cell-1.example.com:443"\n'
    'session_prefix = "cell_1_"\nsequence_range = [1, 1000]\n'
)

CATASTROPHIC = [
    r"^(\w+\w*)+x$",  # the example
    r"(a+)+$",
    r"(a|a)*b",
    r"(.*a){20}",
    r"(a*)*b",
    r"(\d+)*$",
    r"^(a|aa)+$",
    r"(x+x+)+y",
    r"^(\w+\s?)*$",
    r"(?<x>a+)+b",
    r"^(\.?\d+)+$",
    r"(a{1,2})+$",
    r"(\w|\d)+$",  # Python would merge the alternatives into one set; JavaScript does not
    r"(?:a|b|ab)*c",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"\w+\w*x",
    r"a*a*a*b",
    r"\s*#?\s*$",
    r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+$",
    r"(?<=(a+)+)b",  # inside a lookbehind too
]

# accepted: linear, or at most quadratic from searching at every position. Measured against recheck
# (npm): it finds every pattern above vulnerable, and calls these linear or 2nd degree.
SAFE = [
    r"^(/[\w-]+)+$",
    r"^(\d+\.){3}\d+$",
    r"^/-/(health|readiness|liveness)$",
    r"(?:[a-z]+\.)+com$",
    r"^[a-z][a-z0-9_-]*$",
    r"^([a-z]+-)*[a-z]+$",
    r"^Bearer\s+(?<t>\S+)$",
    r"^(?:ab|ac)+$",
    r"(a|ab)*c",  # 'b' cannot start a round: one way only
    r"^(?<cell_prefix>cell_\d+_)[0-9a-f]{16,64}$",
    r"(?<=^/api/v\d+/)projects",
]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_detector_refuses_catastrophic_patterns(pattern: str) -> None:
    assert catastrophic(translate(pattern)), pattern


@pytest.mark.parametrize("pattern", SAFE)
def test_detector_accepts_linear_patterns(pattern: str) -> None:
    assert catastrophic(translate(pattern)) == [], pattern


@pytest.mark.parametrize(
    "folder", [ROOT / "sources" / "http-router" / "rules", DATA / "minimal" / "rules"], ids=["sources", "minimal"]
)
def test_no_false_positive_on_the_rule_sets_in_the_repository(folder: Path) -> None:
    assert load_rule_sets(folder)  # every pattern passes the check


def test_refusal_names_file_line_rule_and_key() -> None:
    text = """[
  {"match": {"type": "path", "regex_value": "^/x"}, "action": "proxy"},
  {"id": "bad", "match": {"type": "path", "regex_value": "(a|a)*b"}, "action": "proxy"}
]"""
    with pytest.raises(SourceError) as info:
        parse_rule_set(text, name="t", file="rules/t.json")
    message = str(info.value)
    assert message.startswith("rules/t.json:3: rules[1].match.regex_value: rule 2 (bad): regex '(a|a)*b' can backtrack")
    assert "\n" not in message


def _rule_set(pattern: str) -> RuleSet:
    """A rule set whose only rule uses *pattern* without the load-time check (as if it slipped by)."""
    match = RouteMatch(type="path", regex_value=translate(pattern))
    rule = RouteRule(number=1, id="slow", description=None, match=match, action="proxy", classify=None, line=7)
    return RuleSet(name="t", rules=(rule,), source="rules/t.json")


def test_evaluation_is_cut_off_with_one_line_naming_the_rule() -> None:
    started = time.perf_counter()
    with pytest.raises(SourceError) as info:
        explain(_rule_set("^(a|aa)+$"), TOPOLOGY, Request(path="a" * 60 + "!"))
    elapsed = time.perf_counter() - started
    # bounded, not exponential (2**60 steps); generous, since a loaded machine stretches wall time
    assert elapsed < MATCH_TIMEOUT + 20
    message = str(info.value)
    assert message.startswith("rules/t.json:7: rules[0].match: rule 1 (slow): the search gave up after")
    assert "\n" not in message


def test_bounded_search_raises_match_timeout() -> None:
    with pytest.raises(MatchTimeout):
        translate("^(a|aa)+$").search("a" * 60 + "!", timeout=0.05)


def test_timing_guard_check_refuses_a_catastrophic_regex_quickly(minimal: SourceTree) -> None:
    minimal.write(
        "rules/redos.json", '[{"match": {"type": "path", "regex_value": "^(\\\\w+\\\\w*)+x$"}, "action": "proxy"}]'
    )
    started = time.perf_counter()
    result = cli("check", env=minimal.env, timeout=60)
    elapsed = time.perf_counter() - started
    assert result.code == 1
    assert "can backtrack catastrophically" in result.stderr
    assert elapsed < 20, f"check took {elapsed:.1f} s"


# --- JavaScript lookbehind: accepted with JavaScript's semantics (any width) ------------------


@pytest.mark.parametrize(
    ("pattern", "matches", "rejects"),
    [
        (r"(?<=^/api/v\d+/)projects", ["/api/v4/projects", "/api/v12/projects"], ["/x/v4/projects", "/projects"]),
        (r"(?<!internal-)token$", ["my-token"], ["internal-token"]),
        (r"^(?<=)a", ["a"], ["b"]),
    ],
)
def test_lookbehind_of_any_width_is_accepted(pattern: str, matches: list[str], rejects: list[str]) -> None:
    translated = translate(pattern)
    for value in matches:
        assert translated.search(value), value
    for value in rejects:
        assert not translated.search(value), value


def test_lookbehind_captures_a_named_group() -> None:
    found = translate(r"(?<=^/cells/(?<cell>cell-\d+)/)settings").search("/cells/cell-12/settings")
    assert found is not None and found.group("cell") == "cell-12"


# --- inputs that used to crash or hang -------------------------------------------------------


def test_a_huge_cell_id_names_no_cell() -> None:
    cell, reason = resolve_cell(TOPOLOGY, "CELL_ID", "9" * 5000)
    assert cell is None
    assert len(reason) < 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"headers": ["x"]}, "headers[0] must be a [name, value] pair"),
        ({"headers": "x"}, "headers must be an object or a list"),
        ({"cookies": {"a": {"b": 1}}}, "cookies['a'] must be a string"),
        ({"method": None}, "method must be a string"),
    ],
)
def test_malformed_request_fields(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Request.from_data(data)


def test_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    started = time.perf_counter()
    with pytest.raises(SourceError, match="is not a regular file: it is a FIFO"):
        read_text(pipe, what="rule set")
    assert time.perf_counter() - started < 1


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ["x0: &x0 [" + ",".join(["lol"] * 9) + "]"]
    lines += [f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 10)]
    started = time.perf_counter()
    with pytest.raises(SourceError, match="an alias bomb"):
        load_yaml("\n".join([*lines, "interval: *x9"]), file="a.yml", what="alert rule file")
    assert time.perf_counter() - started < 1


def test_yaml_recursive_alias_is_refused() -> None:
    with pytest.raises(SourceError, match="recursive structure"):
        load_yaml("a: &a [*a]\n", file="a.yml", what="alert rule file")


def test_yaml_aliases_within_bounds_still_work() -> None:
    assert load_yaml("a: &a {k: 1}\nb: *a\n", file="a.yml", what="x") == {"a": {"k": 1}, "b": {"k": 1}}


@pytest.mark.parametrize("revision", ["--output=/tmp/x", "-p", "a..b", "HEAD:secret", "x y", "", "main\n"])
def test_revisions_that_could_be_options_are_refused(revision: str) -> None:
    with pytest.raises(SourceError, match="is not a git revision name"):
        check_revision(revision)


@pytest.mark.parametrize("revision", ["HEAD", "HEAD~2", "v1.2.0", "origin/main", "abc123", "main@{1}", "HEAD^"])
def test_ordinary_revisions_pass(revision: str) -> None:
    assert check_revision(revision) == revision
