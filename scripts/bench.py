"""Benchmark: the full site build against a plain MkDocs build of the same final Markdown.

Run by ``make bench``. Each build runs ``--repeat`` times in a fresh process, the builds being
compared taking turns. On a shared machine a disturbance only ever adds time, so the fastest run
of each build is the closest to the cost of its work (the convention of Python's ``timeit``): the
headline figures compare fastest runs, and the medians and the spread are printed beside them.
The plain build uses the Markdown the full build produced (macros expanded, generated pages
included), with the hooks, macros and generators disabled, so the ratio is the cost of this
project's machinery. Results are printed and, with ``--record``, saved to bench/results.json,
which the Development page renders.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Build:
    wall_s: float
    cpu_s: float  # user + system of the build process and what it waited for (dot, protoc)
    peak_mb: float  # its largest resident set
    machinery_s: float | None = None  # of wall_s, time in the hooks and mkdocs-macros (full builds)


def run_build(config: Path, site: Path, env: dict[str, str]) -> float:
    return run_build_timed(config, site, env).wall_s


def run_build_timed(config: Path, site: Path, env: dict[str, str]) -> Build:
    """One build in a fresh process, with that process's own CPU time and peak memory, and the
    time it spent in this project's machinery (cellsdocs.mkdocs.buildclock)."""
    with tempfile.TemporaryDirectory(prefix="cells-build-") as scratch, tempfile.TemporaryFile() as log:
        clock = Path(scratch) / "clock.json"
        started = time.perf_counter()
        # exactly as strict as the real build: no --quiet, which hides warnings from --strict (MkDocs 1.6)
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
            cwd=ROOT,
            env=dict(env, CELLS_BENCH_CLOCK=str(clock)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            sys.exit(f"bench: build with {config.name} failed:\n{log.read().decode(errors='replace')}")
        machinery = json.loads(clock.read_text())["machinery_s"] if clock.is_file() else None
    return Build(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, machinery)


def page_sizes(site: Path) -> list[int]:
    return sorted(p.stat().st_size for p in site.rglob("*.html"))


def timed(function, repeat: int = 3):  # type: ignore[no-untyped-def]
    """(median seconds, last result) of calling *function* *repeat* times."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench_api(tmp: Path, env: dict[str, str], repeat: int) -> dict[str, object]:
    """Proto reference on a large synthetic tree: compile, model, render; and its share of the build."""
    from cellsdocs.render.api import render_api
    from cellsdocs.sources.protos.compile import compile_proto_tree
    from cellsdocs.sources.protos.model import build_model
    from cellsdocs.synth import write_proto_tree

    root = tmp / "synth-proto"
    # the real tree too, so that the hand-written pages' references still resolve
    shutil.copytree(ROOT / "sources" / "topology-service" / "proto", root)
    counts = write_proto_tree(root, classify_enum=False)
    compile_s, descriptors = timed(lambda: compile_proto_tree(root), repeat)
    model_s, model = timed(lambda: build_model(descriptors), repeat)
    render_s, (_site, pages) = timed(lambda: render_api(model, source_label="synth"), repeat)
    build_s = statistics.median(
        run_build(ROOT / "mkdocs.yml", tmp / "site-api", dict(env, CELLS_PROTO_ROOT=str(root))) for _ in range(repeat)
    )
    generators = compile_s + model_s + render_s
    del counts
    return {
        "proto_files": len(model.api_files),
        "messages": sum(1 for _ in model.all_messages()),
        "rpcs": sum(len(s.methods) for s in model.services()),
        "compile_s": round(compile_s, 3),
        "model_s": round(model_s, 3),
        "render_s": round(render_s, 3),
        "api_generators_s": round(generators, 3),
        "site_build_with_tree_s": round(build_s, 3),
        "api_share_of_build": round(generators / build_s, 3),
        "api_pages": len(pages),
        "api_markdown_kb": round(sum(len(p.encode()) for p in pages.values()) / 1024, 1),
    }


def bench_routing(tmp: Path, repeat: int) -> dict[str, object]:
    """Validate and render 2,000 rules and 200 cells; replay 100,000 requests against 50 rules."""
    import json

    from cellsdocs.analysis.explain import Request
    from cellsdocs.analysis.replay import replay
    from cellsdocs.render.routing import render_rules_table
    from cellsdocs.render.topology import cells_table
    from cellsdocs.sources.routing import load_rule_sets, parse_rule_set
    from cellsdocs.sources.topology import load_topology
    from cellsdocs.synth import synthetic_requests, synthetic_rules, write_rule_sets, write_topology

    write_topology(tmp / "config.toml", cells=200)
    write_rule_sets(tmp / "rules", sets=5, rules_per_set=400)

    def validate_and_render() -> int:
        topology = load_topology(tmp / "config.toml")
        sets = load_rule_sets(tmp / "rules")
        size = len(cells_table(topology.cells, from_page="x.md", legacy=topology.cells[0]))
        return size + sum(len(render_rules_table(rs)) for rs in sets)

    validate_s, _ = timed(validate_and_render, repeat)
    topology = load_topology(tmp / "config.toml")
    fifty = parse_rule_set(json.dumps(synthetic_rules(50)), name="fifty", file="fifty.json")
    other = parse_rule_set(  # every fifth rule removed: some requests move
        json.dumps([r for i, r in enumerate(synthetic_rules(50)) if i % 5 != 4]),
        name="other",
        file="other.json",
    )
    requests = [Request.from_data(r) for r in synthetic_requests(100_000, rules=50)]
    started = time.perf_counter()
    differences = sum(1 for _ in replay(requests, fifty, other, topology))
    batch_s = time.perf_counter() - started
    return {
        "rules": 2000,
        "cells": 200,
        "validate_and_render_s": round(validate_s, 3),
        "batch_requests": len(requests),
        "batch_rules": 50,
        "batch_s": round(batch_s, 3),
        "batch_requests_per_s": round(len(requests) / batch_s),
        "batch_differences": differences,
    }


def bench_explainer_browser(site: Path) -> dict[str, object]:
    """Median time of one explanation in the real explainer page, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from cellsdocs.linkcheck.site import serve_site

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with serve_site(site) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page()
        page.goto(url + "reference/routing/explain/")
        samples = []
        for i in range(40):
            page.fill("#cells-explainer-form textarea[name=cookies]", f"_gitlab_session=cell_{1 + i % 6}_{'ab' * 10}")
            samples.append(float(page.get_attribute("#cells-explainer-result", "data-ms") or "nan"))
        browser.close()
    return {"explainer_ms_median": round(statistics.median(samples), 2), "explainer_ms_max": round(max(samples), 2)}


def write_scale_corpus(root: Path, factor: int) -> dict[str, str]:
    """The synthetic organisation of issue 9 (times *factor*), plus the in-repo sources so that the
    hand-written pages' references resolve. Returns the CELLS_* variables pointing at it."""
    from cellsdocs.synth import (
        write_adrs,
        write_alerts_and_runbooks,
        write_proto_tree,
        write_rule_sets,
        write_topology,
    )

    sources = ROOT / "sources"
    shutil.copytree(sources / "topology-service" / "proto", root / "proto")
    write_proto_tree(root / "proto", files=40 * factor, messages_per_file=8, rpcs_per_file=5, classify_enum=False)
    write_topology(root / "config.toml", cells=200 * factor)
    shutil.copytree(sources / "http-router" / "rules", root / "rules")
    write_rule_sets(root / "rules", sets=5 * factor, rules_per_set=400)
    shutil.copytree(sources / "alerts", root / "alerts")
    shutil.copytree(ROOT / "runbooks", root / "runbooks")
    write_alerts_and_runbooks(root / "alerts", root / "runbooks", alerts=1000 * factor, runbooks=300 * factor)
    shutil.copytree(ROOT / "adr", root / "adr")
    write_adrs(
        root / "adr", count=1000 * factor, first=100, cells=200 * factor, rule_sets=5 * factor, services=40 * factor
    )
    return {
        "CELLS_PROTO_ROOT": str(root / "proto"),
        "CELLS_TOPOLOGY_CONFIG": str(root / "config.toml"),
        "CELLS_ROUTER_RULES": str(root / "rules"),
        "CELLS_ALERT_RULES": str(root / "alerts"),
        "CELLS_ADR_DIR": str(root / "adr"),
        "CELLS_RUNBOOK_DIR": str(root / "runbooks"),
    }


def bench_scale(tmp: Path, env: dict[str, str], repeat: int) -> dict[str, object]:
    """Issue 9: the whole pipeline at 1x and 2x a synthetic organisation ten times ours. The four
    builds (full and plain, 1x and 2x) take turns, so the growth is not a change of machine speed."""
    builds: dict[str, tuple[Path, Path, dict[str, str]]] = {}
    for factor in (1, 2):
        folder = tmp / f"scale-{factor}x"
        corpus_env = dict(env, **write_scale_corpus(tmp / f"corpus-{factor}x", factor))
        plain = prepare_plain(folder, corpus_env)
        builds[f"{factor}x-full"] = (ROOT / "mkdocs.yml", folder / "site-full", corpus_env)
        builds[f"{factor}x-plain"] = (plain, folder / "site-plain", corpus_env)
    runs = interleaved(builds, repeat)
    results: dict[str, object] = {}
    for factor in (1, 2):
        figures = site_figures(
            tmp / f"scale-{factor}x" / "site-full", runs[f"{factor}x-full"], runs[f"{factor}x-plain"]
        )
        print(f"scale {factor}x: {figures}", flush=True)
        results.update({f"{factor}x_{key}": value for key, value in figures.items()})
    for suffix, field, pick in (("", "wall_s", _fastest), ("_cpu", "cpu_s", _fastest), ("_median", "wall_s", _median)):
        growth = pick(runs["2x-full"], field) / pick(runs["1x-full"], field)
        results[f"growth_2x_over_1x{suffix}"] = round(growth, 3)
    machinery = _median(runs["2x-full"], "machinery_s") / _median(runs["1x-full"], "machinery_s")
    results["growth_machinery_2x_over_1x"] = round(machinery, 3)
    return results


def bench_page_weight(site: Path) -> dict[str, object]:
    """Bytes transferred and load time of the home page and a guide, in Chromium, from a local
    server that serves the site as GitLab Pages serves ``make public`` (precompressed gzip)."""
    from playwright.sync_api import sync_playwright
    from precompress import precompress

    from cellsdocs.linkcheck.site import serve_site

    public = site.with_name(site.name + "-public")
    shutil.rmtree(public, ignore_errors=True)
    shutil.copytree(site, public)
    precompress(public)
    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    results: dict[str, object] = {}
    with serve_site(public, precompressed=True) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for name, path in (("home", ""), ("guide", "guides/architecture/")):
            times, sizes = [], []
            for _ in range(5):
                context = browser.new_context()  # cold cache each time
                page = context.new_page()
                page.goto(url + path, wait_until="load")
                sizes.append(
                    page.evaluate(
                        "performance.getEntriesByType('resource').reduce((s, r) => s + r.encodedBodySize, 0)"
                        " + performance.getEntriesByType('navigation')[0].encodedBodySize"
                    )
                )
                times.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
                context.close()
            results[f"{name}_transferred_kb"] = round(statistics.median(sizes) / 1024, 1)
            results[f"{name}_load_ms"] = round(statistics.median(times))
        browser.close()
    return results


def bench_loop(tmp: Path, env: dict[str, str], repeat: int) -> dict[str, object]:
    """Issue 18: edit-to-view in the warm server (today's size and with 1,000 ADRs, each page kind),
    and the build figures of the peers reachable here over the same 1,000 records, in one run."""
    from bench_loop import (
        bench_edit_to_view,
        copy_project,
        prepare_peer_configs,
        time_adr_tools,
        time_log4brains,
        write_adr_corpus,
    )

    project = copy_project(tmp / "loop-project")  # edits never touch the checkout
    today = {
        "CELLS_ADR_DIR": str(project / "adr"),
        "CELLS_RUNBOOK_DIR": str(project / "runbooks"),
        "CELLS_ROUTER_RULES": str(project / "sources" / "http-router" / "rules"),
    }
    thousand = dict(today, CELLS_ADR_DIR=str(write_adr_corpus(tmp / "loop-adr-1000")))
    results: dict[str, object] = {}
    for size, corpus in (("today", today), ("1000adr", thousand)):
        print(f"edit to view, {size}:", flush=True)
        figures = bench_edit_to_view(project, dict(env, **corpus), repeat)
        results.update({f"{size}_{key}": value for key, value in figures.items()})
    # the peers: the whole site with the 1,000 records, plain MkDocs over the records alone
    configs = prepare_peer_configs(Path(thousand["CELLS_ADR_DIR"]), tmp / "peers")
    corpus_env = dict(env, **thousand)
    runs = interleaved(
        {
            "site": (ROOT / "mkdocs.yml", tmp / "peers" / "site-full", corpus_env),
            "flat": (configs["flat"], tmp / "peers" / "site-flat", env),
            "chunked": (configs["chunked"], tmp / "peers" / "site-chunked", env),
        },
        repeat,
    )
    for name, builds in runs.items():
        print(f"  {name} (wall s): {[round(r.wall_s, 1) for r in builds]}", flush=True)
        results[f"peer_{name}_s"] = round(_fastest(builds, "wall_s"), 3)
        results[f"peer_{name}_cpu_s"] = round(_fastest(builds, "cpu_s"), 3)
    results["peer_site_over_chunked_cpu"] = round(
        _fastest(runs["site"], "cpu_s") / _fastest(runs["chunked"], "cpu_s"), 3
    )
    adr_tools = time_adr_tools(Path(thousand["CELLS_ADR_DIR"]), tmp / "peers", repeat)
    log4brains = time_log4brains(Path(thousand["CELLS_ADR_DIR"]), tmp / "peers", repeat)
    results["peer_adr_tools_toc_s"] = round(adr_tools, 3) if adr_tools is not None else "not installed here"
    results["peer_log4brains_s"] = round(log4brains, 3) if log4brains is not None else "not installed here"
    results["peer_repeat"] = repeat
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="save the figures to bench/results.json")
    parser.add_argument("--only", choices=["site", "api", "routing", "scale", "loop"], help="run one section")
    args = parser.parse_args()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    sections: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="cells-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.only in (None, "site", "routing"):
            sections["site"] = bench_site(tmp, env, args.repeat)
            sections["site"].update(bench_page_weight(tmp / "site-full"))
        if args.only in (None, "api"):
            sections["api"] = bench_api(tmp, env, args.repeat)
        if args.only in (None, "routing"):
            sections["routing"] = bench_routing(tmp, args.repeat)
            sections["routing"].update(bench_explainer_browser(tmp / "site-full"))
        if args.only in (None, "loop"):
            sections["loop"] = bench_loop(tmp, env, args.repeat)
        if args.only == "scale":
            sections["scale"] = bench_scale(tmp, env, args.repeat)
    for name, results in sections.items():
        print(f"[{name}]")
        width = max(len(k) for k in results)
        for key, value in results.items():
            print(f"  {key:{width}}  {value}")
    if args.record:
        out = ROOT / "bench" / "results.json"
        out.parent.mkdir(exist_ok=True)
        recorded = json.loads(out.read_text()) if out.exists() else {}
        recorded.update(sections)
        out.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
        print(f"recorded in {out.relative_to(ROOT)}")
    return 0


