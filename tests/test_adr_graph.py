"""The decision graph stays readable at 14 and at 1,000 records: one diagram per group of related
records, each narrow enough that its 12 pt text shows at 11 CSS px or more in the 748 px column of
a 1280 px window; the records related to none are listed; source text is escaped."""

from __future__ import annotations

import re
import time
from pathlib import Path

from cellsdocs.render.decisions import adr_graph_dot, adr_groups, render_adr_graph
from cellsdocs.sources.adrs import load_adrs
from cellsdocs.synth import write_adrs

from conftest import ROOT

#: the widest group, in pt (Graphviz units): 12 pt text * 748 px / width >= 11 px
MAX_WIDTH_PT = 12 * 748 / 11


def _widths(page: str) -> list[float]:
    return [float(w) for w in re.findall(r'<svg width="([\d.]+)pt"', page)]


def test_the_repository_graph_is_readable_inline(tmp_path: Path) -> None:
    collection = load_adrs(ROOT / "adr")
    page = render_adr_graph(collection, directory_urls=True, cache_dir=tmp_path)
    groups, alone = adr_groups(collection)
    assert sum(len(g) for g in groups) + len(alone) == len([a for a in collection.adrs if a.number is not None])
    assert page.count('<figure class="cells-diagram cells-adr-group"') == len(groups)
    assert _widths(page) and max(_widths(page)) <= MAX_WIDTH_PT, _widths(page)
    assert 'class="node" data-status="accepted"' in page  # nodes carry what the filters read
    for index, group in enumerate(groups, start=1):  # no text on a line: edges carry no label
        edges = [line for line in adr_graph_dot(group, index=index, directory_urls=True).splitlines() if "->" in line]
        assert edges and not any("label=" in line for line in edges)


def test_a_thousand_records_stay_readable(tmp_path: Path) -> None:
    write_adrs(tmp_path / "adr", count=1000, first=100)
    collection = load_adrs(tmp_path / "adr")
    started = time.perf_counter()
    page = render_adr_graph(collection, directory_urls=True, cache_dir=None)
    elapsed = time.perf_counter() - started
    groups, alone = adr_groups(collection)
    assert len(groups) > 10 and alone
    widths = _widths(page)
    assert len(widths) == len(groups) and max(widths) <= MAX_WIDTH_PT, max(widths)
    assert page.count("<li data-status=") == len(alone)
    assert page.count('<option value="') >= 1000  # every record can be focused on
    assert elapsed < 30, f"{elapsed:.1f} s to draw 1,000 records"  # one Graphviz run for every group


def test_titles_are_escaped_and_wrapped(tmp_path: Path) -> None:
    folder = tmp_path / "adr"
    folder.mkdir()
    hostile = 'Use <script>alert(1)</script> & "quotes" \\N {{ x }} in a very long title that wraps'
    for number, extra in ((1, ""), (2, "supersedes: [1]\n")):
        (folder / f"000{number}-x.md").write_text(
            f"---\nstatus: accepted\ndate: 2024-01-0{number}\ntags: ['<b>t</b>']\n{extra}---\n\n# {hostile}\n\n"
            "## Context and Problem Statement\n\nx\n\n## Considered Options\n\n* a\n\n## Decision Outcome\n\nx\n",
            encoding="utf-8",
        )
    collection = load_adrs(folder)
    groups, _ = adr_groups(collection)
    dot = adr_graph_dot(groups[0], index=1, directory_urls=True)
    assert dot.count("\\n") >= 2 * 3  # reference and wrapped title: several lines per record
    page = render_adr_graph(collection, directory_urls=True, cache_dir=None)
    assert "<script>" not in page and "<b>t</b>" not in page
    assert "&lt;script&gt;" in page
