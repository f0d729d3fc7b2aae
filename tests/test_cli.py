"""The ``check`` command: one line per problem, non-zero exit, for every kind of broken source."""

from __future__ import annotations

import pytest

from helpers import SourceTree, cli


def test_check_passes_on_the_in_repo_sources() -> None:
    result = cli("check")
    assert result.code == 0, result.output
    assert result.stdout.startswith("ok: ")


def test_check_passes_on_a_minimal_tree(minimal: SourceTree) -> None:
    result = cli("check", env=minimal.env)
    assert result.code == 0, result.output
    assert "2 cells" in result.stdout


@pytest.mark.parametrize(
    ("relative", "content", "expected"),
    [
        ("config.toml", "[[cells]\n", "config.toml:1: TOML syntax error"),
        (
            "config.toml",
            "[[cells]]\nid = 1\nname = 'c'\naddress = 'c:1'\nsession_prefix = 'p'\n"
            "sequence_range = [1, 2]\ncolour = 'red'\n",
            "config.toml:7: cells[0].colour: unknown key 'colour'",
        ),
        (
            "rules/session_prefix.json",
            '[{"action": "proxy"},]',
            "rules/session_prefix.json:1: rule set is not valid JSON",
        ),
        (
            "rules/session_prefix.json",
            '[{"action": "classify", "classify": {"type": "NOPE"}}]',
            "rules[0].classify.type: classify type 'NOPE' is not a value of the proto ClassifyType enum",
        ),
        ("alerts/demo.yml", "groups: [", "alerts/demo.yml:1: alert rule file is not valid YAML"),
        (
            "proto/demo/v1/demo.proto",
            'syntax = "proto3";\nmessage {',
            "proto/demo/v1/demo.proto:2: Expected message name. (column 9)",
        ),
        (
            "adr/0001-use-demo.md",
            "---\nstatus: maybe\n---\n# X\n",
            "adr/0001-use-demo.md:2: status: unknown status 'maybe'",
        ),
        (
            "runbooks/demo/demo-down.md",
            "---\nalerts: DemoDown: x\n---\n",
            "runbooks/demo/demo-down.md:2: front matter is not valid YAML",
        ),
    ],
)
def test_broken_sources_give_one_line_and_exit_1(
    minimal: SourceTree, relative: str, content: str, expected: str
) -> None:
    minimal.write(relative, content)
    result = cli("check", env=minimal.env)
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert expected in errors[0]
    assert "Traceback" not in result.output


def test_missing_sources_are_all_reported(minimal: SourceTree, tmp_path: object) -> None:
    env = dict(minimal.env, CELLS_PROTO_ROOT="/nonexistent/proto", CELLS_TOPOLOGY_CONFIG="/nonexistent/config.toml")
    result = cli("check", env=env)
    assert result.code == 1
    assert "error: /nonexistent/proto: proto root not found (fix: set CELLS_PROTO_ROOT" in result.stderr
    assert "error: /nonexistent/config.toml: topology config not found" in result.stderr


def test_unreadable_file(minimal: SourceTree) -> None:
    (minimal.root / "config.toml").write_bytes(b"name = '\xff'\n")
    result = cli("check", env=minimal.env)
    assert result.code == 1
    assert "config.toml:1: topology config is not valid UTF-8" in result.stderr


def test_sources_command_lists_every_variable(minimal: SourceTree) -> None:
    result = cli("sources", env=minimal.env)
    assert result.code == 0
    for var in minimal.env:
        assert var in result.stdout
