"""The parts of a runbook page that the site reads: headings (with the same fence and heading rules
as the page), the *First five minutes* box and the escalation targets of the front matter.

Each parser returns what it found and a list of :class:`Problem` (line, message, hint) that
:func:`cellsdocs.sources.runbooks.lint_runbook` turns into errors naming the runbook file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown.extensions.toc import slugify

from cellsdocs.sources.yamlsrc import LineDict

#: the on-call box: a section right after the title, rendered as a box at the top of the page
FIRST_FIVE = "First five minutes"
#: its four items, in the order the box shows them (each a list item ``- **Label:** text``)
FIRST_FIVE_ITEMS = ("Check", "First safe action", "Do not", "Page")
#: characters per item at most, so the box fits the first screen of a phone; details go below
FIRST_FIVE_ITEM_LIMIT = 200
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
_HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.+?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*#*\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


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
