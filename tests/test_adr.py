"""ADRs: reading the foreign styles, the lifecycle CLI round trip, the linter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cellsdocs.errors import SourceError
from cellsdocs.sources.adr_edit import set_front_matter
from cellsdocs.sources.adr_lint import lint_adrs
from cellsdocs.sources.adrs import AdrCollection, parse_adr

from helpers import ROOT, SourceTree, cli

NYGARD = """# 7. Use PostgreSQL for the claims store

Date: 2024-02-03

## Status

Accepted

## Context

We need a store.

## Decision

PostgreSQL.

## Consequences

Operations.
"""

TITLE_ONLY = """---
title: 'Cells ADR 001: Routing technology'
---

## Context

Text.
"""

PLAIN = """# Routing by path

Some text without front matter.
"""


@pytest.mark.parametrize(
    ("text", "stem", "number", "title", "status", "style"),
    [
        (NYGARD, "0007-use-postgresql", 7, "Use PostgreSQL for the claims store", "accepted", "nygard"),
        (TITLE_ONLY, "001_routing_technology", 1, "Routing technology", None, "title-front-matter"),
        (TITLE_ONLY, "routing", 1, "Routing technology", None, "title-front-matter"),
        (PLAIN, "0003-routing-by-path", 3, "Routing by path", None, "plain"),
        (PLAIN, "003_routing_by_path", 3, "Routing by path", None, "plain"),
    ],
)
def test_foreign_styles_load(text: str, stem: str, number: int, title: str, status: str | None, style: str) -> None:
    adr = parse_adr(text, file=f"adr/{stem}.md", stem=stem)
    assert (adr.number, adr.title, adr.status, adr.style) == (number, title, status, style)


def test_nygard_date_is_read() -> None:
    assert str(parse_adr(NYGARD, file="x.md", stem="0007-x").date) == "2024-02-03"


MADR = """---
status: accepted
date: 2025-01-02
tags: [routing]
---

# Decide

## Context and Problem Statement

## Considered Options