def prepare_plain(tmp: Path, env: dict[str, str]) -> Path:
    """One full build that saves the final Markdown (not timed: dumping costs I/O), and the config
    of a plain MkDocs build of it: same theme and nav, no hooks, macros or generators."""
    tmp.mkdir(parents=True, exist_ok=True)
    dump = tmp / "final-markdown"
    run_build(ROOT / "mkdocs.yml", tmp / "site-dump", dict(env, CELLS_DUMP_MARKDOWN=str(dump)))
    shutil.rmtree(tmp / "site-dump", ignore_errors=True)
    nav = json.loads((dump / "_nav.json").read_text())
    (dump / "_nav.json").unlink()
    # pymdownx.snippets reads only <docs_dir>/snippets (the glossary it appends to every page)
    shutil.copytree(ROOT / "docs" / "snippets", dump / "snippets", dirs_exist_ok=True)
    plain = tmp / "mkdocs-plain.yml"
    plain.write_text(
        json.dumps(
            {
                "INHERIT": str(ROOT / "mkdocs.yml"),
                "docs_dir": str(dump),
                "plugins": ["search"],
                "hooks": [],
                "theme": {"name": "material", "custom_dir": str(ROOT / "macros" / "overrides")},
                "nav": nav,
            }
        )
    )
    return plain


