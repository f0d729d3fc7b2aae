"""``cells-docs adr``: new, supersede, status, list, lint, renumber."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from .adr import STATUSES, Adr, AdrCollection, lint_adrs, load_adrs, next_number, set_front_matter, slugify_title
from .errors import CellsDocsError
from .settings import SourcePaths

__all__ = ["add_adr_commands"]

_FALLBACK_TEMPLATE = """---
status: proposed
date: YYYY-MM-DD
decision-makers: []
tags: []
---

# TITLE

## Context and Problem Statement

## Decision Drivers

## Considered Options

## Decision Outcome

### Consequences

## More Information
"""


def _folder(args: argparse.Namespace) -> Path:
    return SourcePaths.from_env(Path(args.root) if args.root else None).adr_dir


def _find(collection: AdrCollection, key: str) -> Adr:
    match = re.match(r"^(?:ADR-?)?0*(\d+)$", key.strip(), re.I)
    found = [a for a in collection.adrs if (match and a.number == int(match.group(1))) or a.stem == key]
    if not found:
        raise CellsDocsError(f"no ADR {key!r} in {collection.folder}", hint="name it by number (e.g. 4) or file stem")
    if len(found) > 1:
        raise CellsDocsError(f"ADR number {key} is used by {len(found)} records", hint="run cells-docs adr lint")
    return found[0]


def _path(folder: Path, adr: Adr) -> Path:
    return folder / f"{adr.stem}.md"


def _update(folder: Path, adr: Adr, updates: dict[str, object]) -> None:
    path = _path(folder, adr)
    path.write_text(set_front_matter(path.read_text(encoding="utf-8"), updates), encoding="utf-8")


def cmd_new(args: argparse.Namespace) -> int:
    folder = _folder(args)
    folder.mkdir(parents=True, exist_ok=True)
    collection = load_adrs(folder)
    number = next_number(collection.adrs)
    path = folder / f"{number:04d}-{slugify_title(args.title)}.md"
    template_path = folder / "template.md"
    template = template_path.read_text(encoding="utf-8") if template_path.is_file() else _FALLBACK_TEMPLATE
    head, sep, rest = template.partition("\n---\n") if template.startswith("---") else ("", "", template)
    body = head + sep + re.sub(r"^# .*$", lambda _: f"# {args.title}", rest, count=1, flags=re.M)
    today = args.date or dt.date.today().isoformat()
    updates: dict[str, object] = {"status": "proposed", "date": today, "tags": list(args.tag)}
    if args.supersedes:
        updates["supersedes"] = [int(_find(collection, args.supersedes).number or 0)]
    text = set_front_matter(body, updates)
    path.write_text(_drop_comment_lines(text), encoding="utf-8")
    if args.supersedes:
        old = _find(collection, args.supersedes)
        _update(folder, old, {"status": "superseded", "superseded-by": [*old.superseded_by, number]})
    print(path)
    return 0


def _drop_comment_lines(text: str) -> str:
    """The template's front matter comments are guidance for authors, not part of a record."""
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), 0)
    return "".join(line for i, line in enumerate(lines) if not (0 < i < end and line.lstrip().startswith("#")))


def cmd_supersede(args: argparse.Namespace) -> int:
    folder = _folder(args)
    collection = load_adrs(folder)
    old, new = _find(collection, args.old), _find(collection, args.new)
    if old.number is None or new.number is None:
        raise CellsDocsError("both records need numbers")
    if old.number == new.number:
        raise CellsDocsError("a record cannot supersede itself")
    _update(folder, old, {"status": "superseded", "superseded-by": sorted({*old.superseded_by, new.number})})
    _update(folder, new, {"supersedes": sorted({*new.supersedes, old.number})})
    print(f"{old.ref} superseded by {new.ref}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    if args.status not in STATUSES:
        raise CellsDocsError(f"unknown status {args.status!r}", hint=f"use one of: {', '.join(STATUSES)}")
    if args.status == "superseded":
        raise CellsDocsError("use 'cells-docs adr supersede OLD NEW' to supersede: it links both records")
    folder = _folder(args)
    adr = _find(load_adrs(folder), args.adr)
    _update(folder, adr, {"status": args.status})
    print(f"{adr.ref}: {adr.status} -> {args.status}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    collection = load_adrs(_folder(args))
    rows = [
        a
        for a in sorted(collection.adrs, key=lambda a: (a.number or 0, a.stem))
        if (not args.status or a.status == args.status) and (not args.tag or args.tag in a.tags)
    ]
    for adr in rows:
        extra = f"  superseded by {', '.join(f'ADR-{n:04d}' for n in adr.superseded_by)}" if adr.superseded_by else ""
        date = adr.date.isoformat() if adr.date else "----------"
        print(f"{adr.ref:9} {adr.status or 'unknown':10} {date}  {adr.title}  [{', '.join(adr.tags)}]{extra}")
    print(f"{len(rows)} of {len(collection.adrs)} records", file=sys.stderr)
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    collection = load_adrs(_folder(args))
    errors = lint_adrs(collection)
    for error in errors:
        print(f"error: {error.format()}", file=sys.stderr)
    if errors:
        print(f"adr lint: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"adr lint: {len(collection.adrs)} records ok")
    return 0


def cmd_renumber(args: argparse.Namespace) -> int:
    folder = _folder(args)
    path = folder / f"{args.stem.removesuffix('.md')}.md"
    if not path.is_file():
        raise CellsDocsError(f"no file {path}")
    rest = re.sub(r"^\d+", "", path.stem)
    target = folder / f"{args.number:04d}{rest}.md"
    if target.exists():
        raise CellsDocsError(f"{target} already exists")
    path.rename(target)
    print(target)
    return 0


def add_adr_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    adr = sub.add_parser("adr", help="Architecture Decision Records: new, supersede, status, list, lint")
    adr_sub = adr.add_subparsers(dest="adr_command", required=True)
    new = adr_sub.add_parser("new", help="create the next record from the template (status proposed, dated today)")
    new.add_argument("title")
    new.add_argument("--tag", action="append", default=[])
    new.add_argument("--supersedes", help="number of the record the new one replaces (both are updated)")
    new.add_argument("--date", help="YYYY-MM-DD (default: today)")
    new.set_defaults(func=cmd_new)
    sup = adr_sub.add_parser("supersede", help="mark OLD superseded by NEW, linking both ways")
    sup.add_argument("old")
    sup.add_argument("new")
    sup.set_defaults(func=cmd_supersede)
    status = adr_sub.add_parser("status", help="change a record's status")
    status.add_argument("adr")
    status.add_argument("status", choices=[s for s in STATUSES if s != "superseded"])
    status.set_defaults(func=cmd_status)
    listing = adr_sub.add_parser("list", help="list records, optionally by status or tag")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--tag")
    listing.set_defaults(func=cmd_list)
    lint = adr_sub.add_parser("lint", help="check numbers, links (both ways) and required sections")
    lint.set_defaults(func=cmd_lint)
    renumber = adr_sub.add_parser("renumber", help="give a record another number (after a collision)")
    renumber.add_argument("stem")
    renumber.add_argument("number", type=int)
    renumber.set_defaults(func=cmd_renumber)
