from __future__ import annotations

import pytest

from cellsdocs.errors import SourceError
from cellsdocs.sources.alerts import parse_alert_file, parse_duration

GOOD = """\
groups:
  - name: router
    interval: 30s
    labels:
      team: edge
    rules:
      - record: job:errors:rate5m
        expr: sum(rate(errors_total[5m]))
      - alert: RouterDown
        expr: up{job="router"} == 0
        for: 5m
        keep_firing_for: 10m
        labels:
          severity: critical
          service: http-router
        annotations:
          description: "{{ $labels.instance }} is down ({{ $value | humanizePercentage }})"
          runbook: runbooks/http-router/router-down/
"""


def test_parses_alerts_and_counts_recording_rules() -> None:
    alerts, recording = parse_alert_file(GOOD, file="a.yml")
    assert recording == 1
    (alert,) = alerts
    assert alert.name == "RouterDown"
    assert alert.severity == "critical"
    assert alert.label("team") == "edge"  # group labels apply to every rule
    assert alert.runbook == "runbooks/http-router/router-down/"
    assert alert.annotation("description") == "{{ $labels.instance }} is down ({{ $value | humanizePercentage }})"
    assert alert.line == 9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("groups: [\n", "a.yml:1: alert rule file is not valid YAML"),
        ("- just a list\n", "a.yml:1: not a Prometheus rule file: no top-level 'groups'"),
        ("groups: []\nextra: 1\n", "a.yml:2: unknown top-level key 'extra'"),
        (
            GOOD.replace("for: 5m", "for: five minutes"),
            "a.yml:11: groups[0].rules[1].for: invalid duration 'five minutes'",
        ),
        (GOOD.replace("interval: 30s", "interval: 30x"), "a.yml:3: groups[0].interval: invalid duration"),
        (
            GOOD.replace("        for: 5m\n", "        for: 5m\n        fore: 1m\n"),
            "groups[0].rules[1].fore: unknown key 'fore'",
        ),
        (GOOD.replace("      - alert: RouterDown\n", "      - alrt: RouterDown\n"), "a rule needs 'alert'"),
        (
            GOOD.replace("          severity: critical", "          bad-label: x"),
            "label name 'bad-label' is not a valid label name",
        ),
        (GOOD.replace('        expr: up{job="router"} == 0\n', ""), "groups[0].rules[1].expr: missing or empty 'expr'"),
        (GOOD.replace("  - name: router", "  - name: ''"), "a group needs a non-empty 'name'"),
        ("groups:\n  - name: a\n    rules: []\n  - name: a\n", "a.yml:4: groups[1].name: duplicate group name 'a'"),
        ("groups:\n  - name: a\n    name: b\n", "a.yml:3: name: duplicate key 'name'"),
    ],
)
def test_broken_rule_files(text: str, expected: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_alert_file(text, file="a.yml")
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("text", "seconds"), [("5m", 300), ("1h30m", 5400), ("90s", 90), ("0s", 0), ("1d", 86400)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "m", "5 m", "1m1h"])
def test_invalid_durations(text: str) -> None:
    assert parse_duration(text) is None
