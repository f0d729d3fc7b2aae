"""``cells-docs adr``: new, supersede, status, list, lint, renumber."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from cellsdocs.errors import CellsDocsError
from cellsdocs.settings import SourcePaths
from cellsdocs.sources.adr_edit import next_number, set_front_matter, slugify_title
from cellsdocs.sources.adr_lint import lint_adrs
from cellsdocs.sources.adrs import NON_RECORDS, STATUSES, Adr, AdrCollection, load_adrs

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


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _valid_date(raw: str) -> str:
    """``--date``: a real calendar date written YYYY-MM-DD, or a one-line error (nothing written)."""
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise CellsDocsError(
            f"--date {raw!r} is not a date", key="date", hint="write YYYY-MM-DD, e.g. 2026-01-31"
        ) from None


def _valid_new(args: argparse.Namespace) -> None:
    """What ``adr new`` writes into the record must keep it a valid record."""
    if not args.title.strip() or any(ch in args.title for ch in "\r\n\x00") or not args.title.isprintable():
        raise CellsDocsError(f"title {args.title!r} is empty or spans lines", key="title", hint="give a one-line title")
    for tag in args.tag:
        if not _TAG.match(tag):
            raise CellsDocsError(
                f"tag {tag!r} is not a plain word", key="tag", hint="use letters, digits, '.', '_' and '-'"
            )


def cmd_new(args: argparse.Namespace) -> int:
    _valid_new(args)
    today = _valid_date(args.date) if args.date else dt.date.today().isoformat()
    folder = _folder(args)
    folder.mkdir(parents=True, exist_ok=True)
    collection = load_adrs(folder)
    number = next_number(collection.adrs)
    path = folder / f"{number:04d}-{slugify_title(args.title)}.md"
    template_path = folder / "template.md"
    template = template_path.read_text(encoding="utf-8") if template_path.is_file() else _FALLBACK_TEMPLATE
    head, sep, rest = template.partition("\n---\n") if template.startswith("---") else ("", "", template)
    body = head + sep + re.sub(r"^# .*$", lambda _: f"# {args.title}", rest, count=1, flags=re.M)
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


def _record_path(folder: Path, stem: str) -> Path:
    """The record file *stem* names: a plain file directly inside the ADR folder, nothing else."""
    name = stem.removesuffix(".md")
    outside = CellsDocsError(
        f"{stem!r} is not a record of the ADR folder {folder}",
        hint="name a record by its file stem, e.g. 0004-title (cells-docs adr list shows them)",
    )
    if not name or name.startswith(".") or "/" in name or "\\" in name or "\x00" in name:
        raise outside
    path = folder / f"{name}.md"
    if path.is_symlink() or not path.is_file() or path.resolve().parent != folder.resolve():
        raise outside
    if path.name.lower() in NON_RECORDS:
        raise outside
    return path


def _link_pattern(stem: str) -> re.Pattern[str]:
    """A Markdown link target naming the record file *stem* (``0004-x.md``, ``../0004-x/``, ``0004-x.md#a``)."""
    return re.compile(rf"(?<![\w.-]){re.escape(stem)}(?=\.md\b|/|#|\))")


def cmd_renumber(args: argparse.Namespace) -> int:
    folder = _folder(args)
    path = _record_path(folder, args.stem)
    if not 1 <= args.number <= 999_999:
        raise CellsDocsError(f"{args.number} is not an ADR number", hint="give a number from 1 to 999999")
    collection = load_adrs(folder)
    adr = next((a for a in collection.adrs if a.stem == path.stem), None)
    if adr is None:
        raise CellsDocsError(f"{path.name} is not an ADR record", file=path)
    new_stem = f"{args.number:04d}{re.sub(r'^[0-9]+', '', path.stem)}"
    target = folder / f"{new_stem}.md"
    if target.exists():
        raise CellsDocsError(f"{target} already exists", hint="pick another number")
    taken = next((a for a in collection.adrs if a.number == args.number and a.stem != adr.stem), None)
    if taken is not None:
        free = next_number(collection.adrs)
        raise CellsDocsError(f"number {args.number} is used by {taken.file}", hint=f"use a free number, e.g. {free}")
    old = adr.number
    # References by number move with the record, unless the old number still names another record
    # (renumbering after a collision): then they keep pointing at that one.
    still_used = any(a.number == old and a.stem != adr.stem for a in collection.adrs)
    renumber_refs = old is not None and not still_used and old != args.number
    pattern = _link_pattern(adr.stem)
    changed: list[str] = []
    for other in collection.adrs:
        file = folder / f"{other.stem}.md"
        before = file.read_text(encoding="utf-8")
        after = before
        if renumber_refs:
            updates: dict[str, object] = {}
            for key, numbers in (
                ("supersedes", other.supersedes),
                ("superseded-by", other.superseded_by),
                ("relates-to", other.relates_to),
            ):
                if old in numbers:
                    updates[key] = [args.number if n == old else n for n in numbers]
            if updates:
                after = set_front_matter(after, updates)
        after = pattern.sub(new_stem, after)
        if after != before:
            file.write_text(after, encoding="utf-8")
            changed.append(file.name)
    path.rename(target)
    print(target)
    for name in changed:
        print(f"  updated references in {name}", file=sys.stderr)
    if still_used:
        print(f"  number {old} still names another record: references by number were left as they are", file=sys.stderr)
    paths = SourcePaths.from_env(Path(args.root) if args.root else None)
    for where in (paths.runbook_dir, paths.root / "docs"):
        for page in sorted(where.rglob("*.md")) if where.is_dir() else []:
            if page.is_file() and pattern.search(page.read_text(encoding="utf-8", errors="replace")):
                print(f"  note: {page} links to {adr.stem}: update it to {new_stem}", file=sys.stderr)
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
