"""Registration of macros with mkdocs-macros (the only module that knows its ``env`` object).

Every macro is a function of :mod:`cellsdocs.render.macros` taking a :class:`MacroContext` first.
A :class:`~cellsdocs.errors.CellsDocsError` from a macro fails the build with the page's path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from mkdocs.exceptions import PluginError

from cellsdocs.errors import CellsDocsError, DanglingReference
from cellsdocs.mkdocs.compat import require
from cellsdocs.mkdocs.plugin import site_for
from cellsdocs.mkdocs.templating import (
    MACRO_NAMES,
    REFUSED_HINT,
    MacroSandbox,
    TemplateRefused,
    macro_environment,
    vet_template,
)
from cellsdocs.render import macros as macros_lib
from cellsdocs.render.drift import Finding, marker
from cellsdocs.render.macros import MacroContext

__all__ = ["MACROS", "READS", "register"]

#: macro name -> library function
MACROS: dict[str, Callable[..., str]] = {
    "source_inventory": macros_lib.source_inventory,
    "bench_results": macros_lib.bench_results,
    "api": macros_lib.api_link,
    "rpc": partial(macros_lib.api_link, kind="rpc"),
    "service": partial(macros_lib.api_link, kind="service"),
    "message": partial(macros_lib.api_link, kind="message"),
    "field": partial(macros_lib.api_link, kind="field"),
    "enum": partial(macros_lib.api_link, kind="enum"),
    "enum_value": partial(macros_lib.api_link, kind="enum value"),
    "cell": macros_lib.cell_link,
    "cell_address": macros_lib.cell_address,
    "cell_fact": macros_lib.cell_fact,
    "cell_count": macros_lib.cell_count,
    "first_cell": macros_lib.first_cell_link,
    "regions": macros_lib.region_list,
    "cells_table": macros_lib.cells_overview,
    "active_rule_set": macros_lib.active_rule_set,
    "rule_set": macros_lib.rule_set_link,
    "rule": macros_lib.rule_link,
    "rules_table": macros_lib.rules_table,
    "diagram": macros_lib.diagram,
    "explain": macros_lib.explain_request,
    "cell_plan": macros_lib.cell_plan,
}


_ALL = frozenset({"protos", "topology", "rules", "alerts", "adrs", "runbooks"})
_API = frozenset({"protos"})
_CELLS = frozenset({"topology"})
_ROUTING = frozenset({"rules", "topology"})
#: macro name -> the source kinds its output depends on: what an incremental rebuild re-renders a
#: page for (:mod:`cellsdocs.mkdocs.incremental`); a macro missing here counts as reading them all
READS: dict[str, frozenset[str]] = {
    "source_inventory": _ALL,
    "bench_results": frozenset(),
    **dict.fromkeys(("api", "rpc", "service", "message", "field", "enum", "enum_value"), _API),
    **dict.fromkeys(("cell", "cell_address", "cell_fact", "cell_count", "first_cell", "regions"), _CELLS),
    "cells_table": _CELLS,
    **dict.fromkeys(("active_rule_set", "rule_set", "rule", "rules_table", "explain", "cell_plan"), _ROUTING),
    "diagram": _ALL,
}


def _page_of(env: Any) -> str:
    page = getattr(env, "page", None)
    file = getattr(page, "file", None)
    return getattr(file, "src_uri", None) or "?"


def _args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return ", ".join([*(repr(a) for a in args), *(f"{k}={v!r}" for k, v in kwargs.items())])


def register(env: Any) -> None:
    """Register every macro on *env*; each reads the build's site model when it runs."""

    def bind(name: str, function: Callable[..., str]) -> None:
        @wraps(function)
        def run(*args: Any, **kwargs: Any) -> str:
            page = _page_of(env)
            site = site_for(env.conf)
            reads = env.conf.plugins["cells"].macro_reads  # the dependency graph of this build
            reads[page] = reads.get(page, frozenset()) | READS.get(name, _ALL)
            try:
                return function(MacroContext(site, page), *args, **kwargs)
            except DanglingReference as exc:
                if site.drift_mode != "report":
                    raise PluginError(f"{page}: {name}({_args(args, kwargs)}): {exc.format()}") from exc
                finding = Finding.from_error(exc, kind=f"{name} macro", where=f"docs/{page}")
                site.macro_findings.append(finding)
                return marker(finding, str(args[0]) if args else name)
            except CellsDocsError as exc:
                raise PluginError(f"{page}: {name}({_args(args, kwargs)}): {exc.format()}") from exc

        env.macro(run, name)

    if set(MACROS) != MACRO_NAMES:  # the check of runbooks and ADRs knows the macros by name
        raise PluginError(
            f"cellsdocs.mkdocs.templating.MACRO_NAMES differs from MACROS: {sorted(set(MACROS) ^ MACRO_NAMES)}"
        )
    for name, function in MACROS.items():
        bind(name, function)
    _make_rendering_strict(env)


