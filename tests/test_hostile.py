"""The hostile content corpus (tests/data/hostile/cases.yml): rejected cleanly or rendered safely.

Each case is data: the input written into a private copy of the minimal source tree, the command
run over it (``cells-docs`` arguments, or ``[build]`` for a strict ``mkdocs build``), the expected
exit and the one-line message, and a time limit, so that a hang is a failure and not a stuck run.
Commands run in this process (tests/helpers.py: an escaping exception fails the case as a traceback
would); the cases marked ``process: true`` run again in a real process (``slow``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import DATA, Run, SourceTree, build, build_process, cli, cli_process

CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "hostile" / "cases.yml").read_text())["cases"]


def _deep_yaml(path: Path, root: Path) -> None:
    path.write_text("groups: " + "[" * 5000 + "]" * 5000 + "\n")


def _deep_json(path: Path, root: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000)


def _huge_regex(path: Path, root: Path) -> None:
    path.write_text('[{"match": {"type": "path", "regex_value": "' + "a" * 1_000_000 + '"}, "action": "proxy"}]')


def _latin1(path: Path, root: Path) -> None:
    path.write_bytes('[{"action": "proxy", "id": "caf\u00e9"}]'.encode("latin-1"))


def _latin1_proto(path: Path, root: Path) -> None:
    path.write_bytes('syntax = "proto3";\npackage bad;\n// caf\u00e9\n'.encode("latin-1"))


def _symlink_out(path: Path, root: Path) -> None:
    outside = root.parent / "outside.md"
    outside.write_text("# Outside\n")
    path.symlink_to(outside)


#: generate: <key> in cases.yml -> a function that creates the input at *path* (tree root given)
GENERATORS: dict[str, Callable[[Path, Path], None]] = {
    "deep_yaml": _deep_yaml,
    "deep_json": _deep_json,
    "huge_regex": _huge_regex,
    "latin1": _latin1,
    "latin1_proto": _latin1_proto,
    "symlink_out": _symlink_out,
    # rule sets index and index-rules: both would be reference/routing/index-rules.md
    "index_rules_twin": lambda path, root: (
        [p.write_text('[{"action": "proxy"}]') for p in (path, path.with_name("index-rules.json"))] and None
    ),
    # --- B: bounded work, option injection -------------------------------------------------
    "fifo": lambda path, root: os.mkfifo(path),
    "directory": lambda path, root: path.mkdir(),
    "dev_zero": lambda path, root: (path.unlink(missing_ok=True), path.symlink_to("/dev/zero"))[-1],
    "symlink_loop": lambda path, root: (
        path.symlink_to(path.with_name("loop-b" + path.suffix)),
        path.with_name("loop-b" + path.suffix).symlink_to(path),
    )[-1],
    "long_name_link": lambda path, root: path.symlink_to("x" * 300),
    "big_int_json": lambda path, root: path.write_text('[\n  {"action": "proxy", "id": ' + "9" * 5000 + "}\n]\n"),
    "big_int_toml": lambda path, root: path.write_text(path.read_text() + "ring = " + "9" * 5000 + "\n"),
    "big_int_front_matter": lambda path, root: path.write_text(
        "---\nstatus: " + "9" * 5000 + "\ndate: 2026-01-02\n---\n\n# Big\n"
    ),
    # billion laughs: 9 levels of 9 aliases each, ~430 million values once expanded
    "alias_bomb_alerts": lambda path, root: path.write_text(
        "x0: &x0 ["
        + ",".join(["lol"] * 9)
        + "]\n"
        + "".join(f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 9) + "]\n" for i in range(1, 10))
        + "groups:\n  - name: bomb\n    interval: *x9\n    rules: []\n"
    ),
    "alias_bomb_adr": lambda path, root: path.write_text(
        "---\nx0: &x0 ["
        + ",".join(["lol"] * 9)
        + "]\n"
        + "".join(f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 9) + "]\n" for i in range(1, 10))
        + "status: *x9\ndate: 2026-01-02\n---\n\n# Bomb\n"
    ),
    "long_cell_name": lambda path, root: path.write_text(
        path.read_text()
        + '\n[[cells]]\nid = 3\nname = "'
        + "c" * 300
        + '"\naddress = "cell-3.example.com:443"\nsession_prefix = "cell_3_"\nsequence_range = [2001, 3000]\n'
    ),
    "deep_json_line": lambda path, root: path.write_text(
        '{"path": "/"}\n{"path": "/", "headers": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    ),
}


def apply(case: dict[str, Any], tree: SourceTree) -> None:
    target = tree.root / case["file"]
    if "generate" in case:
        target.parent.mkdir(parents=True, exist_ok=True)
        GENERATORS[case["generate"]](target, tree.root)
    elif "append" in case:
        target.write_text(target.read_text() + "\n" + case["append"])
    else:
        tree.write(case["file"], case["content"])
    if "runbook_alert" in case:  # keep the alert contract intact: the demo runbook lists the new alert
        book = tree.root / "runbooks" / "demo" / "demo-down.md"
        name = case["runbook_alert"]
        book.write_text(
            book.read_text()
            .replace("alerts: [DemoDown]", f"alerts: [DemoDown, {name}]")
            .replace("## Diagnosis", f"### {name}\n\nSee above.\n\n## Diagnosis")
        )


def run_case(case: dict[str, Any], tree: SourceTree, tmp_path: Path, *, process: bool = False) -> Run:
    """Run the case's command over *tree* (in this process, or in a real one with *process*),
    stopped after its time limit (a hang fails the case)."""
    command = case.get("command", ["check"])
    timeout = case.get("timeout", 60)
    if command == ["build"]:
        if process:
            return build_process(tmp_path / "site", env=tree.env, timeout=timeout)
        return build(tmp_path / "site", env=tree.env, timeout=timeout)
    args = [a.replace("{tree}", str(tree.root)) for a in command]
    if process:
        return cli_process(*args, env=tree.env, timeout=timeout)
    return cli(*args, env=tree.env, timeout=timeout)


def _reject_param(case: dict[str, Any]) -> Any:
    """A case whose command is a site build is marked ``site`` (``make test-fast`` builds nothing)."""
    marks = [pytest.mark.site] if case.get("command", ["check"]) == ["build"] else []
    return pytest.param(case, marks=marks, id=case["name"])


def check_rejected(case: dict[str, Any], result: Run, tmp_path: Path) -> None:
    assert result.code == case.get("exit", 1), result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert errors and any(case["error"] in line for line in errors), result.stderr
    assert all(len(line) < 2000 for line in errors)  # a gigantic input is not echoed back whole
    if case.get("command", ["check"]) == ["build"]:
        assert not (tmp_path / "site" / "index.html").exists(), "a failed build left a site behind"


@pytest.mark.parametrize("case", [_reject_param(c) for c in CASES if c["expect"] == "reject"])
def test_rejected_with_one_clean_line(case: dict[str, Any], minimal: SourceTree, tmp_path: Path) -> None:
    apply(case, minimal)
    check_rejected(case, run_case(case, minimal, tmp_path), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("case", [_reject_param(c) for c in CASES if c.get("process")])
def test_rejected_in_a_real_process(case: dict[str, Any], minimal: SourceTree, tmp_path: Path) -> None:
    """The cases marked ``process: true`` again, through ``python -m cellsdocs`` in a process that is
    killed at the time limit: a hang, a blocking read or a crash of the interpreter shows as it would."""
    apply(case, minimal)
    check_rejected(case, run_case(case, minimal, tmp_path, process=True), tmp_path)


@pytest.mark.site
@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "safe"], ids=lambda c: c["name"])
def test_rendered_safely(case: dict[str, Any], minimal: SourceTree, tmp_path: Path) -> None:
    apply(case, minimal)
    site = tmp_path / "site"
    result = build(site, env=minimal.env)
    assert result.code == 0, result.output
    page = (site / case["page"]).read_text(encoding="utf-8")
    for needle in case["absent"]:
        assert needle not in page, needle
