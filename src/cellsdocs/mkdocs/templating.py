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

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import BaseLoader, StrictUndefined, Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

from cellsdocs.errors import SourceError
from cellsdocs.escaping import snippet_line
from cellsdocs.sources.frontmatter import split_front_matter

__all__ = [
    "MACRO_NAMES",
    "REFUSED_HINT",
    "MacroSandbox",
    "TemplateRefused",
    "literal_template",
    "macro_environment",
    "protect_foreign_templates",
    "vet_page",
    "vet_template",
]

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


def literal_template(text: str) -> str:
    """*text* as a Jinja template that renders to exactly *text* (for titles: never templates)."""
    if not any(marker in text for marker in _MARKERS):
        return text
    return _raw(text)


# --- the macro sandbox ------------------------------------------------------------------------

#: objects whose (public) attributes a page may read: plain data and Jinja's own helpers; never
#: functions, modules or the build's objects (an attribute walk from those reaches ``os``)
_PLAIN = (str, int, float, bool, list, tuple, dict, set, frozenset, dt.date, type(None), Markup)
_HELPERS = (LoopContext, Cycler, Joiner, Namespace)


class MacroSandbox(ImmutableSandboxedEnvironment):
    """The Jinja environment pages are rendered in: Jinja's sandbox (no ``_`` attributes, no
    unsafe callables, no mutation of data), attribute access limited to plain data, and an
    unsafe access raises :class:`~jinja2.sandbox.SecurityError` instead of rendering as undefined."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, _PLAIN + _HELPERS) and super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__} object is not allowed")


def macro_environment(
    macros: Mapping[str, Callable[..., Any]],
    *,
    loader: BaseLoader | None = None,
    undefined: type[Undefined] = StrictUndefined,
) -> MacroSandbox:
    """The sandbox with *macros* as its only names besides Jinja's defaults."""
    env = MacroSandbox(loader=loader, undefined=undefined, autoescape=False)
    env.globals.update(macros)
    return env


#: the fix named by every refused template
REFUSED_HINT = (
    "a page may only call the site's macros with literal arguments, e.g. {{ rpc('Classify') }}; "
    "show literal braces with {% raw %} ... {% endraw %}"
)


#: the names of the site's macros (registered by :mod:`cellsdocs.mkdocs.macros`, which checks the two agree)
MACRO_NAMES = frozenset(
    {
        "source_inventory",
        "bench_results",
        "api",
        "rpc",
        "service",
        "message",
        "field",
        "enum",
        "enum_value",
        "cell",
        "cell_address",
        "cell_fact",
        "cell_count",
        "first_cell",
        "regions",
        "cells_table",
        "active_rule_set",
        "rule_set",
        "rule",
        "rules_table",
        "diagram",
        "explain",
        "cell_plan",
    }
)


class TemplateRefused(Exception):
    """A page's template does something pages may not do (message, line in the page)."""

    def __init__(self, message: str, line: int | None) -> None:
        self.message = message
        self.line = line
        super().__init__(message)


#: the statements a page may contain besides ``{{ expression }}``: none (``{% raw %}`` is not a node)
_EXPRESSIONS = (nodes.Const, nodes.Name, nodes.Call, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Keyword)


def vet_template(source: str, *, macros: Iterable[str], variables: Iterable[str]) -> None:
    """Refuse a page template that is more than macro calls: pages (runbooks and ADRs come from
    other teams) may write ``{{ macro(args) }}`` with literal arguments, literals, and the page's
    own front-matter values. No statements (``{% for %}``, ``{% include %}``...), no filters or
    operators, no attribute walks (``cycler.__init__.__globals__``), no unknown names.

    *source* is the page as mkdocs-macros gets it (after :func:`protect_foreign_templates`).
    Raises :class:`TemplateRefused`, or :class:`jinja2.TemplateSyntaxError`.
    """
    macro_names = set(macros)
    known = macro_names | set(variables)
    tree = _VETTING.parse(source)
    for node in tree.body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    _vet_expression(child, macro_names, known)
            continue
        raise TemplateRefused(
            f"template statement {{% {type(node).__name__.lower()} %}} is not allowed in a page", node.lineno
        )


