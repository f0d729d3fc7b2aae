"""Architecture Decision Records: ``adr/*.md`` -> typed :class:`Adr`.

Reads MADR 4 (YAML front matter with ``status``, ``date``...), Nygard-style records (status in a
``## Status`` section), front matter with only a ``title:`` such as ``'Cells ADR 001: Routing
technology'``, and records with no front matter at all (title from the first heading). The number
comes from the file name (``0001-title.md``, ``001_title.md``) or from the title.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .frontmatter import split_front_matter
from .textio import display_path, read_text

__all__ = ["STATUSES", "Adr", "AdrCollection", "adr_files", "load_adrs", "parse_adr"]

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
_FILE_NUMBER = re.compile(r"^(\d{1,6})(?:[-_ .]|$)")
_TITLE_NUMBER = re.compile(r"^(?:.*?\bADR[-\s]*)?0*(\d{1,6})\s*[:.\-–]\s*(.+)$", re.I)
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
    style: str  # madr | title-front-matter | nygard | plain

    @property
    def ref(self) -> str:
        return f"ADR-{self.number:04d}" if self.number is not None else self.stem


@dataclass(frozen=True, kw_only=True)
class AdrCollection:
    adrs: tuple[Adr, ...]
    folder: str

    def by_number(self, number: int) -> Adr | None:
        return next((a for a in self.adrs if a.number == number), None)


def _parse_date(value: object, *, file: str, line: int | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise SourceError(
            f"date {value!r} is not a date", file=file, line=line, key="date", hint="write YYYY-MM-DD"
        ) from exc


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
    style = "madr" if "status" in meta else ("title-front-matter" if title_raw else "plain")
    if status_raw is None:
        sections = list(_SECTION.finditer(fm.body))
        for i, section in enumerate(sections):
            if section.group(1).strip().lower() == "status":
                end = sections[i + 1].start() if i + 1 < len(sections) else len(fm.body)
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
    date = _parse_date(meta.get("date"), file=file, line=fm.line_of("date"))
    tags_raw = meta.get("tags") or ()
    if isinstance(tags_raw, str):
        tags_raw = [t.strip() for t in tags_raw.split(",") if t.strip()]
    if not isinstance(tags_raw, list | tuple) or not all(isinstance(t, str) for t in tags_raw):
        raise SourceError("tags must be a list of strings", file=file, line=fm.line_of("tags"), key="tags")
    return Adr(
        number=number,
        title=title.strip(),
        status=status,
        date=date,
        tags=tuple(tags_raw),
        file=file,
        stem=stem,
        style=style,
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
    adrs = [parse_adr(read_text(p, what="ADR"), file=display_path(p), stem=p.stem) for p in adr_files(folder)]
    return AdrCollection(adrs=tuple(adrs), folder=shown)
