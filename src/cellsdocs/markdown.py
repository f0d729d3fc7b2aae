"""Safe Markdown from source text: every generator renders source strings through these helpers.

Source text (proto comments, regexes, names, titles) is data. It is HTML-escaped, and the
characters that Markdown, tables and Jinja would interpret (``|``, ``*``, ``_``, backticks,
brackets, braces...) become character references, so ``<script>`` or ``{{ x }}`` show as text
and a pipe never splits a table cell.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

__all__ = ["code", "escape_attr", "escape_json_for_html", "link", "slug", "table", "text"]

_MARKDOWN_SPECIAL = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#x27;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "|": "&#124;",
    "{": "&#123;",
    "}": "&#125;",
    "#": "&#35;",
    "~": "&#126;",
    "^": "&#94;",
    "=": "&#61;",
    "!": "&#33;",
    ":": "&#58;",
    "+": "&#43;",
    "$": "&#36;",
    "%": "&#37;",
}
_SPECIAL_RE = re.compile("[" + re.escape("".join(_MARKDOWN_SPECIAL)) + "]")


def text(value: object, *, multiline: bool = False) -> str:
    """Escape *value* for Markdown/HTML. Newlines become spaces, or ``<br>`` when *multiline*."""
    escaped = _SPECIAL_RE.sub(lambda m: _MARKDOWN_SPECIAL[m.group(0)], str(value))  # one pass: no double escaping
    lines = [" ".join(line.split()) for line in escaped.splitlines()]
    if multiline:
        return "<br>".join(line for line in lines)
    return " ".join(line for line in lines if line)


def code(value: object) -> str:
    """Inline code that shows *value* exactly, whatever it contains (no backtick fences)."""
    return f"<code>{text(value)}</code>"


def escape_attr(value: object) -> str:
    """Escape for an HTML attribute value (double-quoted)."""
    return html.escape(str(value), quote=True).replace("{", "&#123;").replace("}", "&#125;")


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


def escape_json_for_html(payload: str) -> str:
    """Make JSON text safe inside ``<script type="application/json">``."""
    return payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
