"""The site's navigation: the ``<folder>/*`` entries of ``mkdocs.yml``'s nav filled in from the
ADR, runbook and generated reference collections, long collections split into ranged sections."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cellsdocs.escaping import nav_title
from cellsdocs.settings import SourcePaths
from cellsdocs.sources.adrs import adr_files
from cellsdocs.sources.runbooks import runbook_files

__all__ = ["NAV_CHUNK", "NAV_FANOUT", "collection_files", "expand_nav"]


def collection_files(paths: SourcePaths) -> dict[str, Path]:
    """Site path -> file on disk for every ADR and runbook (none of an absent kind)."""
    files = {f"adr/{p.name}": p for p in adr_files(paths.adr_dir)} if paths.present("adrs") else {}
    for path in runbook_files(paths.runbook_dir) if paths.present("runbooks") else []:
        files[f"runbooks/{path.parent.name}/{path.name}"] = path
    return files


def _explicit(entry: Any) -> set[str]:
    """Every page the nav names itself."""
    if isinstance(entry, str):
        return set() if entry.endswith("/*") else {entry}
    if isinstance(entry, list):
        return set().union(*(_explicit(e) for e in entry)) if entry else set()
    if isinstance(entry, dict):
        return set().union(*(_explicit(v) for v in entry.values())) if entry else set()
    return set()


def expand_nav(
    nav: Any, uris: list[str], absent: frozenset[str] = frozenset(), labels: Mapping[str, str] | None = None
) -> Any:
    """Fill the ``folder/*`` entries of *nav* with the pages not named elsewhere in it; entries
    naming an *absent* page (a generated page of a source kind the site does not have) are dropped,
    and so are the sections left empty. *labels* names the sections of subfolders
    (``reference/api/<folder>`` -> label); a subfolder without one is labelled with its name."""
    named = _explicit(nav)
    expanded = _expand(nav, [u for u in uris if u not in named], labels or {})
    return _drop(expanded, absent) if absent else expanded


def _drop(entry: Any, absent: frozenset[str]) -> Any:
    """*entry* without the pages in *absent* (``None`` when nothing is left of it)."""
    if isinstance(entry, str):
        return None if entry in absent else entry
    if isinstance(entry, list):
        kept = [item for item in (_drop(e, absent) for e in entry) if item is not None]
        return kept or None
    if isinstance(entry, dict):
        kept_dict = {
            key: value for key, value in ((k, _drop(v, absent)) for k, v in entry.items()) if value is not None
        }
        return kept_dict or None
    return entry


#: a nav section longer than this is split into sub-sections: every page carries its section's links,
#: so a 1,000-page flat section makes every one of those pages heavy (see docs/development)
NAV_CHUNK = 50
#: and more sub-sections than this are grouped into sections of them, level by level, so that what a
#: page carries grows with the logarithm of the collection, not with its size
NAV_FANOUT = 10


def _natural(uri: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", uri)]


def _label(uri: str) -> str:
    stem = Path(uri).stem
    return stem.split("-")[0] if stem[:1].isdigit() else stem


def _chunked(pages: list[str]) -> list[Any]:
    """*pages* as they go into the nav: as they are up to ``NAV_CHUNK``, else in sections of that
    many, grouped ``NAV_FANOUT`` to a section as often as needed; each section is labelled with the
    range it holds (``0100 – 0149``)."""
    if len(pages) <= NAV_CHUNK:
        return list(pages)
    level: list[tuple[str, str, Any]] = [
        (_label(part[0]), _label(part[-1]), part)
        for part in (pages[start : start + NAV_CHUNK] for start in range(0, len(pages), NAV_CHUNK))
    ]
    while len(level) > NAV_FANOUT:
        level = [
            (group[0][0], group[-1][1], [{f"{first} – {last}": children} for first, last, children in group])
            for group in (level[start : start + NAV_FANOUT] for start in range(0, len(level), NAV_FANOUT))
        ]
    return [{f"{first} – {last}": children} for first, last, children in level]


def _expand(entry: Any, uris: list[str], labels: Mapping[str, str]) -> Any:
    """Replace ``"folder/*"`` nav entries with the pages in that folder (sections for subfolders)."""
    if isinstance(entry, str) and entry.endswith("/*"):
        folder = entry[:-1]
        members = sorted((u for u in uris if u.startswith(folder) and u != f"{folder}index.md"), key=_natural)
        flat = _chunked([u for u in members if "/" not in u[len(folder) :]])
        sections: dict[str, list[str]] = {}
        for uri in members:
            rest = uri[len(folder) :]
            if "/" in rest:
                sections.setdefault(rest.split("/", 1)[0], []).append(uri)
        expanded: list[Any] = list(flat)
        for name, pages in sorted(sections.items()):
            index = f"{folder}{name}/index.md"
            chunks = _chunked([p for p in pages if p != index])
            label = labels.get(f"{folder}{name}", name)
            expanded.append({nav_title(label): ([index] if index in uris else []) + chunks})
        return expanded
    if isinstance(entry, list):
        out: list[Any] = []
        for item in entry:
            value = _expand(item, uris, labels)
            if isinstance(item, str) and item.endswith("/*"):
                out.extend(value)
            else:
                out.append(value)
        return out
    if isinstance(entry, dict):
        return {key: _expand(value, uris, labels) for key, value in entry.items()}
    return entry
