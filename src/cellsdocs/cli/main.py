"""``cells-docs``: the command line over the same library the site uses."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from cellsdocs.errors import CellsDocsError
from cellsdocs.settings import SourcePaths
from cellsdocs.sources.load import SourcesInvalid, load_sources

__all__ = ["main"]


def _cmd_check(args: argparse.Namespace) -> int:
    paths = SourcePaths.from_env(Path(args.root) if args.root else None)
    try:
        sources = load_sources(paths)
    except SourcesInvalid as exc:
        for error in exc.errors:
            print(f"error: {error.format()}", file=sys.stderr)
        print(f"check failed: {len(exc.errors)} problem(s)", file=sys.stderr)
        return 1
    files = len([f for f in sources.descriptors.file if not f.name.startswith("google/")])
    rules = sum(len(r.rules) for r in sources.rule_sets)
    print(
        f"ok: {files} proto files, {len(sources.topology.cells)} cells, {len(sources.rule_sets)} rule sets "
        f"({rules} rules), {len(sources.alerts.alerts)} alerts, {len(sources.adrs.adrs)} ADRs, "
        f"{len(sources.runbooks.runbooks)} runbooks"
    )
    return 0


def _cmd_linkcheck(args: argparse.Namespace) -> int:
    import time

    from cellsdocs.linkcheck.site import check_site

    started = time.perf_counter()
    report = check_site(Path(args.site_dir))
    elapsed = time.perf_counter() - started
    if not report.ok:
        print(report.output, file=sys.stderr)
    print(
        f"linkcheck: {report.links} links in {report.urls} URLs (anchors included), "
        f"{report.warnings} warnings, {report.errors} errors, {elapsed:.1f} s"
    )
    return 0 if report.ok else 1


def _cmd_api_diff(args: argparse.Namespace) -> int:
    from cellsdocs.sources.protos.compile import compile_proto_tree
    from cellsdocs.sources.protos.history import compare_revisions, model_at_revision
    from cellsdocs.sources.protos.model import build_model

    paths = SourcePaths.from_env(Path(args.root) if args.root else None)
    if args.head:
        current = model_at_revision(paths.proto_root, args.head)
        if current is None:
            print(f"error: the proto tree does not exist at {args.head}", file=sys.stderr)
            return 1
    else:
        current = build_model(compile_proto_tree(paths.proto_root))
    history = compare_revisions(paths.proto_root, current, args.base)
    if history.base is None:
        print(
            f"error: no base revision: {history.reason} (fix: pass --base REV or set CELLS_API_BASE)", file=sys.stderr
        )
        return 1
    head = args.head or "working tree"
    print(
        f"API changes {history.base} -> {head}: {len(history.breaking)} breaking, {len(history.compatible)} compatible"
    )
    for change in history.changes:
        kind = "BREAKING  " if change.breaking else "compatible"
        print(f"{kind}  {change.rule:28} {change.element}: {change.message}  [{change.file}]")
    return 1 if args.fail_on_breaking and history.breaking else 0


def _load(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    paths = SourcePaths.from_env(Path(args.root) if args.root else None)
    try:
        return load_sources(paths)
    except SourcesInvalid as exc:
        for error in exc.errors:
            print(f"error: {error.format()}", file=sys.stderr)
        return None


def _cmd_explain(args: argparse.Namespace) -> int:
    from cellsdocs.analysis.examples import examples, report
    from cellsdocs.analysis.explain import explain, request_from_arguments

    sources = _load(args)
    if sources is None:
        return 1
    name = args.rules or sources.active_rule_set
    rule_set = sources.rule_set(name)
    if rule_set is None:
        names = ", ".join(r.name for r in sources.rule_sets)
        raise CellsDocsError(f"no rule set named {name!r}", hint=f"use one of: {names}")
    request = request_from_arguments(args.method, args.path, args.header, args.cookie)
    result = explain(rule_set, sources.topology, request)
    tries = examples(rule_set, sources.topology) if args.examples else ()
    for line in report(rule_set, result, request, active=name == sources.active_rule_set, tries=tries):
        print(line)
    return 2 if result.rule is None else 0


def _cmd_route_diff(args: argparse.Namespace) -> int:
    import time

    from cellsdocs.analysis.replay import load_requests, replay, rule_set_at_revision
    from cellsdocs.sources.routing import load_rule_sets

    sources = _load(args)
    if sources is None:
        return 1
    name = args.rules or sources.active_rule_set
    current = sources.rule_set(name)
    if current is None:
        raise CellsDocsError(f"no rule set named {name!r}", hint="name one of the rule sets")
    if args.against_revision:
        before = rule_set_at_revision(Path(current.source), args.against_revision)
    elif args.against:
        found = sources.rule_set(args.against)
        if found is None:
            against_path = Path(args.against)
            if not against_path.is_dir():
                raise CellsDocsError(f"no rule set named {args.against!r}", hint="name a rule set or a folder")
            found = next((r for r in load_rule_sets(against_path) if r.name == name), None)
            if found is None:
                raise CellsDocsError(f"{args.against} has no rule set {name!r}")
        before = found
    else:
        raise CellsDocsError("nothing to compare with", hint="pass --against RULESET or --against-revision REV")
    requests = load_requests(Path(args.requests))
    started = time.perf_counter()
    differences = list(replay(requests, before, current, sources.topology))
    elapsed = time.perf_counter() - started
    for diff in differences[: args.limit]:
        request = diff.request
        print(f"{request.method} {request.path}: {diff.describe(diff.before)}  =>  {diff.describe(diff.after)}")
    if len(differences) > args.limit:
        print(f"... and {len(differences) - args.limit} more")
    rate = len(requests) / elapsed if elapsed > 0 else float("inf")
    print(
        f"{len(differences)} of {len(requests)} requests routed differently ({before.source} -> {current.source}); "
        f"{rate:,.0f} requests/s",
        file=sys.stderr,
    )
    return 1 if differences and args.fail_on_difference else 0


def _cmd_cell_plan(args: argparse.Namespace) -> int:
    from cellsdocs.analysis.cellplan import plan_cell
    from cellsdocs.render.cellplan import plan_text

    sources = _load(args)
    if sources is None:
        return 1
    plan = plan_cell(sources.topology, sources.rule_sets, args.name, active_rule_set=sources.active_rule_set)
    print(plan_text(plan))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from cellsdocs.cli.serve import Server
    from cellsdocs.settings import repo_root

    root = Path(args.root) if args.root else repo_root()
    server = Server(root, host=args.host, port=args.port)
    print(f"serve: building, then serving on {server.url} (Ctrl-C to stop)", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def _cmd_site_dir_check(args: argparse.Namespace) -> int:
    from cellsdocs.settings import repo_root
    from cellsdocs.sitedir import check_site_dir

    root = Path(args.root) if args.root else repo_root()
    try:
        sources = SourcePaths.from_env(root).watched()
    except CellsDocsError:
        sources = []  # the build reports that; the layout folders are protected regardless
    check_site_dir(args.site_dir, root=root, sources=sources, shell_safe=True)
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from cellsdocs.scaffold import scaffold

    target = Path(args.dir)
    written = scaffold(target, name=args.name or target.resolve().name, package=args.package)
    print(f"new: {len(written)} files in {target}; next: cd {target} && make setup && make test")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cells-docs", description=__doc__)
    parser.add_argument("--root", help="repository root holding the default sources (default: this checkout)")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="load and validate every source without building the site")
    check.set_defaults(func=_cmd_check)
    links = sub.add_parser("linkcheck", help="check every internal link and anchor of a built site")
    links.add_argument("site_dir", nargs="?", default="site", help="the built site (default: site)")
    links.set_defaults(func=_cmd_linkcheck)
    sdc = sub.add_parser(
        "site-dir-check", help="refuse a site folder that is, holds or is inside a source or tracked folder"
    )
    sdc.add_argument("site_dir", help="the folder make build would replace (and its .new/.old siblings)")
    sdc.set_defaults(func=_cmd_site_dir_check)
    diff = sub.add_parser("api-diff", help="classify API changes between two git revisions of the proto tree")
    diff.add_argument("--base", help="base revision (default: CELLS_API_BASE, else the previous tag)")
    diff.add_argument("--head", help="head revision (default: the working tree)")
    diff.add_argument("--fail-on-breaking", action="store_true", help="exit 1 when a change is breaking")
    diff.set_defaults(func=_cmd_api_diff)
    ex = sub.add_parser("explain", help="explain how a request is routed: rule, classification, target cell")
    ex.add_argument("path", help="request path, e.g. /api/v4/projects")
    ex.add_argument("--method", default="GET")
    ex.add_argument("-H", "--header", action="append", default=[], metavar="NAME:VALUE")
    ex.add_argument(
        "-b", "--cookie", action="append", default=[], metavar="NAME=VALUE", help="a cookie, or 'Cookie: a=1; b=2'"
    )
    ex.add_argument("--rules", help="rule set name (default: the active one)")
    ex.add_argument("--examples", action="store_true", help="for each rule that did not match, a request it does match")
    ex.set_defaults(func=_cmd_explain)
    rd = sub.add_parser("route-diff", help="replay requests through two rule sets and list what routes differently")
    rd.add_argument("requests", help="JSON Lines (or JSON array) of {method, path, headers, cookies}")
    rd.add_argument("--rules", help="rule set to test (default: the active one)")
    rd.add_argument("--against", help="rule set name, or a folder holding a rule set of the same name")
    rd.add_argument("--against-revision", help="the same rule set file at this git revision")
    rd.add_argument("--limit", type=int, default=50, help="print at most this many differences")
    rd.add_argument("--fail-on-difference", action="store_true")
    rd.set_defaults(func=_cmd_route_diff)
    cell = sub.add_parser("cell", help="plan changes to the cell inventory")
    cell_sub = cell.add_subparsers(dest="cell_command", required=True)
    plan = cell_sub.add_parser(
        "plan", help="the next cell's id, session prefix, sequence range, config snippet, affected rules, checks"
    )
    plan.add_argument("name", nargs="?", help="the new cell's name (default: cell-<next id>)")
    plan.set_defaults(func=_cmd_cell_plan)
    from cellsdocs.cli.adr import add_adr_commands

    add_adr_commands(sub)
    srv = sub.add_parser("serve", help="serve with live reload; a failed rebuild keeps the last good site")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    srv.set_defaults(func=_cmd_serve)
    from cellsdocs.cli.sources import add_sources_commands

    add_sources_commands(sub)
    new = sub.add_parser("new", help="scaffold a documentation site for a team's own sources in DIR (new or empty)")
    new.add_argument("dir", help="the folder to create (must not exist, or be empty)")
    new.add_argument("--name", help="the site's name (default: the folder's name)")
    new.add_argument("--package", help="the cellsdocs requirement the site installs (default: this version)")
    new.set_defaults(func=_cmd_new)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except CellsDocsError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
