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
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from markdown.extensions.toc import slugify

from cellsdocs.errors import SourceError
from cellsdocs.indexing import first_by
from cellsdocs.sources.alerts import Alert
from cellsdocs.sources.frontmatter import parse_date, split_front_matter
from cellsdocs.sources.textio import display_path, read_text
from cellsdocs.sources.yamlsrc import LineDict

__all__ = [
    "FIRST_FIVE",
    "FIRST_FIVE_ITEMS",
    "REQUIRED_KEYS",
    "REQUIRED_SECTIONS",
    "SEVERITIES",
    "Escalation",
    "FirstFive",
    "Heading",
    "Runbook",
    "RunbookCollection",
    "check_alert_contract",
    "first_five_section",
    "lint_runbook",
    "load_runbooks",
    "parse_escalation",
    "parse_first_five",
    "parse_runbook",
    "runbook_files",
]

REQUIRED_KEYS = ("service", "alerts", "severity", "owner", "last_reviewed", "review_every", "escalation")
SEVERITIES = ("critical", "warning", "info")
#: the on-call box: a section right after the title, rendered as a box at the top of the page
FIRST_FIVE = "First five minutes"
#: its four items, in the order the box shows them (each a list item ``- **Label:** text``)
FIRST_FIVE_ITEMS = ("Check", "First safe action", "Do not", "Page")
#: characters per item at most, so the box fits the first screen of a phone; details go below
FIRST_FIVE_ITEM_LIMIT = 200
REQUIRED_SECTIONS = (FIRST_FIVE, "Summary", "Symptoms", "Diagnosis", "Mitigation", "Escalation", "Related")
ESCALATION_KEYS = ("pager", "chat")
_FIRST_FIVE_FORMAT = (
    "- **Check:** ..., - **First safe action:** ..., - **Do not:** ..., - **Page:** ... (see runbooks/template.md)"
)
#: ``- **Label:** text``, ``- **Label**: text`` or ``- Label: text``
_ITEM = re.compile(
    r"^[-*+][ \t]+(?:\*\*(?P<b1>[^*:\n]+?)[ \t]*:[ \t]*\*\*|\*\*(?P<b2>[^*:\n]+?)\*\*[ \t]*:"
    r"|(?P<plain>[A-Za-z][A-Za-z ]*?)[ \t]*:)(?P<rest>.*)$"
)
_BULLET = re.compile(r"^[-*+][ \t]")
_URL_CHARS = re.compile(r"^[A-Za-z0-9._~:/?#@!$&+,;=%-]+$")
_HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):")
_PAGER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/()-]*$")
_CHANNEL = re.compile(r"^#[a-z0-9][a-z0-9._-]*$")
_NAME_LIMIT = 80
_URL_LIMIT = 300
#: schemes refused outright even without '//' (``javascript:alert(1)``)
_BAD_SCHEMES = {"javascript", "vbscript", "data", "file", "blob", "about", "mailto", "tel", "http", "ftp"}
_CANONICAL = {label.lower(): label for label in FIRST_FIVE_ITEMS}
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_ITEM_HELP = {
    "Check": "the one thing to look at first",
    "First safe action": "the step that cannot make things worse",
    "Do not": "the tempting step that makes things worse",
    "Page": "whom to page and when",
}
_KEY_EXAMPLES = {"escalation": '{pager: <service name or https link>, chat: "#channel"}'}
_HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.+?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*#*\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PERIOD = re.compile(r"^(?P<n>\d+)\s*(?P<unit>d|w|m|y)$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    line: int


@dataclass(frozen=True)
class Problem:
    """A problem found while reading a runbook, reported by :func:`lint_runbook` with the others."""

    message: str
    hint: str
    key: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Escalation:
    """Where on-call reaches the owners (validated front matter ``escalation``): ``pager``, a
    PagerDuty or Opsgenie service name or an https link; ``chat``, a ``#channel`` or an https link."""

    pager: str
    chat: str

    @staticmethod
    def is_link(value: str) -> bool:
        return value[:8].lower() == "https://"


@dataclass(frozen=True)
class FirstFive:
    """The *First five minutes* section of a page's Markdown: its items (label, Markdown text, in
    the order of :data:`FIRST_FIVE_ITEMS`) and its lines (0-based, *end* exclusive, heading included)."""

    items: tuple[tuple[str, str], ...]
    start: int
    end: int


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


