"""Runbook linter, the alert contract both ways, alert definitions on the page, freshness."""

from __future__ import annotations

import datetime as dt

import pytest

from cellsdocs.checks import check_alert_contract
from cellsdocs.render.oncall import decorate_runbook
from cellsdocs.sources.alerts import parse_alert_file
from cellsdocs.sources.runbooks import RunbookCollection, lint_runbook, parse_runbook

from helpers import MINIMAL, SourceTree, cli

GOOD = (MINIMAL / "runbooks" / "demo" / "demo-down.md").read_text()
ALERTS = (MINIMAL / "alerts" / "demo.yml").read_text()


def lint(text: str) -> list[str]:
    book = parse_runbook(text, file="runbooks/demo/demo-down.md", service="demo", name="demo-down")
    return [str(e) for e in lint_runbook(book, "demo")]


def test_good_runbook_lints_clean() -> None:
    assert lint(GOOD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("severity: critical", "severity: sev1"), "runbooks/demo/demo-down.md:4: severity: unknown severity 'sev1'"),
        (("owner: demo-team\n", ""), "missing front matter key 'owner'"),
        (("review_every: 90d", "review_every: quarterly"), "review_every: review_every 'quarterly' is not a period"),
        (("## Escalation\n", "## Escalate\n"), "missing section '## Escalation'"),
        (("### DemoDown\n", "### Demo is down\n"), "no '### DemoDown' under '## Symptoms'"),
        (("service: demo", "service: other"), "service 'other' does not match the folder 'demo'"),
    ],
)
def test_linter_reports_file_line_and_fix(change: tuple[str, str], expected: str) -> None:
    errors = lint(GOOD.replace(*change))
    assert any(expected in e for e in errors), errors
    assert all("(fix:" in e for e in errors)


def test_bad_date_is_refused() -> None:
    with pytest.raises(Exception, match=r"demo-down.md:6: last_reviewed: '2026-13-01' is not a date"):
        lint(GOOD.replace("last_reviewed: 2026-01-01", "last_reviewed: '2026-13-01'"))


def contract(alerts_text: str, runbook_text: str = GOOD) -> list[str]:
    alerts, _ = parse_alert_file(alerts_text, file="alerts/demo.yml")
    book = parse_runbook(runbook_text, file="runbooks/demo/demo-down.md", service="demo", name="demo-down")
    return [str(e) for e in check_alert_contract(alerts, RunbookCollection(runbooks=(book,), folder="runbooks"))]


def test_contract_holds_for_the_minimal_tree() -> None:
    assert contract(ALERTS) == []


@pytest.mark.parametrize(
    ("alerts", "runbook", "expected"),
    [
        (
            ALERTS.replace("          runbook: runbooks/demo/demo-down/\n", ""),
            GOOD,
            "alerts/demo.yml:4: annotations.runbook: alert DemoDown has no runbook annotation",
        ),
        (
            ALERTS.replace("runbooks/demo/demo-down/", "runbooks/demo/gone/"),
            GOOD,
            "alert DemoDown: runbook 'runbooks/demo/gone/' does not exist",
        ),
        (
            ALERTS.replace("runbooks/demo/demo-down/", "runbooks/demo/demo-down/#nope"),
            GOOD,
            "has no heading with anchor #nope",
        ),
        (
            ALERTS.replace("runbooks/demo/demo-down/", "runbooks/../../etc/passwd"),
            GOOD,
            "is not a site-relative runbook path",
        ),
        (
            ALERTS,
            GOOD.replace("alerts: [DemoDown]", "alerts: [DemoDown, GhostAlert]"),
            "lists alert 'GhostAlert', which no rule file defines",
        ),
        (ALERTS, GOOD.replace("alerts: [DemoDown]", "alerts: []"), "alert DemoDown points at"),
    ],
)
def test_contract_breaks_are_reported(alerts: str, runbook: str, expected: str) -> None:
    errors = contract(alerts, runbook)
    assert any(expected in e for e in errors), errors


def test_anchor_to_the_alert_heading_resolves() -> None:
    assert contract(ALERTS.replace("runbooks/demo/demo-down/", "runbooks/demo/demo-down/#demodown")) == []


