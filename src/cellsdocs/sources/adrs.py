"""Architecture Decision Records: ``adr/*.md`` -> typed :class:`Adr` (the linter is
:mod:`cellsdocs.sources.adr_lint`, the front-matter edits of the lifecycle commands
:mod:`cellsdocs.sources.adr_edit`).

Reads MADR 4 (YAML front matter with ``status``, ``date``...), Nygard-style records (status in a
``## Status`` section), front matter with only a ``title:`` such as ``'Cells ADR 001: Routing
technology'``, and records with no front matter at all (title from the first heading). The number
comes from the file name (``0001-title.md``, ``001_title.md``) or from the title.

This project's front matter additions: ``supersedes``, ``superseded-by``, ``relates-to`` (ADR
numbers), ``tags``, and ``governs`` (``services``, ``rpcs``, ``rule-sets``, ``cells``): the
reference pages of what a decision governs link back to it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from cellsdocs.errors import SourceError
from cellsdocs.indexing import first_by
from cellsdocs.sources.frontmatter import parse_date, split_front_matter
from cellsdocs.sources.textio import display_path, read_text

__all__ = [
    "GOVERNED_KINDS",
    "MADR_SECTIONS",
    "STATUSES",
    "Adr",
    "AdrCollection",
    "adr_files",
    "load_adrs",
    "parse_adr",
]

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
GOVERNED_KINDS = ("services", "rpcs", "rule-sets", "cells")
#: sections a MADR record must have (the others are optional in MADR 4)
MADR_SECTIONS = ("Context and Problem Statement", "Considered Options", "Decision Outcome")
_FILE_NUMBER = re.compile(r"^(\d{1,6})(?:[-_ .]|$)")
_TITLE_NUMBER = re.compile(r"^(?:.*?\bADR[-\s]*)?0*(\d{1,6})\s*[:.\-–]\s*(.+)$", re.I)
#: handbook-style design documents (front-matter ``title:`` and ``status:``, sections such as Context,
#: Decision, Pros, Cons) use lifecycle words of their own; each is read as the nearest MADR status
HANDBOOK_STATUSES = {"implemented": "accepted", "ongoing": "accepted", "postponed": "proposed"}
#: front-matter keys only MADR records carry: a record with one of them (or a MADR section) is linted as MADR
MADR_KEYS = ("decision-makers", "consulted", "informed")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_SECTION = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.M)
#: files in the ADR folder that are not records
NON_RECORDS = {"template.md", "readme.md", "index.md"}


@dataclass(frozen=True, kw_only=True)
class Adr:
    """One decision record."""

    number: int | None
    title: str
    status: str | None
    date: dt.date | None
    tags: tuple[str, ...]
    file: str
    stem: str
    style: str  # madr | handbook | title-front-matter | nygard | plain
    supersedes: tuple[int, ...] = ()
    superseded_by: tuple[int, ...] = ()
    relates_to: tuple[int, ...] = ()
    governs: tuple[tuple[str, str], ...] = ()  # (kind, name)
    decision_makers: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    key_lines: tuple[tuple[str, int], ...] = field(default=())

    @property
    def ref(self) -> str:
        return f"ADR-{self.number:04d}" if self.number is not None else self.stem

    @property
    def page(self) -> str:
        return f"adr/{self.stem}.md"

    def line_of(self, key: str) -> int | None:
        return dict(self.key_lines).get(key)


@dataclass(frozen=True, kw_only=True)
class AdrCollection:
    adrs: tuple[Adr, ...]
    folder: str

    def by_number(self, number: int) -> Adr | None:
        return self._numbers.get(number)

    @cached_property
    def _numbers(self) -> dict[int | None, Adr]:
        return first_by(self.adrs, lambda adr: adr.number)


def _numbers(value: object, *, file: str, line: int | None, key: str) -> tuple[int, ...]:
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        text = str(item).strip()
        match = re.match(r"^(?:ADR-?)?0*(\d+)(?:[-_].*)?(?:\.md)?$", text, re.I)
        if isinstance(item, bool) or not match:
            raise SourceError(
                f"{key}: {item!r} is not an ADR number",
                file=file,
                line=line,
                key=key,
                hint="write ADR numbers, e.g. [4] or [ADR-0004]",
            )
        out.append(int(match.group(1)))
    return tuple(out)


def _strings(value: object, *, file: str, line: int | None, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(",") if t.strip())
    if not isinstance(value, list) or not all(isinstance(t, str | int) for t in value):
        raise SourceError(f"{key} must be a list of names", file=file, line=line, key=key)
    return tuple(str(t) for t in value)


def _declares_madr(meta: dict[str, Any], sections: list[str]) -> bool:
    """A record follows MADR (and gets its section lint) when it says so: MADR's own front-matter
    keys, ``template: madr``, or one of MADR's required sections."""
    if any(key in meta for key in MADR_KEYS) or str(meta.get("template", "")).lower() == "madr":
        return True
    return any(section in sections for section in MADR_SECTIONS)


