"""``cells-docs explain`` and ``cells-docs route-diff`` on a private source tree."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import SourceTree, cli


def test_explain_prints_rule_classification_and_cell(minimal: SourceTree) -> None:
    result = cli("explain", "/", "-b", "_gitlab_session=cell_2_abc", env=minimal.env)
    assert result.code == 0, result.output
    assert "rule set:       session_prefix (active)" in result.stdout
    assert "matching rule:  rule 1" in result.stdout
    assert "captured:       prefix=cell_2_" in result.stdout
    assert "classification: SESSION_PREFIX cell_2_" in result.stdout
    assert "target cell:    cell-2 (cell-2.example.com:443)" in result.stdout


def test_explain_other_rule_set_and_no_match(minimal: SourceTree) -> None:
    minimal.write("rules/paths.json", '[{"match": {"type": "path", "regex_value": "^/api/"}, "action": "proxy"}]')
    result = cli("explain", "/web", "--rules", "paths", env=minimal.env)
    assert result.code == 2
    assert "no rule matched" in result.stdout
    bad = cli("explain", "/", "--rules", "nope", env=minimal.env)
    assert bad.code == 1 and "no rule set named 'nope'" in bad.stderr and "Traceback" not in bad.output


def test_route_diff_between_rule_sets(minimal: SourceTree, tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        json.dumps({"path": "/", "cookies": {"_gitlab_session": "cell_2_x"}}) + "\n" + json.dumps({"path": "/x"}) + "\n"
    )
    result = cli("route-diff", str(requests), "--against", "passthrough", env=minimal.env)
    assert result.code == 0, result.output
    assert "GET /: rule 1: proxy -> cell-1  =>  rule 1: SESSION_PREFIX cell_2_ -> cell-2" in result.stdout
    assert "1 of 2 requests routed differently" in result.stderr  # /x: cell-1 either way


def test_route_diff_against_a_git_revision(minimal: SourceTree, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(minimal.root), "-c", "user.name=t", "-c", "user.email=t@e.x", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "base")
    minimal.write("rules/session_prefix.json", '[{"action": "classify", "classify": {"type": "FIRST_CELL"}}]')
    requests = tmp_path / "r.json"
    requests.write_text(json.dumps([{"path": "/", "cookies": {"_gitlab_session": "cell_2_x"}}]))
    result = cli("route-diff", str(requests), "--against-revision", "HEAD", env=minimal.env)
    assert "SESSION_PREFIX cell_2_ -> cell-2  =>  rule 1: FIRST_CELL -> cell-1" in result.stdout


def test_route_diff_bad_request_file(minimal: SourceTree, tmp_path: Path) -> None:
    requests = tmp_path / "bad.jsonl"
    requests.write_text('{"path": "/"}\n{"path": \n')
    result = cli("route-diff", str(requests), "--against", "passthrough", env=minimal.env)
    assert result.code == 1
    assert "bad.jsonl:2: request is not valid JSON" in result.stderr


def test_explain_says_why_each_earlier_rule_did_not_match(minimal: SourceTree) -> None:
    result = cli("explain", "/", "-b", "_gitlab_session=abc", "--rules", "session_prefix", env=minimal.env)
    assert result.code == 0, result.output
    why = [line for line in result.stdout.splitlines() if "does not match" in line or "missing" in line]
    assert why and why[0].startswith("why not:        rule 1")
    assert 'cookie _gitlab_session value "abc" does not match' in why[0]


def test_explain_examples_are_commands_that_match(minimal: SourceTree) -> None:
    import re
    import shlex

    result = cli("explain", "/", "--examples", env=minimal.env)
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    pairs = [
        (re.search(r"(rule \d+)", lines[i - 1]), line.split("it matches: ", 1)[1])
        for i, line in enumerate(lines)
        if "it matches: " in line
    ]
    assert pairs
    for rule, command in pairs:
        assert rule is not None
        words = shlex.split(command)
        assert words[:2] == ["cells-docs", "explain"]
        again = cli("explain", *words[2:], env=minimal.env)
        assert again.code == 0, again.output
        assert f"matching rule:  {rule.group(1)}" in again.stdout, command


def test_explain_reads_a_pasted_cookie_header(minimal: SourceTree) -> None:
    for args in (
        ("-b", "Cookie: theme=dark; _gitlab_session=cell_2_abc"),
        ("-H", "Cookie: theme=dark; _gitlab_session=cell_2_abc"),
        ("-b", "theme=dark;_gitlab_session=cell_2_abc"),
    ):
        result = cli("explain", "/", *args, env=minimal.env)
        assert result.code == 0, result.output
        assert "target cell:    cell-2" in result.stdout, args


def test_explain_unknown_session_prefix_is_refused(minimal: SourceTree) -> None:
    result = cli("explain", "/", "-b", "_gitlab_session=cell_99_abc", env=minimal.env)
    assert result.code == 0, result.output
    assert "target cell:    none: the request is refused (REJECT)" in result.stdout
    assert "not known at build time" not in result.stdout
