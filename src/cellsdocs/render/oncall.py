"""On-call pages: the *First five minutes* box and the alert definitions placed on runbook pages,
stale-review banners, the on-call index (every alert A-Z with its runbook) and the freshness report.

Alert definitions are inserted after mkdocs-macros has rendered the page, so PromQL and
Prometheus templates (``{{ $labels.cell }}``) reach the reader exactly as in the rule files.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence

from cellsdocs.escaping import code_block, html_attr, markdown_code, markdown_text, url_path
from cellsdocs.markdown import code, table, text
from cellsdocs.render.page import GeneratedPage
from cellsdocs.sources.alerts import Alert
from cellsdocs.sources.load import Sources
from cellsdocs.sources.runbook_parts import FIRST_FIVE, Escalation, parse_first_five
from cellsdocs.sources.runbooks import Runbook

__all__ = [
    "decorate_runbook",
    "first_five_box",
    "reach_html",
    "render_alert_index",
    "render_freshness",
]

GENERATOR = "cellsdocs.render.oncall"
#: an alert -> the web URL of its definition upstream (file and line at the locked commit), if known
AlertLink = Callable[[Alert], "str | None"]
#: the id of the box on the page (the anchor of the source heading ``## First five minutes``)
FIRST_FIVE_ID = "first-five-minutes"
_ICONS = {
    "Check": ":material-magnify:",
    "First safe action": ":material-shield-check-outline:",
    "Do not": ":material-cancel:",
    "Page": ":material-phone-alert-outline:",
}


def _indent(block: str) -> str:
    return "".join(f"    {line}" if line.strip() else line for line in block.splitlines(keepends=True))


def alert_block(alert: Alert, *, of: int = 1, index: int = 1, link: AlertLink | None = None) -> str:
    """An admonition with the alert as the rule files define it (*index* of *of* definitions: an
    alert name may be defined in several rule files, and each definition is shown); *link* gives
    the definition's upstream web URL at the locked commit, when known."""
    where = f"{code(alert.file)} line {alert.line}"
    url = link(alert) if link is not None else None
    if url:
        where = f'<a class="cells-source" href="{html_attr(url)}">{where}</a>'
    facts = [
        ["Severity", text(alert.severity or "not set")],
        ["Pending for", text(alert.for_ or "0s (fires at once)")],
        ["Pager", text(alert.label("pager") or "not set")],
        ["Labels", ", ".join(code(f"{k}={v}") for k, v in alert.labels) or "none"],
        ["Defined in", f"{where}, group {code(alert.group)}"],
    ]
    body = "Alert as defined in the rule files (generated; edit the rule file, not this box):\n\n" + table(
        ["Fact", "Value"], facts
    )
    body += "\n" + code_block(alert.expr, "promql")
    for key, value in alert.annotations:
        if key in ("runbook", "runbook_url"):
            continue
        body += f"\n{text(key.capitalize())}:\n\n" + code_block(value, "text")
    title = f"Alert definition: {text(alert.name)}"
    if of > 1:
        title += f" ({index} of {of}, {text(alert.file)})"
        body = (
            f"This alert name is defined {of} times in the rule files (Prometheus allows it); "
            "each definition is shown.\n\n" + body
        )
    return f'\n??? abstract "{title}"\n' + _indent(body) + "\n"


def _target(value: str) -> str:
    """A pager or chat target: an https link (the URL escaped for the attribute, shown without its
    scheme as text) or a name shown as code."""
    if Escalation.is_link(value):
        return f'<a href="{html_attr(value)}">{markdown_text(value.split("://", 1)[1])}</a>'
    return markdown_code(value)


def reach_html(escalation: Escalation) -> str:
    """The pager service and chat channel, inline HTML for a Markdown page (every value escaped)."""
    return (
        f'<span class="cells-reach"><span>Pager: {_target(escalation.pager)}</span> '
        f"<span>Chat: {_target(escalation.chat)}</span></span>"
    )


def first_five_box(items: Sequence[tuple[str, str]], escalation: Escalation | None) -> str:
    """The *First five minutes* box: the runbook's four items (its own Markdown), with the pager
    and chat targets of its front matter under *Page*."""
    body = []
    for label, markdown in items:
        icon = _ICONS[label] + " " if label in _ICONS else ""
        item = f"- {icon}**{label}:** {markdown}"
        if label == "Page" and escalation is not None:
            item += "\n  " + reach_html(escalation)
        body.append(item)
    return (
        f'<div class="admonition cells-first-five" id="{FIRST_FIVE_ID}" markdown>\n'
        f'<p class="admonition-title">{FIRST_FIVE}</p>\n\n' + "\n".join(body) + "\n\n</div>\n\n"
    )


def _pointer() -> str:
    return (
        f'<p class="cells-first-five-pointer"><a href="#{FIRST_FIVE_ID}">On call? Start with the '
        f"{FIRST_FIVE.lower()} at the top</a></p>\n"
    )


def stale_banner(book: Runbook, today: dt.date) -> str:
    due = book.review_due()
    return (
        '!!! warning "This runbook is overdue for review"\n'
        f"    Last reviewed on {book.last_reviewed}, due again on {due} (every {text(book.review_every)}). "
        f"Steps may be out of date: check them against the reference pages as you go. "
        f"Owner: **{text(book.owner or 'unknown')}**. See the [freshness report]"
        f"({posixpath.relpath('runbooks/freshness.md', posixpath.dirname(book.page))}).\n\n"
    )


