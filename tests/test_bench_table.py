"""The Development page's benchmark tables (macros_lib.bench_table)."""

from __future__ import annotations

from cellsdocs.render.macros import bench_table


def test_sizes_side_by_side_headline_first() -> None:
    out = bench_table(
        {"2x_pages": 20, "1x_pages": 10, "1x_full_build_s": 1.5, "2x_full_build_s": 3.1, "growth_2x_over_1x": 2.07}
    )
    lines = out.splitlines()
    assert lines[0].split("|")[1:-1] == [" Figure ", " 1x ", " 2x "]
    assert "Full site build" in lines[2] and "1.5" in lines[2] and "3.1" in lines[2]
    assert "Pages" in lines[3] and "10" in lines[3] and "20" in lines[3]
    sized, whole = out.split("\n\n")  # then the figures that compare sizes, as one value each
    assert "Growth" in whole and "Growth" not in sized


def test_unknown_figures_keep_their_name_and_escape() -> None:
    out = bench_table({"<b>odd</b>": "<script>"})
    assert "<script>" not in out and "<b>" not in out
