"""The Python route explainer against the shared vectors (the browser runs the same ones)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cellsdocs.explain import Request, explain
from cellsdocs.routing import parse_rule_set
from cellsdocs.topology import Cell, Topology

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
