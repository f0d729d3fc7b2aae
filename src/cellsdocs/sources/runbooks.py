"""Runbooks: ``runbooks/<service>/<name>.md`` -> typed :class:`Runbook`, with the linter and the
alert contract (every alert has a runbook that exists and lists it, and back).

Front matter: ``service`` (the folder), ``alerts`` (names), ``severity`` (critical, warning,
info), ``owner``, ``last_reviewed`` (date), ``review_every`` (``90d``, ``12w``, ``6m``, ``1y``),
``escalation`` (``pager``: a PagerDuty/Opsgenie service name or an https link; ``chat``: a
``#channel`` or an https link).
Sections: First five minutes (first, right after the title: four list items ``Check``, ``First
safe action``, ``Do not``, ``Page``); Summary; Symptoms with one ``###`` heading per alert (its
anchor is the lowercased alert name); Diagnosis; Mitigation; Escalation; Related.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cellsdocs.errors import SourceError
from cellsdocs.indexing import first_by
from cellsdocs.sources.frontmatter import parse_date, split_front_matter
from cellsdocs.sources.runbook_parts import (
    FIRST_FIVE,
    Escalation,
    FirstFive,
    Heading,
    Problem,
    headings_of,
    parse_escalation,
    parse_first_five,
)
from cellsdocs.sources.textio import display_path, read_text

__all__ = [
    "FIRST_FIVE",
    "REQUIRED_KEYS",
    "REQUIRED_SECTIONS",
    "SEVERITIES",
    "Escalation",
    "FirstFive",
    "Heading",
    "Runbook",
    "RunbookCollection",
    "lint_runbook",
    "load_runbooks",
    "parse_escalation",
    "parse_first_five",
    "parse_runbook",
    "runbook_files",
]

REQUIRED_KEYS = ("service", "alerts", "severity", "owner", "last_reviewed", "review_every", "escalation")
SEVERITIES = ("critical", "warning", "info")
REQUIRED_SECTIONS = (FIRST_FIVE, "Summary", "Symptoms", "Diagnosis", "Mitigation", "Escalation", "Related")
_KEY_EXAMPLES = {"escalation": '{pager: <service name or https link>, chat: "#channel"}'}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PERIOD = re.compile(r"^(?P<n>\d+)\s*(?P<unit>d|w|m|y)$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


@dataclass(frozen=True, kw_only=True)
class Runbook:
    service: str
    name: str
    title: str
    alerts: tuple[str, ...]
    severity: str | None
    owner: str | None
    last_reviewed: dt.date | None
    review_every: str | None
    headings: tuple[Heading, ...]
    file: str
    front_lines: tuple[tuple[str, int], ...] = ()
    escalation: Escalation | None = None
    first_five: FirstFive | None = None
    #: problems of the escalation targets and the First five minutes section (see lint_runbook)
    problems: tuple[Problem, ...] = ()

    @property
    def url(self) -> str:
        """Site-relative URL, the form alert annotations use."""
        return f"runbooks/{self.service}/{self.name}/"

    @property
    def page(self) -> str:
        return f"runbooks/{self.service}/{self.name}.md"

    def line_of(self, key: str) -> int | None:
        return dict(self.front_lines).get(key)

    @property
    def anchors(self) -> set[str]:
        return {h.anchor for h in self.headings}

    def review_due(self) -> dt.date | None:
        days = review_period_days(self.review_every)
        if self.last_reviewed is None or days is None:
            return None
        return self.last_reviewed + dt.timedelta(days=days)

    def is_stale(self, today: dt.date) -> bool:
        due = self.review_due()
        return due is not None and due < today


@dataclass(frozen=True, kw_only=True)
class RunbookCollection:
    runbooks: tuple[Runbook, ...]
    folder: str

    def by_url(self, url: str) -> Runbook | None:
        return self._urls.get(url.split("#", 1)[0].strip("/") + "/")

    @cached_property
    def _urls(self) -> dict[str, Runbook]:
        return first_by(self.runbooks, lambda book: book.url)


def review_period_days(text: str | None) -> int | None:
    match = _PERIOD.match((text or "").strip())
    return int(match.group("n")) * _DAYS[match.group("unit")] if match else None


def runbook_files(folder: Path) -> list[Path]:
    """``<service>/<name>.md`` files (one level of service folders)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*/*.md") if not p.is_dir())  # FIFOs, loops: refused when read


def parse_runbook(text: str, *, file: str, service: str, name: str) -> Runbook:
    """Parse one runbook; structural problems are reported by :func:`lint_runbook`."""
    fm = split_front_matter(text, file=file)
    meta = fm.data
    for part, what in ((service, "service folder"), (name, "file name")):
        if not _SLUG.match(part):
            raise SourceError(
                f"{what} {part!r} is not kebab-case",
                file=file,
                hint="use lowercase letters, digits and '-' so the URL is stable",
            )
    alerts = meta.get("alerts") or []
    if isinstance(alerts, str):
        alerts = [alerts]
    if not isinstance(alerts, list) or not all(isinstance(a, str) for a in alerts):
        raise SourceError("alerts must be a list of alert names", file=file, line=fm.line_of("alerts"), key="alerts")
    headings = headings_of(fm.body, fm.body_line)
    h1 = next((h.text for h in headings if h.level == 1), None)
    title = str(meta.get("title") or h1 or name.replace("-", " ").capitalize())
    severity = meta.get("severity")
    owner = meta.get("owner")
    review_every = meta.get("review_every")
    escalation, problems = (
        parse_escalation(meta["escalation"], line=fm.line_of("escalation")) if "escalation" in meta else (None, [])
    )
    first_five, section_problems = parse_first_five(fm.body, first_line=fm.body_line)
    return Runbook(
        service=str(meta.get("service") or service),
        name=name,
        title=title,
        alerts=tuple(alerts),
        severity=str(severity) if severity is not None else None,
        owner=str(owner) if owner is not None else None,
        last_reviewed=parse_date(
            meta.get("last_reviewed"), file=file, line=fm.line_of("last_reviewed"), key="last_reviewed"
        ),
        review_every=str(review_every) if review_every is not None else None,
        headings=headings,
        file=file,
        front_lines=tuple((str(k), fm.line_of(str(k)) or 1) for k in meta),
        escalation=escalation,
        first_five=first_five,
        problems=tuple(problems + section_problems),
    )


def lint_runbook(book: Runbook, folder_service: str) -> list[SourceError]:
    """Every structural problem of one runbook (front matter keys, values and sections)."""
    errors: list[SourceError] = []

    def problem(message: str, *, key: str | None = None, line: int | None = None, hint: str | None = None) -> None:
        errors.append(
            SourceError(message, file=book.file, line=line or (book.line_of(key) if key else None), key=key, hint=hint)
        )

    present = {k for k, _ in book.front_lines}
    for key in REQUIRED_KEYS:
        if key not in present:
            example = _KEY_EXAMPLES.get(key, "...")
            problem(
                f"missing front matter key {key!r}", line=1, hint=f"add {key}: {example} (see runbooks/template.md)"
            )
    if book.service != folder_service:
        problem(
            f"service {book.service!r} does not match the folder {folder_service!r}",
            key="service",
            hint=f"set service: {folder_service} or move the file",
        )
    if book.severity is not None and book.severity not in SEVERITIES:
        problem(f"unknown severity {book.severity!r}", key="severity", hint=f"use one of: {', '.join(SEVERITIES)}")
    if book.review_every is not None and review_period_days(book.review_every) is None:
        problem(
            f"review_every {book.review_every!r} is not a period",
            key="review_every",
            hint="write a number and a unit: 30d, 12w, 6m or 1y",
        )
    if "alerts" in present and not book.alerts:
        problem(
            "the runbook lists no alerts", key="alerts", hint="list the alerts whose runbook annotation points here"
        )
    for found in book.problems:
        problem(found.message, key=found.key, line=found.line or 1, hint=found.hint)
    sections = {h.text: h for h in book.headings if h.level == 2}
    for section in REQUIRED_SECTIONS:
        if section == FIRST_FIVE:  # its own checks (book.problems) say more
            continue
        if section not in sections:
            problem(
                f"missing section '## {section}'",
                line=book.headings[-1].line if book.headings else 1,
                hint=f"add a '## {section}' section (see runbooks/template.md)",
            )
    symptoms = sections.get("Symptoms")
    if symptoms is not None:
        after = [h for h in book.headings if h.line > symptoms.line]
        end = next((h.line for h in after if h.level <= 2), None)
        subsections = {h.text for h in after if h.level == 3 and (end is None or h.line < end)}
        for alert in book.alerts:
            if alert not in subsections:
                problem(
                    f"no '### {alert}' under '## Symptoms'",
                    line=symptoms.line,
                    hint=f"add a '### {alert}' subsection describing what fires and what users see",
                )
    return errors


def load_runbooks(folder: Path) -> RunbookCollection:
    shown = display_path(folder)
    if not folder.exists():
        raise SourceError("runbook folder not found", file=shown, hint="create it or set CELLS_RUNBOOK_DIR")
    books = [
        parse_runbook(
            read_text(p, what="runbook", within=folder), file=display_path(p), service=p.parent.name, name=p.stem
        )
        for p in runbook_files(folder)
    ]
    return RunbookCollection(runbooks=tuple(books), folder=shown)