def test_alert_definition_and_stale_banner_are_inserted() -> None:
    alerts, _ = parse_alert_file(ALERTS, file="alerts/demo.yml")
    book = parse_runbook(GOOD, file="runbooks/demo/demo-down.md", service="demo", name="demo-down")
    fresh = decorate_runbook(GOOD, book, {a.name: a for a in alerts}, dt.date(2026, 2, 1))
    assert "overdue" not in fresh
    block = fresh.split("### DemoDown\n", 1)[1]
    assert block.lstrip().startswith('<p class="cells-first-five-pointer"><a href="#first-five-minutes">')
    assert '\n??? abstract "Alert definition: DemoDown"' in block  # collapsed by default
    assert "???+" not in fresh
    assert 'up{job="demo"} == 0' in block
    assert "{{ $labels.instance }} has been down for 5 minutes." in block  # verbatim
    stale = decorate_runbook(GOOD, book, {a.name: a for a in alerts}, dt.date(2026, 4, 2))
    assert stale.index("# Demo down") < stale.index('id="first-five-minutes"') < stale.index("overdue for review")
    assert stale.index("overdue for review") < stale.index("## Summary")
    assert "demo-team" in stale


@pytest.mark.site  # builds the site
def test_freshness_follows_the_build_date(minimal: SourceTree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import build

    site = tmp_path / "site"
    result = build(site, env={**minimal.env, "CELLS_BUILD_DATE": "2026-06-01"})
    assert result.code == 0, result.output
    report = (site / "runbooks" / "freshness" / "index.html").read_text()
    assert "1 runbook(s) overdue" in report
    assert "overdue for review" in (site / "runbooks" / "demo" / "demo-down" / "index.html").read_text()
    index = (site / "runbooks" / "alerts" / "index.html").read_text()
    assert 'id="demodown"' in index and "Every alert has a runbook" in index
    bad = build(tmp_path / "bad", env={**minimal.env, "CELLS_BUILD_DATE": "June"})
    assert bad.code != 0 and "CELLS_BUILD_DATE 'June' is not a date" in bad.output


def test_check_fails_on_a_broken_contract(minimal: SourceTree) -> None:
    minimal.write("alerts/demo.yml", ALERTS.replace("runbooks/demo/demo-down/", "runbooks/demo/nope/"))
    result = cli("check", env=minimal.env)
    assert result.code == 1
    assert "alerts/demo.yml:4: annotations.runbook: alert DemoDown: runbook 'runbooks/demo/nope/' does not exist" in (
        result.stderr
    )


# --- On-call first: the First five minutes box and the escalation targets -------------------------

FIRST_FIVE_SECTION = GOOD[GOOD.index("## First five minutes") : GOOD.index("## Summary")]


def first_five_errors(section: str) -> list[str]:
    return lint(GOOD.replace(FIRST_FIVE_SECTION, section))


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "",
            "runbooks/demo/demo-down.md:12: missing section '## First five minutes' (fix: add it right after the title",
        ),
        (
            "## First five minutes\n\n- **Check:** health.\n- **First safe action:** restart.\n\n",
            "demo-down.md:15: '## First five minutes' has no 'Do not', 'Page' item (fix: add '- **Do not:** ...', "
            "'- **Page:** ...'",
        ),
        (
            FIRST_FIVE_SECTION.replace("- **Do not:** delete the demo database.", "- **Do not:**"),
            "demo-down.md:19: item 'Do not' of '## First five minutes' is empty (fix: write it after 'Do not:'",
        ),
        (
            FIRST_FIVE_SECTION + "- **Remember:** coffee.\n\n",
            "demo-down.md:22: unknown item 'Remember' in '## First five minutes' (fix: the items are Check, "
            "First safe action, Do not, Page",
        ),
        (
            FIRST_FIVE_SECTION + "- **Check:** again.\n\n",
            "demo-down.md:22: item 'Check' appears twice in '## First five minutes' (fix: keep one)",
        ),
        (
            FIRST_FIVE_SECTION + "Some words.\n\n",
            "demo-down.md:22: text outside the four items of '## First five minutes': 'Some words.'",
        ),
        (
            FIRST_FIVE_SECTION.replace("the demo health endpoint answers.", "x" * 201),
            "demo-down.md:17: item 'Check' of '## First five minutes' is 201 characters, more than 200 (fix: shorten "
            "it so the box fits the first screen",
        ),
    ],
)
def test_first_five_minutes_problems_are_one_precise_line(section: str, expected: str) -> None:
    errors = first_five_errors(section)
    assert any(expected in e for e in errors), errors
    assert all("\n" not in e and "(fix: " in e for e in errors)


def test_first_five_minutes_must_be_the_first_section() -> None:
    moved = GOOD.replace(FIRST_FIVE_SECTION, "").replace("## Symptoms", FIRST_FIVE_SECTION + "## Symptoms")
    errors = lint(moved)
    assert len(errors) == 1 and "'## First five minutes' is not the first section" in errors[0], errors
    assert "move it right after the title, above '## Summary'" in errors[0]