def decorate_runbook(
    markdown: str,
    book: Runbook,
    by_name: Mapping[str, Alert] | Mapping[str, Sequence[Alert]],
    today: dt.date,
    link: AlertLink | None = None,
) -> str:
    """The runbook page as on-call reads it: its *First five minutes* section as a box right after
    the title (then the stale banner), each listed alert's definitions (*by_name*: alert name -> its
    definitions, or one alert) collapsed under its Symptoms heading, with a pointer back to the box,
    and the pager and chat targets under Escalation."""
    lines = markdown.splitlines(keepends=True)
    box, _ = parse_first_five(markdown)
    if box is not None:
        lines = lines[: box.start] + lines[box.end :]
    top = (first_five_box(box.items, book.escalation) if box is not None else "") + (
        stale_banner(book, today) if book.is_stale(today) else ""
    )
    out: list[str] = []
    in_fence = False
    top_done = not top
    for line in lines:
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
        out.append(line)
        if in_fence:
            continue
        heading = re.match(r"^(#{1,6})\s+(.+?)\s*(\{[^}]*\})?\s*$", line)
        if not heading:
            continue
        level = len(heading.group(1))
        if not top_done and level == 1:
            out.append("\n" + top)
            top_done = True
        name = heading.group(2).strip()
        if level == 2 and name == "Escalation" and book.escalation is not None:
            out.append(f"\n<p>{reach_html(book.escalation)}</p>\n")
        if level == 3 and name in book.alerts and name in by_name:
            found = by_name[name]
            definitions = [found] if isinstance(found, Alert) else list(found)
            if box is not None:
                out.append("\n" + _pointer())
            for index, alert in enumerate(definitions, 1):
                out.append(alert_block(alert, of=len(definitions), index=index, link=link))
    if not top_done:
        out.insert(0, top)
    return "".join(out)


def render_alert_index(sources: Sources) -> str:
    """Every alert, A-Z, with its runbook, severity, service and pager; gaps called out."""
    page = "runbooks/alerts.md"
    rows = []
    missing = 0
    counts: dict[str, int] = {}
    for alert in sources.alerts.alerts:
        counts[alert.name] = counts.get(alert.name, 0) + 1
    anchored: set[str] = set()
    for alert in sorted(sources.alerts.alerts, key=lambda a: (a.name.lower(), a.file, a.line or 0)):
        link = alert.runbook
        book = sources.runbooks.by_url(link) if link else None
        if book is None:
            missing += 1
            target = "**missing**"
        else:
            anchor = link.partition("#")[2] if link else ""
            rel = posixpath.relpath(book.page, posixpath.dirname(page))
            target = f"[{text(book.title)}]({url_path(rel + ('#' + anchor if anchor else ''))})"
        anchor_id = alert.name.lower()
        span = "" if anchor_id in anchored else f'<span id="{html_attr(anchor_id)}"></span>'
        anchored.add(anchor_id)
        where = f" ({code(alert.file)} line {alert.line})" if counts[alert.name] > 1 else ""
        rows.append(
            [
                f"{span}{code(alert.name)}{where}",
                target,  # beside the alert: the column the reader came for
                text(alert.severity or ""),
                text(alert.service or ""),
                text(alert.label("pager") or ""),
                text(alert.for_ or "0s"),
            ]
        )
    gaps = f"**{missing} alert(s) have no runbook.**" if missing else "Every alert has a runbook."
    return (
        GeneratedPage(
            generator=GENERATOR,
            source=f"{code(', '.join(sources.alerts.files))} and the runbooks",
            title="On-call index",
            heading="On-call index",
            edit="",
        ).header()
        + f"Every alert of the rule files, A to Z, with the runbook its `runbook` annotation points at. {gaps} "
        "The build checks the contract both ways: each alert's runbook exists, has the alert's heading and "
        "lists the alert; each alert a runbook lists exists.\n\n"
        + table(["Alert", "Runbook", "Severity", "Service", "Pager", "For"], rows)
    )


def render_freshness(sources: Sources, today: dt.date) -> str:
    page = "runbooks/freshness.md"
    rows = []
    stale = 0
    for book in sorted(sources.runbooks.runbooks, key=lambda b: (b.review_due() or dt.date.max, b.page)):
        due = book.review_due()
        is_stale = book.is_stale(today)
        stale += is_stale
        rel = posixpath.relpath(book.page, posixpath.dirname(page))
        rows.append(
            [
                f"[{text(book.title)}]({url_path(rel)})",
                text(book.owner or ""),
                text(book.last_reviewed or "never"),
                text(book.review_every or ""),
                text(due or "–"),
                "**overdue**" if is_stale else "current",
            ]
        )
    summary = f"**{stale} runbook(s) overdue for review.**" if stale else "Every runbook is current."
    return (
        GeneratedPage(
            generator=GENERATOR,
            source="the runbooks' front matter",
            title="Runbook freshness",
            heading="Runbook freshness",
            when=today.isoformat(),
            edit="",
        ).header()
        + f"A runbook is overdue when `last_reviewed` + `review_every` is before the build date. {summary} "
        "Overdue runbooks show a warning at the top. To review one: walk through it, fix what is wrong, and set "
        "`last_reviewed` to today.\n\n" + table(["Runbook", "Owner", "Last reviewed", "Every", "Due", "Status"], rows)
    )
