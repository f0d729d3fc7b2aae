"""Macros for hand-written pages: each returns Markdown built from the sources.

:func:`define_env` in ``macros/main.py`` registers these under their names. A reference to
something that does not exist raises :class:`MacroReferenceError`, which fails the strict build
with the page and the missing name.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import CellsDocsError
from .markdown import code, escape_attr, table, text
from .protos.refs import resolve
from .settings import ENV_VARS
from .site import SiteModel

__all__ = ["MacroContext", "api_link", "bench_results", "source_inventory"]


@dataclass(frozen=True)
class MacroContext:
    """What a macro knows: this build's site model and the page it is called from."""

    site: SiteModel
    page: str  # src_uri of the calling page


def source_inventory(ctx: MacroContext) -> str:
    """Table: each source kind, where it was read from, which variable moves it, what it holds."""
    sources = ctx.site.sources
    paths = sources.paths
    protos = [f for f in sources.descriptors.file if not f.name.startswith("google/")]
    counts = {
        "proto_root": f"{len(protos)} files",
        "topology_config": f"{len(sources.topology.cells)} cells",
        "router_rules": f"{len(sources.rule_sets)} rule sets, {sum(len(r.rules) for r in sources.rule_sets)} rules",
        "alert_rules": f"{len(sources.alerts.alerts)} alerts in {len(sources.alerts.files)} files",
        "adr_dir": f"{len(sources.adrs.adrs)} records",
        "runbook_dir": f"{len(sources.runbooks.runbooks)} runbooks",
    }
    root = paths.root
    rows = []
    for var, (attr, default, what) in ENV_VARS.items():
        location = getattr(paths, attr)
        try:
            shown = location.relative_to(root).as_posix()
        except ValueError:
            shown = location.name + " (outside the repository)"
        rows.append([code(var), text(what), code(shown), code(default), text(counts[attr])])
    return table(["Variable", "Source", "Read from", "Default", "Holds"], rows)


_BENCH_LABELS = {
    "full_build_s": "Full site build (s, median)",
    "plain_build_s": "Plain MkDocs build of the same Markdown (s, median)",
    "overhead_ratio": "Overhead ratio (full / plain)",
    "pages": "Pages",
    "total_page_kb": "Total HTML (KB)",
    "median_page_kb": "Median page (KB)",
    "largest_page_kb": "Largest page (KB)",
    "repeat": "Builds per figure",
}


def bench_results(ctx: MacroContext) -> str:
    """The figures last recorded by ``scripts/bench.py --record`` (bench/results.json), as tables."""
    import json

    path = ctx.site.sources.paths.root / "bench" / "results.json"
    if not path.is_file():
        return "_No benchmark recorded yet: run `python scripts/bench.py --record`._\n"
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CellsDocsError(f"cannot read benchmark results: {exc}", file=str(path)) from exc
    out = []
    for section, figures in sorted(recorded.items()):
        rows = [[text(_BENCH_LABELS.get(k, k)), text(v)] for k, v in figures.items()]
        out.append(f"**{text(section)}**\n\n" + table(["Figure", "Value"], rows))
    return "\n".join(out)


def api_link(ctx: MacroContext, name: str, kind: str | None = None, label: str | None = None) -> str:
    """A link to an API element by name; fails the build if no such element exists."""
    element = resolve(ctx.site.sources.api, name, kind)
    href = ctx.site.api_site.href(element.fqn, from_page=ctx.page)
    shown = code(label if label is not None else name)
    if href is None:  # an element of a library file (well-known types)
        return shown
    return f'[{shown}]({href} "{escape_attr(element.fqn)}")'
