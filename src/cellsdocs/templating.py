"""Keep foreign templates verbatim when pages go through mkdocs-macros (Jinja).

Runbooks and guides quote Prometheus/Go templates (``{{ $labels.instance }}``,
``{{ humanize $value }}``) and code. Before Jinja sees a page, :func:`protect_foreign_templates`
wraps in ``{% raw %}`` ... ``{% endraw %}``:

- every fenced code block and inline code span that contains ``{{``, ``{%`` or ``{#``: code is
  always shown exactly as written;
- in prose, every ``{{ ... }}`` whose inside is not a valid Jinja expression (anything with a
  ``$``, a leading ``.``, Go template syntax).

A valid Jinja expression in prose is left alone, so ``{{ cell_count }}`` still renders and a
misspelt macro still fails the strict build. Regions already inside ``{% raw %}`` are untouched.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2

__all__ = ["protect_foreign_templates"]

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.S)
_EXPRESSION = re.compile(r"\{\{(?P<inner>.*?)\}\}", re.S)
_INLINE_CODE = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<code>.+?)(?<!`)(?P=ticks)(?!`)", re.S)
_MARKERS = ("{{", "{%", "{#")
_ENDRAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_JINJA = jinja2.Environment(autoescape=False)


def _raw(text: str) -> str:
    if not any(marker in text for marker in _MARKERS):
        return text
    text = _ENDRAW.sub(lambda m: "{% endraw %}{{ " + repr(m.group(0)) + " }}{% raw %}", text)
    return "{% raw %}" + text + "{% endraw %}"


@lru_cache(maxsize=4096)
def _is_jinja_expression(inner: str) -> bool:
    try:
        _JINJA.parse("{{" + inner + "}}")
    except jinja2.TemplateSyntaxError:
        return False
    return True


def _protect_prose(text: str) -> str:
    def inline(segment: str) -> str:
        return _EXPRESSION.sub(
            lambda m: m.group(0) if _is_jinja_expression(m.group("inner")) else _raw(m.group(0)), segment
        )

    out: list[str] = []
    last = 0
    for match in _INLINE_CODE.finditer(text):
        out.append(inline(text[last : match.start()]))
        out.append(_raw(match.group(0)))
        last = match.end()
    out.append(inline(text[last:]))
    return "".join(out)


def _protect_unraw(markdown: str) -> str:
    """Protect a stretch of Markdown that holds no ``{% raw %}`` region."""
    lines = markdown.splitlines(keepends=True)
    out: list[str] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i].rstrip("\r\n"))
        if opening and not (opening.group("fence")[0] == "`" and "`" in opening.group("info")):
            fence = opening.group("fence")
            closing = re.compile(rf"^[ \t>]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
            end = i + 1
            while end < len(lines) and not closing.match(lines[end].rstrip("\r\n")):
                end += 1
            out.append(_protect_prose("".join(prose)))
            prose = []
            block = "".join(lines[i : end + 1])
            out.append(_raw(block))
            i = end + 1
            continue
        prose.append(lines[i])
        i += 1
    out.append(_protect_prose("".join(prose)))
    return "".join(out)


def protect_foreign_templates(markdown: str) -> str:
    """Return *markdown* with code and non-Jinja ``{{ }}`` wrapped in ``{% raw %}``."""
    if not any(marker in markdown for marker in _MARKERS):
        return markdown
    out: list[str] = []
    last = 0
    for match in _RAW_BLOCK.finditer(markdown):
        out.append(_protect_unraw(markdown[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_protect_unraw(markdown[last:]))
    return "".join(out)
