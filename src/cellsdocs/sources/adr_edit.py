"""The front-matter edits the ADR lifecycle commands make (``cells-docs adr new``, ``supersede``,
``status``, ``renumber``): every other line of the record, comments included, is kept as written."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cellsdocs.sources.adrs import Adr

__all__ = ["next_number", "set_front_matter", "slugify_title"]


def _yaml_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def set_front_matter(text: str, updates: dict[str, Any]) -> str:
    """Set top-level front matter keys, keeping every other line (and comment) as written."""
    if not text.startswith("---"):
        added = "".join(f"{k}: {_yaml_value(v)}\n" for k, v in updates.items())
        return f"---\n{added}---\n\n{text}"
    lines = text.splitlines(keepends=True)
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    head = lines[1:end]
    for key, value in updates.items():
        new = f"{key}: {_yaml_value(value)}\n"
        index = next((i for i, line in enumerate(head) if re.match(rf"^{re.escape(key)}\s*:", line)), None)
        if index is None:
            head.append(new)
            continue
        stop = index + 1
        while stop < len(head) and (head[stop].startswith((" ", "\t", "-")) and head[stop].strip()):
            stop += 1
        head[index:stop] = [new]
    return "".join([lines[0], *head, *lines[end:]])


def slugify_title(title: str) -> str:
    """``Route requests at the edge`` -> ``route-requests-at-the-edge``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:80].rstrip("-") or "decision"


def next_number(adrs: Iterable[Adr]) -> int:
    return max((a.number for a in adrs if a.number is not None), default=0) + 1
