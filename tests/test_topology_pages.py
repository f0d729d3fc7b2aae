"""Cell inventory, per-cell pages, rule set tables and the explainer's exported data."""

from __future__ import annotations

import json
import re

import pytest

from cellsdocs.markdown import escape_json_for_html
from cellsdocs.render.routing import render_rules_table, routing_data
from cellsdocs.render.topology import alerts_by_cell, readable_count
from cellsdocs.sources.alerts import parse_alert_file
from cellsdocs.sources.routing import parse_rule_set
from cellsdocs.sources.topology import parse_topology

HOSTILE_RULES = [
    {
        "id": "evil",
        "description": "<script>alert(1)</script> | {{ x }}",
        "match": {"type": "path", "regex_value": "^/a|b`c`</script><b>(?<n>x)"},
        "action": "classify",
        "classify": {"type": "CELL_ID", "value": "${n}|<i>"},
    },
    {"action": "proxy"},
]


def test_rule_table_shows_hostile_patterns_as_text() -> None:
    rule_set = parse_rule_set(json.dumps(HOSTILE_RULES), name="evil", file="evil.json")
    table = render_rules_table(rule_set)
    assert "<script>" not in table and "<b>" not in table and "<i>" not in table
    assert "{{" not in table
    rows = [line for line in table.splitlines() if line.startswith("| ") and "evil" in line]
    assert rows and rows[0].count("|") == 5  # four cells: no pipe from the data split the row


def test_exported_json_is_safe_inside_a_script_element() -> None:
    rule_set = parse_rule_set(json.dumps(HOSTILE_RULES), name="evil", file="evil.json")

    class Sources:  # the two attributes routing_data reads
        topology = parse_topology(
            '[[cells]]\nid = 1\nname = "c"\naddress = "c.example.com:1"\nsession_prefix = "</script>"\n'
            "sequence_range = [1, 2]\n",
            file="c.toml",
        )
        rule_sets = (rule_set,)

    payload = escape_json_for_html(json.dumps(routing_data(Sources(), "evil")))  # type: ignore[arg-type]
    assert "</script" not in payload and "<" not in payload
    assert json.loads(payload)["rule_sets"]["evil"]["rules"][0]["match"]["regex_value"].endswith("(?<n>x)")


def test_readable_counts() -> None:
    assert readable_count(999) == "999"
    assert readable_count(999_999_999_999) == "1.0 T"
    assert readable_count(1_000_000_000_000) == "1.0 T"


@pytest.mark.site  # builds the site
def test_cell_and_routing_pages_in_the_site(tmp_path, minimal) -> None:  # type: ignore[no-untyped-def]
    from conftest import build

    minimal.write(
        "config.toml",
        (minimal.root / "config.toml").read_text()
        + '\n[[cells]]\nid = 3\nname = "cell-3"\naddress = "c3.example.com:443"\nsession_prefix = "cell_3_"\n'
        'sequence_range = [3001, 4000]\nregion = "<b>evil</b>"\n',
    )
    minimal.write(
        "alerts/cell2.yml",
        'groups:\n  - name: c\n    rules:\n      - alert: CellTwoSlow\n        expr: latency{cell="cell-2"} > 1\n'
        "        labels: {severity: warning}\n        annotations: {runbook: runbooks/cell/cell-two/}\n",
    )
    runbook = (minimal.root / "runbooks" / "demo" / "demo-down.md").read_text()
    minimal.write(
        "runbooks/cell/cell-two.md",
        runbook.replace("service: demo", "service: cell").replace("DemoDown", "CellTwoSlow"),
    )
    site = tmp_path / "site"
    result = build(site, env=minimal.env)
    assert result.code == 0, result.output
    inventory = (site / "reference" / "cells" / "index.html").read_text()
    for name in ("cell-1", "cell-2", "cell-3"):
        assert f'href="{name}/"' in inventory
    assert "<b>evil</b>" not in inventory and "&lt;b&gt;evil&lt;/b&gt;" in inventory
    assert "No alert rule concerns this cell" in (site / "reference" / "cells" / "cell-1" / "index.html").read_text()
    cell_two = (site / "reference" / "cells" / "cell-2" / "index.html").read_text()
    assert "CellTwoSlow" in cell_two and 'href="../../../runbooks/cell/cell-two/"' in cell_two
    routing = (site / "reference" / "routing" / "session_prefix" / "index.html").read_text()
    assert "Active" in routing
    explainer = (site / "reference" / "routing" / "explain" / "index.html").read_text()
    data = re.search(r'<script type="application/json" id="cells-routing-data">(.*?)</script>', explainer, re.S)
    assert data and json.loads(data.group(1))["active"] == "session_prefix"


def test_a_cell_page_lists_alerts_about_all_cells_and_those_naming_it() -> None:
    cells = parse_topology(
        "".join(
            f'[[cells]]\nid = {n}\nname = "cell-{n}"\naddress = "c{n}.example.com:1"\nsession_prefix = "c{n}_"\n'
            f"sequence_range = [{n * 10}, {n * 10 + 9}]\n"
            for n in (1, 10)
        ),
        file="c.toml",
    ).cells
    rules = """groups:
  - name: g
    rules:
      - {alert: AnyCellDown, expr: up == 0, labels: {service: cell}}
      - {alert: Cell10Lag, expr: 'lag{cell="cell-10"} > 5', labels: {service: db}}
      - {alert: Cell1ByLabel, expr: x > 1, labels: {service: db, cell: cell-1}}
      - {alert: Unrelated, expr: y > 1, labels: {service: db}}
"""
    alerts, _ = parse_alert_file(rules, file="a.yml")
    found = {name: [a.name for a in listed] for name, listed in alerts_by_cell(cells, alerts).items()}
    assert found == {"cell-1": ["AnyCellDown", "Cell1ByLabel"], "cell-10": ["AnyCellDown", "Cell10Lag"]}
