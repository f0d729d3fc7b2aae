"""Proto comments as safe HTML: a small, closed subset of Markdown, everything else shown as text.

Comments in ``.proto`` files are untrusted. Authors write them in Markdown-ish style (backticks
around names, ``*emphasis*``, lists), so the reference shows that much formatted, and nothing else:

- paragraphs (separated by a blank line) and lists (``-``, ``*``, ``+`` or ``1.`` items);
- inline code spans (any number of backticks), ``**strong**``, ``*emphasis*`` and ``_emphasis_``;
- links ``[label](url)`` and bare URLs, only with an ``http`` or ``https`` URL; any other link is
  shown as the text the author wrote.

The result is HTML on ONE line: every character of source text is written through
:func:`cellsdocs.escaping.markdown_text` (character references for everything HTML, Markdown,
mkdocs-macros' Jinja and pymdownx.snippets could read), URLs too (as character references in
the ``href`` attribute). So raw HTML, ``{{ }}``/``{% %}`` and ``--8<--`` lines in a
comment reach the reader as text, whether the HTML lands in a paragraph, a list or a table cell.
"""

from __future__ import annotations

import re
import textwrap
from urllib.parse import urlsplit

from cellsdocs.escaping import markdown_code, markdown_text

__all__ = ["comment_html", "comment_summary", "safe_url"]

#: how deep emphasis may nest (``**a *b* c**``); deeper markers are shown as text
_MAX_DEPTH = 4
#: code span, link, or bare URL; the first that starts earliest wins
_INLINE = re.compile(
    r"(?P<ticks>`+)(?P<code>[^`]|[^`].*?[^`])(?P=ticks)(?!`)"
    r"|\[(?P<label>[^\[\]\n]{1,300})\]\((?P<url>[^()\s]{1,2000})\)"
    r"|(?P<bare>\bhttps?://[^\s<>()\[\]`\"']{1,2000})"
)
_STRONG = re.compile(r"\*\*(?=\S)(?P<inner>[^*\n]{1,2000}?)(?<=\S)\*\*")
_EMPH = re.compile(
    r"\*(?=[^\s*])(?P<star>[^*\n]{1,2000}?)(?<=[^\s*])\*"
    r"|(?<![A-Za-z0-9_])_(?=[^\s_])(?P<under>[^_\n]{1,2000}?)(?<=[^\s_])_(?![A-Za-z0-9_])"
)
_ITEM = re.compile(r"^(?P<marker>[-*+]|\d{1,9}[.)])[ \t]+(?P<body>.*)$")
_TRAILING_PUNCTUATION = ".,;:!?"


def safe_url(url: str) -> str | None:
    """*url* if it is an absolute ``http``/``https`` URL with a host and no control characters."""
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _text(value: str) -> str:
    """*value* as text, keeping one space at either end (markdown_text trims them)."""
    if not value:
        return ""
    core = markdown_text(value)
    if not core:
        return " "
    return (" " if value[0].isspace() else "") + core + (" " if value[-1].isspace() else "")


def _link(label_html: str, url: str) -> str:
    # character references for every character Markdown could read (a backtick would otherwise
    # open a code span across the tag); the browser decodes them in the attribute
    return f'<a href="{markdown_text(url)}" rel="nofollow">{label_html}</a>'


def _emphasis(value: str, depth: int) -> str:
    """Strong and emphasis in *value* (no code spans or links in it), the rest as text."""
    if depth >= _MAX_DEPTH:
        return _text(value)
    out: list[str] = []
    at = 0
    for match in _STRONG.finditer(value):
        out.append(_em(value[at : match.start()], depth))
        out.append(f"<strong>{_emphasis(match.group('inner'), depth + 1)}</strong>")
        at = match.end()
    out.append(_em(value[at:], depth))
    return "".join(out)


def _em(value: str, depth: int) -> str:
    out: list[str] = []
    at = 0
    for match in _EMPH.finditer(value):
        inner = match.group("star") if match.group("star") is not None else match.group("under")
        out.append(_text(value[at : match.start()]))
        out.append(f"<em>{_emphasis(inner, depth + 1)}</em>")
        at = match.end()
    out.append(_text(value[at:]))
    return "".join(out)


def _inline(value: str, depth: int = 0) -> str:
    """One paragraph's or item's text (newlines already folded) as inline HTML."""
    out: list[str] = []
    at = 0
    for match in _INLINE.finditer(value):
        out.append(_emphasis(value[at : match.start()], depth))
        if match.group("ticks"):
            body = match.group("code")
            if body.startswith(" ") and body.endswith(" ") and body.strip():
                body = body[1:-1]  # CommonMark: one space each side is padding
            out.append(markdown_code(body))
        elif match.group("url") is not None:
            url = safe_url(match.group("url"))
            label = _inline(match.group("label"), depth + 1) if depth < _MAX_DEPTH else _text(match.group("label"))
            out.append(_link(label, url) if url else _text(match.group(0)))
        else:
            bare = match.group("bare")
            tail = ""
            while bare and bare[-1] in _TRAILING_PUNCTUATION:
                bare, tail = bare[:-1], bare[-1] + tail
            url = safe_url(bare)
            out.append((_link(_text(bare), url) if url else _text(bare)) + _text(tail))
        at = match.end()
    out.append(_emphasis(value[at:], depth))
    return "".join(out)


def _fold(lines: list[str]) -> str:
    return " ".join(" ".join(line.split()) for line in lines if line.strip())


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """The comment as ("p", [text]) and ("ul"/"ol", [item, ...]) blocks."""
    blocks: list[tuple[str, list[str]]] = []
    paragraph: list[str] = []
    items: list[list[str]] = []
    kind = ""

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(("p", [_fold(paragraph)]))
            paragraph.clear()

    def flush_list() -> None:
        nonlocal kind
        if items:
            blocks.append((kind, [_fold(item) for item in items]))
            items.clear()
        kind = ""

    for line in textwrap.dedent(text.replace("\t", "    ")).splitlines():
        indent = len(line) - len(line.lstrip())
        item = _ITEM.match(line.strip()) if indent < 4 else None
        if item is not None and paragraph and not items and item.group("marker")[0].isdigit():
            item = item if item.group("marker")[:-1] == "1" else None  # "2." inside a sentence
        if not line.strip():
            flush_paragraph()
            if items:  # a blank line ends the list (a loose list's next item starts a new one)
                flush_list()
            continue
        if item is not None:
            this = "ol" if item.group("marker")[0].isdigit() else "ul"
            if items and this != kind:
                flush_list()
            flush_paragraph()
            kind = this
            items.append([item.group("body")])
        elif items and indent > 0:
            items[-1].append(line)  # an indented line continues the item
        elif items:
            flush_list()
            paragraph.append(line)
        else:
            paragraph.append(line)
    flush_paragraph()
    flush_list()
    return blocks


def comment_html(text: str) -> str:
    """The comment as block HTML (paragraphs and lists) on one line; empty for an empty comment."""
    out: list[str] = []
    for kind, parts in _blocks(text):
        if kind == "p":
            out.append(f"<p>{_inline(parts[0])}</p>")
        else:
            out.append(f"<{kind}>" + "".join(f"<li>{_inline(part)}</li>" for part in parts) + f"</{kind}>")
    return "".join(out)


def comment_summary(text: str) -> str:
    """The comment's first paragraph (or first list item) as inline HTML, for summary columns."""
    blocks = _blocks(text)
    if not blocks:
        return ""
    return _inline(blocks[0][1][0])