def headings_of(markdown: str, first_line: int = 1) -> tuple[Heading, ...]:
    """Markdown headings outside code blocks, with the anchors MkDocs gives them."""
    out: list[Heading] = []
    fence: str | None = None
    seen: dict[str, int] = {}
    for number, line in enumerate(markdown.splitlines(), start=first_line):
        opening = _FENCE.match(line)
        if opening:
            marker = opening.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        match = _HEADING.match(line)
        if not match:
            continue
        text = match.group("text").strip()
        attrs = match.group("attrs") or ""
        explicit = re.search(r"#([^\s}]+)", attrs)
        anchor = explicit.group(1) if explicit else slugify(text, "-")
        if not explicit:  # MkDocs (toc) de-duplicates repeated slugs with _1, _2...
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            if count:
                anchor = f"{anchor}_{count}"
        out.append(Heading(len(match.group("level")), text, anchor, number))
    return tuple(out)


def _shown(value: str) -> str:
    """*value* for an error message: quoted, and cut short when long (never echoed whole)."""
    return repr(value if len(value) <= 60 else value[:60] + "...")


def _https_problem(value: str) -> str | None:
    """Why *value* is not an acceptable https link, or None."""
    if len(value) > _URL_LIMIT:
        return f"is a link of {len(value)} characters, more than {_URL_LIMIT}"
    if not _URL_CHARS.match(value):
        return f"{_shown(value)} has characters a link may not hold (spaces, quotes, brackets, '<', '>')"
    parts = urlsplit(value)
    host, _, port = parts.netloc.partition(":")
    if "@" in parts.netloc:
        return f"{_shown(value)} carries a user name or password"
    if not _HOST.match(host) or (port and not port.isdigit()):
        return f"{_shown(value)} has no valid host name"
    return None


def _target_problem(key: str, value: object) -> tuple[str, str] | None:
    """(message, hint) when *value* is not a valid ``escalation.<key>`` (pager or chat), else None."""
    if key == "pager":
        form = "the PagerDuty or Opsgenie service name, or an https:// link to the service"
    else:
        form = 'the channel as "#channel-name" (quoted), or an https:// link to it'
    if value is None:
        hint = f"write {form}"
        if key == "chat":
            hint += "; a '#' after a space starts a YAML comment, so quote the channel"
        return "is empty", hint
    if not isinstance(value, str):
        return f"must be text, not {type(value).__name__}", f"write {form} (quote it)"
    if not value.strip():
        return "is empty", f"write {form}"
    scheme = _SCHEME.match(value)
    if scheme and (value[scheme.end() : scheme.end() + 2] == "//" or scheme.group("scheme").lower() in _BAD_SCHEMES):
        if scheme.group("scheme").lower() != "https":
            return (
                f"{_shown(value)} uses the scheme {scheme.group('scheme')!r}: only https links are allowed",
                f"write {form}",
            )
        problem = _https_problem(value)
        return None if problem is None else (problem, f"write {form}")
    if len(value) > _NAME_LIMIT:
        return f"is {len(value)} characters, more than {_NAME_LIMIT}", f"write {form}"
    if key == "pager" and not _PAGER_NAME.match(value):
        return (
            f"{_shown(value)} is neither a service name nor an https link",
            f"write {form} (names: letters, digits, spaces, '.', '_', '-', '/', parentheses)",
        )
    if key == "chat" and not _CHANNEL.match(value):
        return (
            f"{_shown(value)} is neither a #channel nor an https link",
            f"write {form} (channels: '#', then lowercase letters, digits, '-', '_', '.')",
        )
    return None