@pytest.mark.parametrize(
    "section",
    [
        # the label bold with or without its colon, or plain; any order; items over several lines;
        # notes to writers in HTML comments
        "## First five minutes\n\n<!-- a note\n  for writers -->\n\n- Page: the demo team.\n"
        "- **Do not**: delete the database.\n- **First safe action:** restart\n  the deployment.\n"
        "* Check: the health endpoint,\nthen the logs.\n\n",
        "## First five minutes\n\n- **check:** a.\n\n- **FIRST SAFE ACTION:** b.\n\n- **do not:** c.\n\n"
        "- **page:** d.\n\n    More about paging.\n\n",
    ],
)
def test_first_five_minutes_forms_a_writer_would_use(section: str) -> None:
    assert first_five_errors(section) == []


def test_first_five_minutes_items_in_box_order() -> None:
    book = parse_runbook(
        GOOD.replace(
            FIRST_FIVE_SECTION,
            "## First five minutes\n\n- Page: p.\n- Do not: d.\n- Check: c\n  more.\n- First safe action: f.\n\n",
        ),
        file="runbooks/demo/demo-down.md",
        service="demo",
        name="demo-down",
    )
    assert book.first_five is not None
    assert book.first_five.items == (
        ("Check", "c\n  more."),
        ("First safe action", "f."),
        ("Do not", "d."),
        ("Page", "p."),
    )


def test_a_heading_in_a_code_block_is_not_the_section() -> None:
    fenced = "```markdown\n## First five minutes\n```\n\n"
    errors = first_five_errors(fenced)
    assert any("missing section '## First five minutes'" in e for e in errors), errors


ESCALATION = 'escalation:\n  pager: https://demo.pagerduty.example/service-directory/PDEMO01\n  chat: "#demo-oncall"\n'


def escalation_errors(replacement: str) -> list[str]:
    assert ESCALATION in GOOD
    return lint(GOOD.replace(ESCALATION, replacement))


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("", "demo-down.md:1: missing front matter key 'escalation' (fix: add escalation: {pager: "),
        ("escalation:\n", "demo-down.md:8: escalation: is empty (fix: write escalation: {pager: "),
        (
            "escalation: page the demo team\n",
            "demo-down.md:8: escalation: must be a mapping with pager and chat, not str",
        ),
        (
            "escalation:\n  chat: '#demo'\n",
            "demo-down.md:8: escalation.pager: is missing (fix: add pager: under escalation",
        ),
        (
            "escalation:\n  pager: Demo\n  chat: '#demo'\n  phone: '+1 555'\n",
            "demo-down.md:11: escalation.phone: unknown key 'phone' (fix: use pager and chat only)",
        ),
        (
            "escalation:\n  pager: javascript:alert(1)\n  chat: '#demo'\n",
            "demo-down.md:9: escalation.pager: 'javascript:alert(1)' uses the scheme 'javascript': only https links "
            "are allowed (fix: write the PagerDuty or Opsgenie service name, or an https:// link to the service)",
        ),
        (
            "escalation:\n  pager: Demo\n  chat: http://chat.example.com/demo\n",
            "demo-down.md:10: escalation.chat: 'http://chat.example.com/demo' uses the scheme 'http'",
        ),
        (
            "escalation:\n  pager: 'data:text/html,<script>alert(1)</script>'\n  chat: '#demo'\n",
            "escalation.pager: 'data:text/html,<script>alert(1)</script>' uses the scheme 'data'",
        ),
        (
            "escalation:\n  pager: 'https://pd.example.com/x\"onmouseover=\"alert(1)'\n  chat: '#demo'\n",
            "escalation.pager: 'https://pd.example.com/x\"onmouseover=\"alert(1)' has characters a link may not hold",
        ),
        (
            "escalation:\n  pager: https://user:secret@pd.example.com/x\n  chat: '#demo'\n",
            "escalation.pager: 'https://user:secret@pd.example.com/x' carries a user name or password",
        ),
        (
            "escalation:\n  pager: https://-bad-.example/x\n  chat: '#demo'\n",
            "escalation.pager: 'https://-bad-.example/x' has no valid host name",
        ),
        (
            "escalation:\n  pager: https://pd.example.com/" + "a" * 300 + "\n  chat: '#demo'\n",
            "escalation.pager: is a link of 323 characters, more than 300",
        ),
        (
            "escalation:\n  pager: " + "P" * 81 + "\n  chat: '#demo'\n",
            "escalation.pager: is 81 characters, more than 80",
        ),
        (
            "escalation:\n  pager: '<b>Demo</b>'\n  chat: '#demo'\n",
            "escalation.pager: '<b>Demo</b>' is neither a service name nor an https link",
        ),
        (
            "escalation:\n  pager: Demo\n  chat: '#Demo Team'\n",
            "escalation.chat: '#Demo Team' is neither a #channel nor an https link (fix: write the channel as "
            '"#channel-name" (quoted)',
        ),
        (
            "escalation:\n  pager: Demo\n  chat: #demo\n",
            'demo-down.md:10: escalation.chat: is empty (fix: write the channel as "#channel-name" (quoted), or an '
            "https:// link to it; a '#' after a space starts a YAML comment, so quote the channel)",
        ),
        ("escalation:\n  pager: 12345\n  chat: '#demo'\n", "escalation.pager: must be text, not int (fix: "),
        ("escalation:\n  pager: [a, b]\n  chat: '#demo'\n", "escalation.pager: must be text, not list"),
        ("escalation:\n  pager: '   '\n  chat: '#demo'\n", "escalation.pager: is empty"),
    ],
)
def test_escalation_is_validated(front: str, expected: str) -> None:
    errors = escalation_errors(front)
    assert any(expected in e for e in errors), errors
    assert all("runbooks/demo/demo-down.md:" in e and "\n" not in e and "(fix: " in e for e in errors)
    assert all(len(e) < 600 for e in errors)  # a long value is not echoed whole