def _dotted(node: nodes.Node) -> str:
    """``a.b["c"](...).d`` of an attribute walk, for the message."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_dotted(node.node)}[{getattr(node.arg, 'value', '...')!r}]"
    if isinstance(node, nodes.Call):
        return f"{_dotted(node.node)}(...)"
    return "..."


def _vet_expression(node: nodes.Node, macros: set[str], known: set[str]) -> None:
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        raise TemplateRefused(
            f"attribute access {_dotted(node)} is not allowed in a page (only macro calls)", node.lineno
        )
    if not isinstance(node, _EXPRESSIONS):
        raise TemplateRefused(
            f"{type(node).__name__.lower()} expressions are not allowed in a page (only macro calls with literal "
            "arguments)",
            node.lineno,
        )
    if isinstance(node, nodes.Name) and node.name not in known:
        raise TemplateRefused(f"{node.name!r} is undefined: not a macro of the site", node.lineno)
    if isinstance(node, nodes.Call):
        if not isinstance(node.node, nodes.Name):
            _vet_expression(node.node, macros, known)
            raise TemplateRefused(f"{_dotted(node.node)} is not a macro of the site", node.lineno)
        if node.node.name not in macros:
            raise TemplateRefused(f"{node.node.name!r} is not a macro of the site", node.lineno)
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise TemplateRefused("*args and **kwargs are not allowed in a macro call", node.lineno)
    for child in node.iter_child_nodes():
        if isinstance(node, nodes.Call) and child is node.node:
            continue
        _vet_expression(child, macros, known)


_VETTING = MacroSandbox()


#: pages already found to render, by (file, text): a warm ``serve`` process vets a thousand
#: unchanged records again on every rebuild otherwise (bounded: cleared when full)
_RENDERS: set[tuple[str, str]] = set()


def vet_page(text: str, *, file: str) -> SourceError | None:
    """What the build would refuse in a runbook or ADR (*text*, the whole file) when mkdocs-macros
    renders it, as a one-line error; ``None`` when the page renders (``cells-docs check`` and the
    build agree)."""
    key = (file, text)
    if key in _RENDERS:
        return None
    problem = _vet_page(text, file=file)
    if problem is None:
        if len(_RENDERS) > 20_000:
            _RENDERS.clear()
        _RENDERS.add(key)
    return problem


def _vet_page(text: str, *, file: str) -> SourceError | None:
    front = split_front_matter(text, file=file)
    for number, body_line in enumerate(front.body.splitlines(), start=front.body_line):
        marker = snippet_line(body_line)
        if marker is not None and not marker.group("escape"):
            return SourceError(
                "a pymdownx.snippets line: pages from the sources may not include files",
                file=file,
                line=number,
                hint="to show the line as text, escape it as ;--8<--",
            )
    meta = dict(front.data)
    if meta.get("render_macros") is False:
        return None
    variables = [key for key in meta if isinstance(key, str) and key not in MACRO_NAMES]
    try:
        vet_template(protect_foreign_templates(front.body), macros=MACRO_NAMES, variables=variables)
    except TemplateRefused as exc:
        where = front.body_line + exc.line - 1 if exc.line is not None else None
        return SourceError(f"template refused: {exc.message}", file=file, line=where, hint=REFUSED_HINT)
    except jinja2.TemplateSyntaxError as exc:
        return SourceError(
            f"template syntax error: {exc.message}",
            file=file,
            line=front.body_line + (exc.lineno or 1) - 1,
            hint="correct the macro call, or wrap literal {{ }} text in {% raw %} ... {% endraw %}",
        )
    return None