def _make_rendering_strict(env: Any) -> None:
    """Replace mkdocs-macros' page rendering with a sandboxed one that raises a one-line error.

    mkdocs-macros renders every page (and every title that looks like a template) with an
    unsandboxed Jinja environment that also sees the build's objects (``config``, the plugins...),
    catches every exception and either writes it into the page or logs a traceback and calls
    ``exit()``. Here a page is first vetted (:func:`~cellsdocs.mkdocs.templating.vet_template`: macro
    calls with literal arguments and the page's own front-matter values, nothing else; the same
    check ``cells-docs check`` runs on runbooks and ADRs), then rendered in
    :class:`~cellsdocs.mkdocs.templating.MacroSandbox` with only the site's macros and the front matter as
    plain data. Any problem raises :class:`PluginError` naming the page, the line and the fix:
    ``mkdocs build`` aborts with that line, ``mkdocs serve`` keeps the last good site.
    """
    require("mkdocs-macros-plugin")  # env.render is mkdocs-macros' internal
    sandbox: list[MacroSandbox] = []

    def environment() -> MacroSandbox:
        if not sandbox:
            sandbox.append(macro_environment({name: env.macros[name] for name in MACROS}))
        return sandbox[0]

    def render(markdown: str, force_rendering: bool = False) -> str:
        page = getattr(env, "page", None)
        meta = getattr(page, "meta", None) or {}
        if meta.get("render_macros") is False:
            return markdown
        if not env.config["render_by_default"] and not (force_rendering or meta.get("render_macros") is True):
            return markdown
        # front matter becomes page variables (plain data), but never hides a macro (runbooks have `service:`)
        variables = {key: value for key, value in meta.items() if key not in MACROS and isinstance(key, str)}
        where = _page_of(env)
        try:
            vet_template(markdown, macros=MACROS, variables=variables)
            return str(environment().from_string(markdown).render(**variables))
        except PluginError:
            raise
        except CellsDocsError as exc:
            raise PluginError(f"{where}: {exc.format()}") from exc
        except TemplateRefused as exc:
            raise PluginError(f"{where}:{exc.line}: template refused: {exc.message} (fix: {REFUSED_HINT})") from exc
        except SecurityError as exc:
            raise PluginError(f"{where}: template refused: {exc} (fix: {REFUSED_HINT})") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise PluginError(
                f"{where}:{exc.lineno}: template syntax error: {exc.message} "
                "(fix: correct the macro call, or wrap literal {{ }} text in {% raw %} ... {% endraw %})"
            ) from exc
        except jinja2.UndefinedError as exc:
            raise PluginError(
                f"{where}: undefined macro or variable: {exc.message} "
                f"(fix: use one of the site's macros: {', '.join(sorted(MACROS))})"
            ) from exc
        except Exception as exc:  # a bug in a macro: still one line, with the page
            raise PluginError(f"{where}: macro error: {type(exc).__name__}: {exc}") from exc

    env.render = render
