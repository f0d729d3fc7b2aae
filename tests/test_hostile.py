"""The hostile content corpus (tests/data/hostile/cases.yml): rejected cleanly or rendered safely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import DATA, SourceTree, build, cli

CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "hostile" / "cases.yml").read_text())["cases"]


def generate(kind: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "deep_yaml":
        path.write_text("groups: " + "[" * 5000 + "]" * 5000 + "\n")
    elif kind == "deep_json":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "huge_regex":
        path.write_text('[{"match": {"type": "path", "regex_value": "' + "a" * 1_000_000 + '"}, "action": "proxy"}]')
    elif kind == "latin1":
        path.write_bytes('[{"action": "proxy", "id": "caf\u00e9"}]'.encode("latin-1"))
    elif kind == "latin1_proto":
        path.write_bytes('syntax = "proto3";\npackage bad;\n// caf\u00e9\n'.encode("latin-1"))
    elif kind == "symlink_out":
        outside = path.parents[2] / "outside.md" if "runbooks" in path.parts else path.parents[1].parent / "o.md"
        outside.write_text("# Outside\n")
        path.symlink_to(outside)
    else:  # pragma: no cover - a typo in cases.yml
        raise AssertionError(kind)


def apply(case: dict[str, Any], tree: SourceTree) -> None:
    target = tree.root / case["file"]
    if "generate" in case:
        generate(case["generate"], target)
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


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "reject"], ids=lambda c: c["name"])
def test_rejected_with_one_clean_line(case: dict[str, Any], minimal: SourceTree) -> None:
    apply(case, minimal)
    result = cli("check", env=minimal.env)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors and any(case["error"] in line for line in errors), result.stderr
    assert all(len(line) < 2000 for line in errors)  # a gigantic input is not echoed back whole


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
