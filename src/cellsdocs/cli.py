"""``cells-docs``: the command line over the same library the site uses."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import CellsDocsError
from .settings import ENV_VARS, SourcePaths
from .sources import SourcesInvalid, load_sources

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


def _cmd_sources(args: argparse.Namespace) -> int:
    paths = SourcePaths.from_env(Path(args.root) if args.root else None)
    for var, (attr, default, what) in ENV_VARS.items():
        print(f"{var:24} {getattr(paths, attr)}  ({what}; default {default})")
    return 0


def _cmd_linkcheck(args: argparse.Namespace) -> int:
    import time

    from .linkcheck import check_site

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
    from .protos.compile import compile_proto_tree
    from .protos.history import compare_revisions, model_at_revision
    from .protos.model import build_model

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cells-docs", description=__doc__)
    parser.add_argument("--root", help="repository root holding the default sources (default: this checkout)")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="load and validate every source without building the site")
    check.set_defaults(func=_cmd_check)
    links = sub.add_parser("linkcheck", help="check every internal link and anchor of a built site")
    links.add_argument("site_dir", nargs="?", default="site", help="the built site (default: site)")
    links.set_defaults(func=_cmd_linkcheck)
    diff = sub.add_parser("api-diff", help="classify API changes between two git revisions of the proto tree")
    diff.add_argument("--base", help="base revision (default: CELLS_API_BASE, else the previous tag)")
    diff.add_argument("--head", help="head revision (default: the working tree)")
    diff.add_argument("--fail-on-breaking", action="store_true", help="exit 1 when a change is breaking")
    diff.set_defaults(func=_cmd_api_diff)
    where = sub.add_parser("sources", help="print where each source is read from")
    where.set_defaults(func=_cmd_sources)
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