## Decision Outcome
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MADR.replace("status: accepted", "status: approved"), "adr/0002-x.md:2: status: unknown status 'approved'"),
        (
            MADR.replace("date: 2025-01-02", "date: 2025-13-45"),
            "adr/0002-x.md:3: date: '2025-13-45' is not a date",
        ),
        (MADR.replace("tags: [routing]", "supersedes: [banana]"), "supersedes: 'banana' is not an ADR number"),
        (MADR.replace("tags: [routing]", "governs: {widgets: [x]}"), "governs.widgets: unknown kind 'widgets'"),
    ],
)
def test_bad_front_matter(text: str, expected: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_adr(text, file="adr/0002-x.md", stem="0002-x")
    assert expected in str(info.value)


def lint(records: dict[str, str]) -> list[str]:
    adrs = tuple(parse_adr(text, file=f"adr/{stem}.md", stem=stem) for stem, text in records.items())
    return [str(e) for e in lint_adrs(AdrCollection(adrs=adrs, folder="adr"))]


def test_lint_duplicate_numbers_says_which_to_renumber() -> None:
    errors = lint({"0002-a": MADR, "0002-b": MADR.replace("2025-01-02", "2025-03-01")})
    assert errors == [
        "adr/0002-b.md: number: number 2 is also used by adr/0002-a.md (fix: renumber this record to 0003 "
        "(cells-docs adr renumber 0002-b 3))"
    ]


def test_lint_supersede_links() -> None:
    missing = lint({"0002-a": MADR.replace("tags: [routing]", "supersedes: [9]")})
    assert any("supersedes ADR 9, which does not exist" in e for e in missing)
    one_way = lint({"0002-a": MADR.replace("tags: [routing]", "supersedes: [3]"), "0003-b": MADR})
    assert any("does not list 2 in superseded-by" in e for e in one_way)
    no_target = lint({"0002-a": MADR.replace("status: accepted", "status: superseded")})
    assert any("superseded-by is empty" in e for e in no_target)


def test_lint_missing_sections() -> None:
    errors = lint({"0002-a": MADR.replace("## Decision Outcome\n", "")})
    assert errors == ["adr/0002-a.md: missing section '## Decision Outcome' (fix: add it (see adr/template.md))"]


def test_set_front_matter_keeps_other_lines() -> None:
    text = "---\n# a comment\nstatus: proposed\nsupersedes:\n  - 1\n  - 2\ntags: [x]\n---\n\n# T\n"
    out = set_front_matter(text, {"status": "accepted", "supersedes": [1, 2, 3], "superseded-by": [4]})
    assert (
        out == "---\n# a comment\nstatus: accepted\nsupersedes: [1, 2, 3]\ntags: [x]\nsuperseded-by: [4]\n---\n\n# T\n"
    )


def test_cli_round_trip(minimal: SourceTree, tmp_path: Path) -> None:
    env = minimal.env
    shutil.copy(ROOT / "adr" / "template.md", minimal.root / "adr" / "template.md")
    made = cli("adr", "new", "Route by tokens", "--tag", "routing", "--date", "2026-03-04", env=env)
    assert made.code == 0, made.output
    path = Path(made.stdout.strip())
    assert path.name == "0002-route-by-tokens.md"
    text = path.read_text()
    assert "status: proposed" in text and "date: 2026-03-04" in text and "# Route by tokens" in text
    assert "tags: [routing]" in text
    assert cli("adr", "lint", env=env).code == 0, cli("adr", "lint", env=env).output
    superseded = cli("adr", "supersede", "1", "2", env=env)
    assert superseded.code == 0, superseded.output
    assert "superseded-by: [2]" in (minimal.root / "adr" / "0001-use-demo.md").read_text()
    assert "supersedes: [1]" in path.read_text()
    assert cli("adr", "status", "2", "accepted", env=env).code == 0
    listing = cli("adr", "list", "--status", "superseded", env=env)
    assert listing.stdout.startswith("ADR-0001") and "\nADR-0002" not in listing.stdout
    lint_ok = cli("adr", "lint", env=env)
    assert lint_ok.code == 0, lint_ok.output
    third = cli("adr", "new", "Replace tokens", "--supersedes", "2", "--date", "2026-05-06", env=env)
    assert third.code == 0 and "superseded-by: [3]" in path.read_text()
    # a colliding number from a parallel merge request
    shutil.copy(path, minimal.root / "adr" / "0002-parallel.md")
    clash = cli("adr", "lint", env=env)
    assert clash.code == 1 and "renumber this record to 0004" in clash.stderr
    assert cli("check", env=env).code == 1


# --- issue 14: what check and the build refuse, what renumber and new keep intact ---------------


def _madr(extra: str = "", status: str = "accepted") -> str:
    return MADR.replace("status: accepted", f"status: {status}").replace("tags: [routing]", f"tags: [routing]{extra}")


def test_a_record_that_supersedes_itself_is_an_error() -> None:
    errors = lint({"0002-a": _madr("\nsupersedes: [2]")})
    assert any("ADR 2 supersedes itself" in e and e.startswith("adr/0002-a.md:") for e in errors), errors
    errors = lint({"0002-a": _madr("\nsuperseded-by: [2]", status="superseded")})
    assert any("ADR 2 supersedes itself" in e and "superseded-by" in e for e in errors), errors


@pytest.mark.parametrize(
    ("records", "chain"),
    [
        (
            {
                "0001-a": _madr("\nsupersedes: [2]\nsuperseded-by: [2]", status="superseded"),
                "0002-b": _madr("\nsupersedes: [1]\nsuperseded-by: [1]", status="superseded"),
            },
            "1 -> 2 -> 1",
        ),
        (
            {
                "0001-a": _madr("\nsupersedes: [2]"),
                "0002-b": _madr("\nsupersedes: [3]"),
                "0003-c": _madr("\nsupersedes: [1]"),
            },
            "1 -> 2 -> 3 -> 1",
        ),
        (  # written only with superseded-by, backwards
            {
                "0001-a": _madr("\nsuperseded-by: [3]", status="superseded"),
                "0002-b": _madr("\nsuperseded-by: [1]", status="superseded"),
                "0003-c": _madr("\nsuperseded-by: [2]", status="superseded"),
            },
            "1 -> 2 -> 3 -> 1",
        ),
    ],
)
def test_supersede_cycles_are_errors(records: dict[str, str], chain: str) -> None:
    errors = lint(records)
    cycles = [e for e in errors if "supersede cycle" in e]
    assert len(cycles) == 1 and f"ADR {chain}" in cycles[0], errors


def test_a_long_supersede_chain_is_fine() -> None:
    records = {f"{n:04d}-r": _madr(f"\nsupersedes: [{n - 1}]" if n > 1 else "") for n in range(1, 400)}
    assert not [e for e in lint(records) if "cycle" in e]


@pytest.mark.parametrize("content", ["", "   \n\t\n"])
def test_empty_records_fail_check_and_adr_lint(minimal: SourceTree, content: str) -> None:
    (minimal.root / "adr" / "0002-empty.md").write_text(content)
    for args in (("check",), ("adr", "lint")):
        result = cli(*args, env=minimal.env)
        assert result.code == 1 and "Traceback" not in result.output
        assert "0002-empty.md: the ADR" in result.stderr and "(fix: write the record" in result.stderr


def test_new_validates_the_date_and_writes_nothing(minimal: SourceTree) -> None:
    before = sorted(p.name for p in (minimal.root / "adr").iterdir())
    for bad in ("notadate", "2026-02-30", "2026-1-2", "20260102", "2026-01-02T00:00"):
        result = cli("adr", "new", "A title", "--date", bad, env=minimal.env)
        assert result.code == 1 and "Traceback" not in result.output, result.output
        assert f"--date {bad!r} is not a date (fix: write YYYY-MM-DD" in result.stderr
    for args in (("Two\nlines",), ("T", "--tag", "a]: b")):
        assert cli("adr", "new", *args, env=minimal.env).code == 1
    assert sorted(p.name for p in (minimal.root / "adr").iterdir()) == before
    assert cli("check", env=minimal.env).code == 0


def test_renumber_stays_inside_the_adr_folder(minimal: SourceTree, tmp_path: Path) -> None:
    outside = tmp_path / "0009-outside.md"
    outside.write_text(MADR)
    (minimal.root / "adr" / "0005-link.md").symlink_to(outside)
    for stem in ("../0009-outside", str(outside.with_suffix("")), "0005-link", "template", "../../etc/passwd", ""):
        result = cli("adr", "renumber", stem, "7", env=minimal.env)
        assert result.code == 1 and "is not a record of the ADR folder" in result.stderr, (stem, result.output)
    assert outside.is_file() and not (minimal.root / "adr" / "0007-outside.md").exists()
    (minimal.root / "adr" / "0005-link.md").unlink()
    assert cli("adr", "renumber", "0001-use-demo", "0", env=minimal.env).code == 1


def test_renumber_rewrites_links_to_the_old_number(minimal: SourceTree) -> None:
    adr = minimal.root / "adr"
    (adr / "0001-use-demo.md").write_text(
        _madr("\nsuperseded-by: [2]", status="superseded") + "\nSee [the new one](0002-new.md#decision-outcome).\n"
    )
    (adr / "0002-new.md").write_text(
        _madr("\nsupersedes: [1]\nrelates-to: [ADR-0002, 1]") + "\nAlso ../0002-new/ and 0002-newer.md\n"
    )
    assert cli("check", env=minimal.env).code == 0
    result = cli("adr", "renumber", "0002-new", "7", env=minimal.env)
    assert result.code == 0, result.output
    assert not (adr / "0002-new.md").exists()
    first, moved = (adr / "0001-use-demo.md").read_text(), (adr / "0007-new.md").read_text()
    assert "superseded-by: [7]" in first and "(0007-new.md#decision-outcome)" in first
    assert "supersedes: [1]" in moved and "relates-to: [7, 1]" in moved
    assert "../0007-new/" in moved and "0002-newer.md" in moved  # another file's name is left alone
    check = cli("check", env=minimal.env)
    assert check.code == 0, check.output


def test_renumber_after_a_collision_keeps_number_references(minimal: SourceTree) -> None:
    adr = minimal.root / "adr"
    (adr / "0002-a.md").write_text(_madr("\nsupersedes: [1]"))
    (adr / "0002-b.md").write_text(_madr())
    (adr / "0001-use-demo.md").write_text(_madr("\nsuperseded-by: [2]", status="superseded"))
    taken = cli("adr", "renumber", "0002-b", "1", env=minimal.env)
    assert taken.code == 1 and "number 1 is used by" in taken.stderr
    result = cli("adr", "renumber", "0002-b", "3", env=minimal.env)
    assert result.code == 0, result.output
    assert "superseded-by: [2]" in (adr / "0001-use-demo.md").read_text()  # still the 0002 that remains
    assert cli("check", env=minimal.env).code == 0
