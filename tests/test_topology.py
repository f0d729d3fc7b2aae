from __future__ import annotations

import pytest

from cellsdocs.errors import SourceError
from cellsdocs.sources.topology import parse_topology, validate_address

GOOD = """\
[[cells]]
id = 1
name = "cell-1"
address = "cell-1.example.com:443"
session_prefix = "cell_1_"
sequence_range = [1, 1000]
region = "eu-west"
status = "active"

[[cells]]
id = 2
name = "cell-2"
address = "10.0.0.2:8443"
session_prefix = "cell_2_"
sequence_range = [1001, 2000]
"""


def test_parses_cells_in_order() -> None:
    topology = parse_topology(GOOD, file="c.toml")
    assert [c.name for c in topology.cells] == ["cell-1", "cell-2"]
    first = topology.cells[0]
    assert first.sequence_size == 1000
    assert first.region == "eu-west"
    assert first.line == 1
    assert topology.by_session_prefix("cell_2_abcdef") == topology.cells[1]
    assert topology.by_id(1) == first


def test_other_top_level_tables_are_ignored() -> None:
    assert len(parse_topology("[serve]\nport = 1\n" + GOOD, file="c.toml").cells) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[cells]\nid = 1", "c.toml:1: TOML syntax error"),
        ("title = 'x'\n", "c.toml: cells: no [[cells]] tables"),
        (GOOD.replace('region = "eu-west"', 'regoin = "eu-west"'), "c.toml:7: cells[0].regoin: unknown key 'regoin'"),
        (GOOD.replace('name = "cell-2"\n', ""), "cells[1]: missing required key 'name'"),
        (GOOD.replace("id = 2", "id = 1"), "c.toml:11: cells[1].id: duplicate id 1"),
        (GOOD.replace('"cell-2"', '"cell-1"'), "c.toml:12: cells[1].name: duplicate name 'cell-1'"),
        (GOOD.replace('"cell_2_"', '"cell_1_"'), "cells[1].session_prefix: duplicate session_prefix"),
        (
            GOOD.replace("[1001, 2000]", "[900, 2000]"),
            "c.toml:15: cells[1].sequence_range: sequence_range [900, 2000] overlaps",
        ),
        (GOOD.replace("[1001, 2000]", "[3000, 2000]"), "cells[1].sequence_range: range [3000, 2000] is inverted"),
        (GOOD.replace('"10.0.0.2:8443"', '"10.0.0.2"'), "cells[1].address: address '10.0.0.2' has no port"),
        (GOOD.replace('"10.0.0.2:8443"', '"bad host:443"'), "is not a valid DNS name"),
        (GOOD.replace('"active"', '"running"'), "cells[0].status: unknown status 'running'"),
        (GOOD.replace("id = 2", 'id = "2"'), "cells[1].id: must be an integer, got str"),
        (GOOD.replace("[1001, 2000]", "[1001]"), "must be a list of two integers"),
    ],
)
def test_broken_inputs_give_one_line_with_location(text: str, expected: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_topology(text, file="c.toml")
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert "(fix:" in message or "syntax" in message or "must" in message


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("a.example.com:443", True),
        ("127.0.0.1:80", True),
        ("[::1]:8080", True),
        ("host:0", False),
        ("host:70000", False),
        ("host", False),
        ("-bad.example.com:1", False),
        ("[zz]:1", False),
        ("999.1.1.1:80", False),
    ],
)
def test_address_validation(address: str, ok: bool) -> None:
    assert (validate_address(address) is None) is ok


def test_sequence_range_may_start_at_zero() -> None:
    text = '[[cells]]\nid = 1\nname = "cell-1"\naddress = "a.example.com:443"\nsession_prefix = "c1_"\nsequence_range = [0, 999]\n'
    assert parse_topology(text).cells[0].sequence_min == 0


def test_every_problem_of_a_config_is_reported_at_once() -> None:
    from cellsdocs.errors import SourceErrors

    cell = '[[cells]]\nid = {id}\nname = "{name}"\naddress = "{address}"\nsession_prefix = "p{id}_"\nsequence_range = [{lo}, {hi}]\n'
    text = "\n".join(
        [
            cell.format(id=1, name="cell-1", address="a.example.com:443", lo=0, hi=999),
            cell.format(id=2, name="cell-2", address="b.example.com:443", lo=500, hi=1999),
            cell.format(id=3, name="cell-1", address="nope", lo=3000, hi=3999),
        ]
    )
    with pytest.raises(SourceErrors) as caught:
        parse_topology(text)
    messages = [e.format() for e in caught.value.errors]
    assert len(messages) == 2
    assert any("cells[2].address" in m for m in messages)
    assert any("overlaps cells[0]" in m and ":13:" in m for m in messages)