def interleaved(builds: dict[str, tuple[Path, Path, dict[str, str]]], repeat: int) -> dict[str, list[Build]]:
    """Each build (name -> config, site folder, environment) *repeat* times, taking turns, so that
    a slow spell of the (shared) machine weighs on all of them alike."""
    runs: dict[str, list[Build]] = {name: [] for name in builds}
    for _ in range(repeat):
        for name, (config, site, env) in builds.items():
            runs[name].append(run_build_timed(config, site, env))
    return runs


def _median(runs: list[Build], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def _fastest(runs: list[Build], field: str) -> float:
    return min(getattr(run, field) for run in runs)


def _spread(runs: list[Build]) -> float:
    """How far the slowest run is above the fastest, as a fraction: the machine's noise."""
    walls = [run.wall_s for run in runs]
    return round(max(walls) / min(walls) - 1, 3)


def site_figures(site: Path, full: list[Build], plain: list[Build]) -> dict[str, object]:
    sizes = page_sizes(site)
    wall = _fastest(full, "wall_s")
    links = bench_linkcheck(site)
    print(
        f"  runs (wall s): full {[round(r.wall_s, 1) for r in full]}, plain {[round(r.wall_s, 1) for r in plain]}",
        flush=True,
    )
    return {
        "full_build_s": round(wall, 3),
        "plain_build_s": round(_fastest(plain, "wall_s"), 3),
        "overhead_ratio": round(wall / _fastest(plain, "wall_s"), 3),
        "overhead_ratio_cpu": round(_fastest(full, "cpu_s") / _fastest(plain, "cpu_s"), 3),
        "overhead_ratio_median": round(_median(full, "wall_s") / _median(plain, "wall_s"), 3),
        "machinery_s": round(_median(full, "machinery_s"), 3),
        "overhead_ratio_in_build": round(
            statistics.median(run.wall_s / (run.wall_s - (run.machinery_s or 0.0)) for run in full), 3
        ),
        "spread_full": _spread(full),
        "spread_plain": _spread(plain),
        "peak_memory_mb": round(max(run.peak_mb for run in full)),
        "pages": len(sizes),
        "total_page_kb": round(sum(sizes) / 1024, 1),
        "median_page_kb": round(statistics.median(sizes) / 1024, 1),
        "largest_page_kb": round(max(sizes) / 1024, 1),
        "repeat": len(full),
        **links,
        "linkcheck_over_build": round(float(links["linkcheck_s"]) / wall, 2),
    }


def bench_site(tmp: Path, env: dict[str, str], repeat: int) -> dict[str, object]:
    """The site build against a plain MkDocs build of the same final Markdown."""
    plain = prepare_plain(tmp, env)
    runs = interleaved(
        {"full": (ROOT / "mkdocs.yml", tmp / "site-full", env), "plain": (plain, tmp / "site-plain", env)}, repeat
    )
    return site_figures(tmp / "site-full", runs["full"], runs["plain"])


def bench_linkcheck(site: Path) -> dict[str, object]:
    """``cells-docs linkcheck`` over the built site: every link and anchor of every page."""
    from cellsdocs.linkcheck.site import check_site

    started = time.perf_counter()
    report = check_site(site)
    elapsed = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"bench: the link check failed on {site}:\n{report.output}")
    return {"linkcheck_s": round(elapsed, 2), "linkcheck_urls": report.urls}


if __name__ == "__main__":
    raise SystemExit(main())