@pytest.mark.parametrize(
    ("pager", "chat"),
    [
        ("Cells tenant-scale", "'#cells-tenant-scale'"),
        ("Database (primary) / EU", "'#g_database.oncall'"),
        ("https://acme.pagerduty.com/service-directory/P1ABC2D", "https://acme.slack.com/archives/C012AB3CD"),
        ("https://acme.app.opsgenie.com/teams/dashboard/abc-123/main?x=1&y=2", "https://chat.example.com:8443/demo"),
    ],
)
def test_good_escalation_targets(pager: str, chat: str) -> None:
    assert escalation_errors(f"escalation:\n  pager: {pager}\n  chat: {chat}\n") == []


def test_escalation_targets_are_escaped_where_they_land() -> None:
    from cellsdocs.render.oncall import reach_html
    from cellsdocs.sources.runbook_parts import Escalation

    html = reach_html(Escalation(pager="https://pd.example.com/a_b_?x=1&y=:smile:", chat="#a_b_c_"))
    assert 'href="https://pd.example.com/a_b_?x=1&amp;y=:smile:"' in html
    assert "pd.example.com/a&#95;b&#95;?x&#61;1&amp;y&#61;&#58;smile&#58;</a>" in html  # no emphasis, no emoji
    assert "<code>&#35;a&#95;b&#95;c&#95;</code>" in html


def test_box_is_placed_after_the_title_and_the_section_is_gone() -> None:
    alerts, _ = parse_alert_file(ALERTS, file="alerts/demo.yml")
    book = parse_runbook(GOOD, file="runbooks/demo/demo-down.md", service="demo", name="demo-down")
    page = decorate_runbook(GOOD, book, {a.name: a for a in alerts}, dt.date(2026, 2, 1))
    assert "## First five minutes" not in page
    box = page[page.index('<div class="admonition cells-first-five" id="first-five-minutes" markdown>') :]
    box = box[: box.index("</div>")]
    assert page.index("# Demo down") < page.index("cells-first-five") < page.index("## Summary")
    labels = [line.split("**")[1] for line in box.splitlines() if line.startswith("- ")]
    assert labels == ["Check:", "First safe action:", "Do not:", "Page:"]
    assert 'Pager: <a href="https://demo.pagerduty.example/service-directory/PDEMO01">' in box
    assert "Chat: <code>&#35;demo-oncall</code>" in box
    escalation = page[page.index("## Escalation") : page.index("## Related")]
    assert "demo.pagerduty.example" in escalation and "&#35;demo-oncall" in escalation


def test_every_runbook_and_the_template_have_the_box() -> None:
    from conftest import ROOT

    books = sorted((ROOT / "runbooks").glob("*/*.md"))
    assert books
    for path in books:
        book = parse_runbook(path.read_text(), file=str(path), service=path.parent.name, name=path.stem)
        assert lint_runbook(book, path.parent.name) == [], path
        assert book.first_five is not None and len(book.first_five.items) == 4
        assert book.escalation is not None
    template = (ROOT / "runbooks" / "template.md").read_text()
    filled = template.replace("SERVICE", "demo").replace("YYYY-MM-DD", "2026-01-01")
    book = parse_runbook(filled, file="runbooks/demo/template.md", service="demo", name="template")
    assert [str(e) for e in lint_runbook(book, "demo")] == []
