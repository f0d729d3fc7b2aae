"""Safe Markdown from source text: every generator renders source strings through these helpers.

Source text (proto comments, regexes, names, titles) is data. The escaping itself lives in
:mod:`cellsdocs.escaping` (one helper per output context); this module keeps the short names the
generators use and the Markdown building blocks (links, tables, slugs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from cellsdocs.escaping import code_block, html_attr, json_for_html, markdown_code, markdown_text

__all__ = ["code", "code_block", "escape_attr", "escape_json_for_html", "link", "slug", "table", "text"]

#: Markdown/HTML text (see :func:`cellsdocs.escaping.markdown_text`)
text = markdown_text
#: inline code showing a value exactly
code = markdown_code
#: a quoted HTML attribute value
escape_attr = html_attr
#: JSON inside ``<script>``
escape_json_for_html = json_for_html


def link(label: str, url: str) -> str:
    """A Markdown link whose *label* is already-escaped Markdown and *url* a relative URL."""
    return f"[{label}]({url})"


def slug(value: str) -> str:
    """A stable, lowercase, URL- and anchor-safe identifier."""
    out = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return out or "item"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table from already-escaped cells (empty cells show as an en dash)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell if cell.strip() else "–" for cell in row) + " |")
    return "\n".join(lines) + "\n"
