"""Planning a new cell: the next id, prefix and range from the inventory, the rules it affects,
the same plan on the "Add a cell" page and from ``cells-docs cell plan``."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cellsdocs.analysis.cellplan import plan_cell, toml_string
from cellsdocs.errors import CellsDocsError
from cellsdocs.render.cellplan import plan_markdown, plan_text
from cellsdocs.sources.routing import load_rule_sets, parse_rule_set
from cellsdocs.sources.topology import _INT64_MAX, load_topology, parse_topology

from helpers import MINIMAL, ROOT, cli

SAMPLE = ROOT / "sources" / "topology-service" / "config.toml"
RULES = ROOT / "sources" / "http-router" / "rules"


def cells(*specs: tuple[int, str, str, int, int]) -> str:
    return "\n".join(
        f'[[cells]]\nid = {i}\nname = "{n}"\naddress = "{n}.example.com:443"\n'
        f'session_prefix = "{p}"\nsequence_range = [{lo}, {hi}]\n'
        for i, n, p, lo, hi in specs
    )


def test_plan_on_the_sample_config() -> None:
    topology = load_topology(SAMPLE)
    plan = plan_cell(topology, load_rule_sets(RULES), active_rule_set="session_prefix")
    assert (plan.id, plan.name, plan.session_prefix) == (7, "cell-7", "cell_7_")
    assert plan.usual_size == 1_000_000_000_000  # five cells have it, the first cell one less
    assert (plan.sequence_min, plan.sequence_max) == (6_000_000_000_000, 6_999_999_999_999)
    assert all(plan.sequence_min > c.sequence_max for c in topology.cells)
    affected = {(r.rule_set, r.rule) for r in plan.affected}
    assert ("session_prefix", "rule 1 (session-cookie)") in affected
    assert ("session_prefix", "rule 2 (cell-id-header)") in affected
    assert not {r.rule_set for r in plan.affected} & {"firstcell", "passthrough"}
    assert all(r.reaches for r in plan.affected)
    # the snippet is TOML that, appended, still validates
    combined = SAMPLE.read_text(encoding="utf-8") + "\n" + plan.toml + "\n"
    after = parse_topology(combined, file="config.toml")
    assert after.by_name("cell-7") is not None and after.by_name("cell-7").status == "provisioning"


def test_plan_on_the_minimal_config() -> None:
    topology = load_topology(MINIMAL / "config.toml")
    plan = plan_cell(topology, load_rule_sets(MINIMAL / "rules"))
    assert (plan.id, plan.name, plan.session_prefix) == (3, "cell-3", "cell_3_")
    assert (plan.sequence_min, plan.sequence_max, plan.usual_size) == (2001, 3000, 1000)
    assert plan.address == "cell-3.example.com:443"
    parse_topology((MINIMAL / "config.toml").read_text() + "\n" + plan.toml + "\n")


def test_a_name_that_its_rules_cannot_capture_is_flagged() -> None:
    topology = load_topology(SAMPLE)
    plan = plan_cell(topology, load_rule_sets(RULES), "eu-west-a")
    scoped = next(r for r in plan.affected if "cell-scoped-api" in r.rule)
    assert scoped.reaches is False and scoped.pattern == r"cell-\d+"
    assert "cannot capture" in scoped.verdict
    assert plan.session_prefix == "cell_7_"  # the id convention, whatever the name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cell-3", "is taken"),
        ("x" * 64, "over the 63 limit"),
        ("bad name", "characters other than"),
        ("--option", "characters other than"),
        ("", "empty"),
        ("{{ 7*7 }}", "characters other than"),
    ],
)
def test_names_are_validated(name: str, message: str) -> None:
    topology = load_topology(SAMPLE)
    with pytest.raises(CellsDocsError, match=message):
        plan_cell(topology, (), name)


def test_size_is_the_most_common_and_ranges_stay_in_int64() -> None:
    text = cells((1, "a", "a_", 1, 10), (2, "b", "b_", 11, 30), (5, "c", "c_", 31, 50))
    plan = plan_cell(parse_topology(text), (), "d")
    assert (plan.id, plan.usual_size, plan.sequence_min, plan.sequence_max) == (6, 20, 51, 70)
    assert plan.session_prefix == "d_"
    # no room after the last range: the first gap wide enough
    top = _INT64_MAX
    text = cells((1, "a", "cell_1_", 1, 100), (2, "b", "cell_2_", 1001, 1100), (3, "c", "cell_3_", top - 99, top))
    plan = plan_cell(parse_topology(text), ())
    assert (plan.sequence_min, plan.sequence_max) == (101, 200)
    # no gap at all
    text = cells((1, "a", "cell_1_", 1, top // 2), (2, "b", "cell_2_", top // 2 + 1, top))
    with pytest.raises(CellsDocsError, match="no free sequence range"):
        plan_cell(parse_topology(text), ())


def test_a_prefix_that_another_would_shadow_is_refused() -> None:
    text = cells((1, "a", "a_", 1, 10), (2, "b", "b_", 11, 20))
    with pytest.raises(CellsDocsError, match="one starts the other"):
        plan_cell(parse_topology(text), (), "a_x")  # prefix a_x_ starts with a_


def test_toml_strings_are_escaped() -> None:
    hostile = 'a"b\\c\n\x00\u2028'
    assert tomllib.loads(f"v = {toml_string(hostile)}")["v"] == hostile


def test_markdown_parts_escape_and_link() -> None:
    rules = parse_rule_set(
        '[{"match": {"type": "cookie", "regex_name": "^s$", "regex_value": "^(?<p>cell_\\\\d+_)"},'
        ' "action": "classify", "classify": {"type": "SESSION_PREFIX", "value": "${p}"},'
        ' "id": "<script>{{ 1 }}"}]',
        name="rs",
        file="rs.json",
    )
    topology = load_topology(MINIMAL / "config.toml")
    plan = plan_cell(topology, (rules,))
    page = plan_markdown(plan, rule_set_link=lambda name: f"[{name}](x.md)")
    assert "<script>" not in page and "{{" not in page
    assert "[rs](x.md)" in page and "```toml" in page and "```sh" in page
    assert "cells-docs explain / --rules rs -b s=cell_3_" in page
    with pytest.raises(CellsDocsError, match="unknown part"):
        plan_markdown(plan, "nope")


def test_cli_prints_the_same_plan(tmp_path: Path) -> None:
    env = {"CELLS_TOPOLOGY_CONFIG": str(SAMPLE)}
    result = cli("cell", "plan", "cell-9", env=env)
    assert result.code == 0, result.output
    topology = load_topology(SAMPLE)
    expected = plan_text(plan_cell(topology, load_rule_sets(RULES), "cell-9", active_rule_set="session_prefix"))
    assert result.stdout.strip() == expected.strip()
    assert "id:              7" in result.stdout and 'name = "cell-9"' in result.stdout
    taken = cli("cell", "plan", "cell-1", env=env)
    assert taken.code == 1 and taken.stderr.count("\n") == 1 and "is taken" in taken.stderr
    assert "Traceback" not in taken.stderr