def parse_escalation(value: object, *, line: int | None) -> tuple[Escalation | None, list[Problem]]:
    """The front matter ``escalation`` mapping (*line*: its line in the file), validated: every
    problem at once; the :class:`Escalation` only when there is none."""
    form = 'escalation: {pager: <service name or https link>, chat: "#channel"}'
    if not isinstance(value, dict):
        what = "is empty" if value is None else f"must be a mapping with pager and chat, not {type(value).__name__}"
        return None, [Problem(what, f"write {form}", "escalation", line)]
    problems: list[Problem] = []

    def line_of(key: object) -> int | None:
        inner = value.line_of(key) if isinstance(value, LineDict) else None
        return inner + 1 if inner is not None else line  # +1 for the opening '---'

    for key in value:
        if key not in ESCALATION_KEYS:
            problems.append(
                Problem(f"unknown key {_shown(str(key))}", "use pager and chat only", f"escalation.{key}", line_of(key))
            )
    for key in ESCALATION_KEYS:
        if key not in value:
            problems.append(Problem("is missing", f"add {key}: under escalation ({form})", f"escalation.{key}", line))
            continue
        found = _target_problem(key, value[key])
        if found is not None:
            problems.append(Problem(found[0], found[1], f"escalation.{key}", line_of(key)))
    if problems:
        return None, problems
    return Escalation(pager=value["pager"].strip(), chat=value["chat"].strip()), []


def first_five_section(markdown: str) -> tuple[int, int, int] | None:
    """Where ``## First five minutes`` is in *markdown*: (heading line, end line, how many ``##``
    sections come before it), 0-based lines outside code blocks; None when there is none."""
    before = 0
    start: int | None = None
    for heading in headings_of(markdown, first_line=0):
        if start is not None and heading.level <= 2:
            return start, heading.line, before
        if heading.level == 2 and start is None:
            if heading.text == FIRST_FIVE:
                start = heading.line
            else:
                before += 1
    return None if start is None else (start, len(markdown.splitlines()), before)


def parse_first_five(markdown: str, *, first_line: int = 1) -> tuple[FirstFive | None, list[Problem]]:
    """The ``## First five minutes`` section of *markdown* (*first_line*: the file line of its first
    line) and every problem of it: missing, not the first section, an item missing, empty, unknown,
    repeated or too long, text outside the items."""
    place = first_five_section(markdown)
    if place is None:
        return None, [
            Problem(
                f"missing section '## {FIRST_FIVE}'",
                f"add it right after the title with four list items: {_FIRST_FIVE_FORMAT}",
                line=first_line,
            )
        ]
    start, end, before = place
    heading_line = first_line + start
    problems: list[Problem] = []
    if before:
        problems.append(
            Problem(
                f"'## {FIRST_FIVE}' is not the first section",
                "move it right after the title, above '## Summary', so on-call reads it first",
                line=heading_line,
            )
        )
    lines = markdown.splitlines()[start + 1 : end]
    items: dict[str, list[str]] = {}
    lengths: dict[str, int] = {}
    current: str | None = None
    previous_blank = True
    in_comment = False
    for offset, line in enumerate(lines, start=1):
        number = heading_line + offset
        if in_comment or line.startswith("<!--"):  # notes for writers, not shown
            in_comment = "-->" not in line
            continue
        blank = not line.strip()
        if blank:
            if current is not None:
                items[current].append("")
        elif line[0] in " \t" or (
            current is not None and not previous_blank and not _BULLET.match(line) and not _HEADING.match(line)
        ):
            if current is None:
                problems.append(_loose(line, number))
            else:
                items[current].append(line)
        else:
            current = None
            match = _ITEM.match(line)
            label = " ".join((match.group("b1") or match.group("b2") or match.group("plain")).split()) if match else ""
            canonical = _CANONICAL.get(label.lower())
            if match is None or canonical is None:
                problems.append(_loose(line, number) if not _BULLET.match(line) else _unknown(label, number))
            elif canonical in items:
                problems.append(
                    Problem(f"item '{canonical}' appears twice in '## {FIRST_FIVE}'", "keep one", line=number)
                )
            else:
                current = canonical
                items[canonical] = [match.group("rest").strip()]
                lengths[canonical] = number
        previous_blank = blank
    missing = [label for label in FIRST_FIVE_ITEMS if label not in items]
    if missing:
        problems.append(
            Problem(
                f"'## {FIRST_FIVE}' has no {', '.join(repr(m) for m in missing)} item",
                "add " + ", ".join(f"'- **{m}:** ...'" for m in missing) + " (see runbooks/template.md)",
                line=heading_line,
            )
        )
    texts: dict[str, str] = {}
    for label, parts in items.items():
        text = "\n".join(parts).strip()
        texts[label] = text
        visible = len(" ".join(_LINK_TARGET.sub("]", text).split()))
        if not text:
            problems.append(
                Problem(
                    f"item '{label}' of '## {FIRST_FIVE}' is empty",
                    f"write it after '{label}:' ({_ITEM_HELP[label]})",
                    line=lengths[label],
                )
            )
        elif visible > FIRST_FIVE_ITEM_LIMIT:
            problems.append(
                Problem(
                    f"item '{label}' of '## {FIRST_FIVE}' is {visible} characters, more than {FIRST_FIVE_ITEM_LIMIT}",
                    "shorten it so the box fits the first screen; put the details in Diagnosis or Mitigation",
                    line=lengths[label],
                )
            )
    box = FirstFive(
        items=tuple((label, texts[label]) for label in FIRST_FIVE_ITEMS if label in texts), start=start, end=end
    )
    return box, problems


