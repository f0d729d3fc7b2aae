"""One escaping helper per output context: every source string is escaped for where it lands.

Source text (proto comments, TOML fields, rule text, alert names and annotations, ADR and runbook
front matter, file names) is data. Whatever a generator writes, it writes through one of these:

============================  =====================================================================
Context                       Helper
============================  =====================================================================
Markdown text (and tables)    :func:`markdown_text`, :func:`markdown_code`
Markdown code block           :func:`code_block` (fenced; snippet markers made inert)
HTML text                     :func:`html_text`
HTML attribute (quoted)       :func:`html_attr`
URL (path of a site link)     :func:`url_path`
Graphviz (DOT) string         :func:`dot_string` (labels, tooltips); :func:`dot_url` (``URL=``)
JSON inside ``<script>``      :func:`json_for_html`
Navigation / page titles      :func:`nav_title`
============================  =====================================================================

Two things besides HTML read Markdown text as instructions, and every helper defeats both:
mkdocs-macros' Jinja (``{{``, ``{%``, ``{#``) and ``pymdownx.snippets`` (a line ``--8<-- "file"``
includes that file). Markdown text has ``<`` and braces as character references, so neither can
appear; inside a fenced code block, where references would show literally, a line that would be a
snippet marker gets the snippets' own escape (one ``;`` the extension removes again).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from pymdownx.snippets import SnippetPreprocessor  # type: ignore[import-untyped]

__all__ = [
    "code_block",
    "dot_string",
    "dot_url",
    "html_attr",
    "html_text",
    "inert_snippet_markers",
    "json_for_html",
    "json_script",
    "markdown_code",
    "markdown_text",
    "nav_title",
    "snippet_line",
    "url_path",
]

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
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "{": "&#123;", "}": "&#125;"}
_HTML_RE = re.compile("[" + re.escape("".join(_HTML_SPECIAL)) + "]")
#: what pymdownx.snippets reads as a snippet line (``--8<-- "file"``, the block form ``--8<--``, and
#: their escaped forms ``;--8<--``): the extension's own pattern, so the escape matches it exactly
_SNIPPET_LINE = SnippetPreprocessor.RE_ALL_SNIPPETS


def markdown_text(value: object, *, multiline: bool = False) -> str:
    """*value* as Markdown/HTML text, shown exactly: every character Markdown, HTML or Jinja would
    interpret becomes a character reference. Newlines become spaces, or ``<br>`` when *multiline*
    (so the text never starts a line of the page)."""
    escaped = _SPECIAL_RE.sub(lambda m: _MARKDOWN_SPECIAL[m.group(0)], str(value))  # one pass: no double escaping
    lines = [" ".join(line.split()) for line in escaped.splitlines()]
    if multiline:
        return "<br>".join(lines)
    return " ".join(line for line in lines if line)


def markdown_code(value: object) -> str:
    """Inline code that shows *value* exactly, whatever it contains (no backtick fences)."""
    return f"<code>{markdown_text(value)}</code>"


def inert_snippet_markers(content: str) -> str:
    """*content* with every line pymdownx.snippets would act on given one more ``;`` escape.

    The extension removes one ``;`` from an escaped marker line and includes nothing, so the reader
    sees the line exactly as the source wrote it. Only for text that goes through the Markdown
    of a page verbatim (code blocks), where character references would show literally.
    """
    if "8<" not in content:
        return content
    out = []
    for line in content.splitlines(keepends=True):
        match = snippet_line(line.rstrip("\r\n"))
        out.append(line if match is None else match.group("space") + ";" + line[len(match.group("space")) :])
    return "".join(out)


def snippet_line(line: str) -> re.Match[str] | None:
    """The match when pymdownx.snippets reads *line* (one line, without its end) as a snippet line."""
    return _SNIPPET_LINE.match(line) if "8<" in line else None


def code_block(content: str, language: str = "") -> str:
    """A fenced code block showing *content* exactly (a fence longer than any run of backticks in it;
    snippet markers inert). The page must not be rendered by Jinja afterwards (``render_macros:
    false``, or inserted after mkdocs-macros)."""
    ticks = "```"
    while ticks in content:
        ticks += "`"
    language = re.sub(r"[^A-Za-z0-9_+-]", "", language)
    return f"{ticks}{language}\n{inert_snippet_markers(content.rstrip())}\n{ticks}\n"


def html_text(value: object) -> str:
    """*value* as HTML text (element content). Braces too, so no template engine sees them."""
    return _HTML_RE.sub(lambda m: _HTML_SPECIAL[m.group(0)], str(value))


def html_attr(value: object) -> str:
    """*value* inside a double- or single-quoted HTML attribute."""
    return html_text(value)


def nav_title(value: object) -> Markup:
    """A page or section title as MkDocs themes insert it: Material writes titles into the navigation,
    ``<title>`` and the header without escaping, and mkdocs-macros would render braces in them.
    Returned as :class:`~markupsafe.Markup`, so where the theme does escape (``title | e`` in the
    footer's ``aria-label``) it is not escaped twice."""
    return Markup(html_text(" ".join(str(value).split())))


def url_path(value: str) -> str:
    """A site-relative URL (path, optional ``#anchor``) made of source text: every character outside
    the unreserved set, ``/`` and ``%`` is percent-encoded, so it cannot close an attribute, open a
    tag, or carry a scheme (``javascript:``)."""
    path, hash_, anchor = value.partition("#")
    out = quote(path, safe="/.-_~%")
    return out + (hash_ + quote(anchor, safe="-_.~%") if hash_ else "")


def dot_string(value: object) -> str:
    """A quoted Graphviz string for ``label``/``tooltip``: shown verbatim, on one line.

    Graphviz XML-escapes these in its SVG, but keeps an ``&name;`` it finds as an entity and reads
    backslash escapes (``\\N``, ``\\l``): both are escaped here, so the text shows as written."""
    text = " ".join(str(value).split()).replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def dot_url(value: str) -> str:
    """A quoted Graphviz string for ``URL``/``href``: Graphviz writes these into the SVG *unescaped*,
    so the URL is percent-encoded first (:func:`url_path`)."""
    return dot_string(url_path(value))


def json_for_html(payload: str) -> str:
    """JSON text made safe inside ``<script>`` (also ``type="application/json"``): no ``</script>``,
    ``<!--`` or ``]]>`` can form, and U+2028/U+2029 (line breaks in old JavaScript) are escaped."""
    return (
        payload.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def json_script(data: Any) -> str:
    """*data* as JSON for a ``<script>`` element (see :func:`json_for_html`)."""
    return json_for_html(json.dumps(data, sort_keys=True))
