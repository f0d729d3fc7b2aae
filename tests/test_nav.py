"""Large collections in the nav: sections of sections, so each page carries little of it."""

from __future__ import annotations

from typing import Any

from cellsdocs.mkdocs.nav import NAV_CHUNK, NAV_FANOUT, expand_nav


def _adrs(count: int) -> list[str]:
    return [f"adr/{n:04d}-decision-{n}.md" for n in range(1, count + 1)]


def _leaves(entry: Any) -> list[str]:
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, dict):
        return [leaf for value in entry.values() for leaf in _leaves(value)]
    return [leaf for item in entry for leaf in _leaves(item)]


def test_a_small_folder_stays_flat() -> None:
    assert expand_nav([{"Decisions": ["adr/*"]}], _adrs(3)) == [{"Decisions": _adrs(3)}]


def test_a_large_folder_is_split_into_ranges() -> None:
    nav = expand_nav(["adr/*"], _adrs(120))
    assert [next(iter(section)) for section in nav] == ["0001 – 0050", "0051 – 0100", "0101 – 0120"]
    assert _leaves(nav) == _adrs(120)


def test_many_ranges_are_grouped_so_no_level_grows_with_the_collection() -> None:
    for count in (1000, 2000, 20000):
        nav = expand_nav(["adr/*"], _adrs(count))
        assert _leaves(nav) == _adrs(count)  # every page once, in order

        def widths(entry: Any) -> list[int]:
            if isinstance(entry, dict):
                return [w for value in entry.values() for w in widths(value)]
            if isinstance(entry, list):
                return [len(entry)] + [w for item in entry for w in widths(item)]
            return []

        assert max(widths(nav)) <= max(NAV_CHUNK, NAV_FANOUT)
        assert len(nav) <= NAV_FANOUT
    nav = expand_nav(["adr/*"], _adrs(1000))
    assert [next(iter(section)) for section in nav] == ["0001 – 0500", "0501 – 1000"]
    first = nav[0]["0001 – 0500"]
    assert len(first) == 10 and next(iter(first[0])) == "0001 – 0050"


def test_subfolder_sections_take_their_labels() -> None:
    """API package folders are named by short, distinct labels, not their long folder names."""
    uris = ["reference/api/a.b.long_name/index.md", "reference/api/a.b.long_name.v1/index.md"]
    labels = {"reference/api/a.b.long_name": "long_name", "reference/api/a.b.long_name.v1": "long_name.v1"}
    nav = expand_nav([{"API": ["reference/api/*"]}], uris, labels=labels)
    assert [next(iter(section)) for section in nav[0]["API"]] == ["long_name", "long_name.v1"]