def parse_adr(text: str, *, file: str, stem: str) -> Adr:
    """Parse one record in any of the accepted styles."""
    fm = split_front_matter(text, file=file)
    meta = fm.data
    heading = _HEADING.search(fm.body)
    title_raw = meta.get("title") if isinstance(meta.get("title"), str) else None
    title = title_raw or (heading.group(1) if heading else stem.replace("-", " ").replace("_", " "))
    number: int | None = None
    file_number = _FILE_NUMBER.match(stem)
    if file_number:
        number = int(file_number.group(1))
    title_number = _TITLE_NUMBER.match(title)
    if title_number:
        number = number if number is not None else int(title_number.group(1))
        title = title_number.group(2).strip()
    status_raw = meta.get("status")
    sections = [m.group(1).strip() for m in _SECTION.finditer(fm.body)]
    if "status" in meta:
        style = "madr" if _declares_madr(meta, sections) else "handbook"
    else:
        style = "title-front-matter" if title_raw else "plain"
    if style == "handbook" and isinstance(status_raw, str):
        status_raw = HANDBOOK_STATUSES.get(status_raw.strip().lower(), status_raw)
    if status_raw is None:
        matches = list(_SECTION.finditer(fm.body))
        for i, section in enumerate(matches):
            if section.group(1).strip().lower() == "status":
                end = matches[i + 1].start() if i + 1 < len(matches) else len(fm.body)
                words = fm.body[section.end() : end].strip().split()
                if words:
                    status_raw = words[0].strip(".,:;*_").lower()
                    style = "nygard"
                break
    status = str(status_raw).strip().lower() if status_raw is not None else None
    if status is not None and status not in STATUSES:
        raise SourceError(
            f"unknown status {status_raw!r}",
            file=file,
            line=fm.line_of("status"),
            key="status",
            hint=f"use one of: {', '.join(STATUSES)}",
        )
    date_key = "date" if "date" in meta or "creation-date" not in meta else "creation-date"
    date = parse_date(meta.get(date_key), file=file, line=fm.line_of(date_key), key=date_key)
    if date is None and style == "nygard":
        found = re.search(r"^Date:\s*(\d{4}-\d{2}-\d{2})", fm.body, re.M)
        date = parse_date(found.group(1), file=file, line=None, key="date") if found else None
    governs: list[tuple[str, str]] = []
    raw_governs = meta.get("governs")
    if raw_governs is not None:
        if not isinstance(raw_governs, dict):
            raise SourceError(
                "governs must be a mapping of kind to names",
                file=file,
                line=fm.line_of("governs"),
                key="governs",
                hint=f"use the kinds {', '.join(GOVERNED_KINDS)}",
            )
        for kind, names in raw_governs.items():
            if kind not in GOVERNED_KINDS:
                raise SourceError(
                    f"unknown kind {kind!r}",
                    file=file,
                    line=fm.line_of("governs"),
                    key=f"governs.{kind}",
                    hint=f"use one of: {', '.join(GOVERNED_KINDS)}",
                )
            for name in _strings(names, file=file, line=fm.line_of("governs"), key=f"governs.{kind}"):
                governs.append((kind, name))
    return Adr(
        number=number,
        title=title.strip(),
        status=status,
        date=date,
        tags=_strings(meta.get("tags"), file=file, line=fm.line_of("tags"), key="tags"),
        file=file,
        stem=stem,
        style=style,
        supersedes=_numbers(meta.get("supersedes"), file=file, line=fm.line_of("supersedes"), key="supersedes"),
        superseded_by=_numbers(
            meta.get("superseded-by"), file=file, line=fm.line_of("superseded-by"), key="superseded-by"
        ),
        relates_to=_numbers(meta.get("relates-to"), file=file, line=fm.line_of("relates-to"), key="relates-to"),
        governs=tuple(governs),
        decision_makers=_strings(
            meta.get("decision-makers"), file=file, line=fm.line_of("decision-makers"), key="decision-makers"
        ),
        sections=tuple(sections),
        key_lines=tuple((str(k), fm.line_of(str(k)) or 1) for k in meta),
    )


def adr_files(folder: Path) -> list[Path]:
    """The record files in *folder* (not the template or a README)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.md") if p.name.lower() not in NON_RECORDS)


def load_adrs(folder: Path) -> AdrCollection:
    shown = display_path(folder)
    if not folder.exists():
        raise SourceError("ADR folder not found", file=shown, hint="create it or set CELLS_ADR_DIR")
    if not folder.is_dir():
        raise SourceError("ADR location is not a folder", file=shown, hint="point CELLS_ADR_DIR at a folder")
    adrs = []
    for path in adr_files(folder):
        text = read_text(path, what="ADR", within=folder)
        if not text.strip():
            raise SourceError(
                "the ADR is empty" if not text else "the ADR holds only whitespace",
                file=display_path(path),
                hint="write the record (cells-docs adr new, or copy adr/template.md) or delete the file",
            )
        adrs.append(parse_adr(text, file=display_path(path), stem=path.stem))
    return AdrCollection(adrs=tuple(adrs), folder=shown)