def _loose(line: str, number: int) -> Problem:
    return Problem(
        f"text outside the four items of '## {FIRST_FIVE}': {_shown(line.strip())}",
        "put it inside one of the items (indented under it), or in Diagnosis or Mitigation",
        line=number,
    )


def _unknown(label: str, number: int) -> Problem:
    what = f"unknown item {_shown(label)}" if label else "a list item without a label"
    return Problem(
        f"{what} in '## {FIRST_FIVE}'",
        f"the items are {', '.join(FIRST_FIVE_ITEMS)}, written '- **Label:** text'; put anything else in "
        "Diagnosis or Mitigation",
        line=number,
    )


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


def check_alert_contract(alerts: Iterable[Alert], runbooks: RunbookCollection) -> list[SourceError]:
    """Both directions: each alert's runbook exists, has the anchor and lists the alert; each
    alert a runbook lists exists and points back at it."""
    errors: list[SourceError] = []
    by_name: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_name.setdefault(alert.name, []).append(alert)
        where = f"alert {alert.name}"
        link = alert.runbook
        if not link:
            errors.append(
                SourceError(
                    f"{where} has no runbook annotation",
                    file=alert.file,
                    line=alert.line,
                    key="annotations.runbook",
                    hint="add runbook: runbooks/<service>/<name>/ pointing at its runbook page",
                )
            )
            continue
        path, _, anchor = link.partition("#")
        if path.startswith(("/", "http:", "https:")) or ".." in path.split("/") or "\\" in path:
            errors.append(
                SourceError(
                    f"{where}: runbook {link!r} is not a site-relative runbook path",
                    file=alert.file,
                    line=alert.line,
                    key="annotations.runbook",
                    hint="write runbooks/<service>/<name>/ (no leading '/', no '..')",
                )
            )
            continue
        book = runbooks.by_url(path)
        if book is None:
            errors.append(
                SourceError(
                    f"{where}: runbook {path!r} does not exist",
                    file=alert.file,
                    line=alert.line,
                    key="annotations.runbook",
                    hint=f"write runbooks/{path.removeprefix('runbooks/').strip('/')}.md "
                    "from runbooks/template.md, or fix the path",
                )
            )
            continue
        if anchor and anchor not in book.anchors:
            errors.append(
                SourceError(
                    f"{where}: runbook {book.file} has no heading with anchor #{anchor}",
                    file=alert.file,
                    line=alert.line,
                    key="annotations.runbook",
                    hint=f"add '### {alert.name}' under Symptoms in {book.file}, or fix the anchor",
                )
            )
        if alert.name not in book.alerts:
            errors.append(
                SourceError(
                    f"{where} points at {book.file}, which does not list it",
                    file=book.file,
                    line=book.line_of("alerts"),
                    key="alerts",
                    hint=f"add {alert.name} to its alerts",
                )
            )
    for book in runbooks.runbooks:
        for name in book.alerts:
            if name not in by_name:
                errors.append(
                    SourceError(
                        f"lists alert {name!r}, which no rule file defines",
                        file=book.file,
                        line=book.line_of("alerts"),
                        key="alerts",
                        hint="remove it or fix the name (alert names are case-sensitive)",
                    )
                )
                continue
            for alert in by_name[name]:
                target = runbooks.by_url(alert.runbook.partition("#")[0]) if alert.runbook else None
                if target is not None and target is not book:
                    errors.append(
                        SourceError(
                            f"lists alert {name!r}, whose runbook annotation points at {target.file}",
                            file=book.file,
                            line=book.line_of("alerts"),
                            key="alerts",
                            hint="list each alert in exactly one runbook",
                        )
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
