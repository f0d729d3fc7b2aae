"""Runbook linter, the alert contract both ways, alert definitions on the page, freshness."""

from __future__ import annotations

import datetime as dt

import pytest

from cellsdocs.alerts import parse_alert_file
from cellsdocs.oncall import decorate_runbook
from cellsdocs.runbooks import RunbookCollection, check_alert_contract, lint_runbook, parse_runbook

from conftest import MINIMAL, SourceTree, cli

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
    assert block.lstrip().startswith('???+ abstract "Alert definition: DemoDown"')
    assert 'up{job="demo"} == 0' in block
    assert "{{ $labels.instance }} has been down for 5 minutes." in block  # verbatim
    stale = decorate_runbook(GOOD, book, {a.name: a for a in alerts}, dt.date(2026, 4, 2))
    assert stale.index("overdue for review") < stale.index("## Summary")
    assert "demo-team" in stale


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
