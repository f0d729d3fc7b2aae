"""Prometheus alert rules: rule files (``groups[].rules[]``) -> typed :class:`Alert` list.

Accepts the upstream Prometheus rule file format unchanged: groups with ``name``, optional
``interval``, ``limit``, ``query_offset`` and ``labels``; rules that are either alerting rules
(``alert``, ``expr``, ``for``, ``keep_firing_for``, ``labels``, ``annotations``) or recording
rules (``record``, ``expr``, ``labels``). Recording rules are validated and counted, not documented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellsdocs.errors import SourceError
from cellsdocs.sources.textio import display_path, read_text
from cellsdocs.sources.yamlsrc import LineDict, load_yaml

__all__ = ["Alert", "AlertRules", "load_alert_rules", "parse_alert_file", "parse_duration"]

GROUP_KEYS = ("name", "interval", "limit", "query_offset", "labels", "rules")
ALERT_KEYS = ("alert", "expr", "for", "keep_firing_for", "labels", "annotations")
RECORD_KEYS = ("record", "expr", "labels")
_DURATION = re.compile(r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$")
_LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_UNITS_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}


def parse_duration(text: str) -> float | None:
    """Seconds in a Prometheus duration such as ``5m`` or ``1h30m``; None if it is not one."""
    if not text or text == "0":
        return 0.0 if text == "0" else None
    match = _DURATION.match(text)
    if not match:
        return None
    total = 0.0
    for unit, group in (("y", 2), ("w", 4), ("d", 6), ("h", 8), ("m", 10), ("s", 12), ("ms", 14)):
        if match.group(group):
            total += int(match.group(group)) * _UNITS_SECONDS[unit]
    return total


@dataclass(frozen=True, kw_only=True)
class Alert:
    """One alerting rule."""

    name: str
    expr: str
    for_: str | None
    keep_firing_for: str | None
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    group: str
    file: str
    line: int | None

    def label(self, key: str) -> str | None:
        return dict(self.labels).get(key)

    def annotation(self, key: str) -> str | None:
        return dict(self.annotations).get(key)

    @property
    def severity(self) -> str | None:
        return self.label("severity")

    @property
    def service(self) -> str | None:
        return self.label("service")

    @property
    def runbook(self) -> str | None:
        return self.annotation("runbook") or self.annotation("runbook_url")


@dataclass(frozen=True, kw_only=True)
class AlertRules:
    """Every alert from every rule file, in file and group order."""

    alerts: tuple[Alert, ...]
    recording_rules: int
    files: tuple[str, ...]

    def by_name(self, name: str) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.name == name)


def _string_map(raw: Any, *, fail: Any, key: str, what: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise fail(f"{what} must be a mapping of names to strings", key=key)
    items: list[tuple[str, str]] = []
    for name, value in raw.items():
        if not isinstance(name, str) or not _LABEL_NAME.match(name):
            raise fail(
                f"{what} name {name!r} is not a valid label name",
                key=f"{key}.{name}",
                hint="use letters, digits and '_', not starting with a digit",
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise fail(f"{what} {name!r} must be a string", key=f"{key}.{name}")
        items.append((name, str(value)))
    return tuple(items)


def parse_alert_file(text: str, *, file: str) -> tuple[list[Alert], int]:
    """Parse one Prometheus rule file; return its alerts and its number of recording rules."""
    data = load_yaml(text, file=file, what="alert rule file")
    if data is None:
        return [], 0
    if not isinstance(data, Mapping) or "groups" not in data:
        raise SourceError(
            "not a Prometheus rule file: no top-level 'groups'",
            file=file,
            line=1,
            hint="write groups: [{name: ..., rules: [...]}]",
        )
    unknown_top = sorted(set(data) - {"groups"})
    if unknown_top:
        line = data.line_of(unknown_top[0]) if isinstance(data, LineDict) else None
        raise SourceError(
            f"unknown top-level key {unknown_top[0]!r}", file=file, line=line, hint="only 'groups' is allowed"
        )
    groups = data["groups"]
    if groups is None:
        return [], 0
    if not isinstance(groups, list):
        line = data.line_of("groups") if isinstance(data, LineDict) else None
        raise SourceError("'groups' must be a list", file=file, line=line, key="groups")
    alerts: list[Alert] = []
    recording = 0
    group_names: set[str] = set()
    for gi, group in enumerate(groups):
        gwhere = f"groups[{gi}]"
        if not isinstance(group, LineDict):
            raise SourceError("a group must be a mapping", file=file, key=gwhere)

        def gfail(
            message: str, *, key: str | None = None, hint: str | None = None, _g: LineDict = group, _w: str = gwhere
        ) -> SourceError:
            return SourceError(
                message,
                file=file,
                line=_g.line_of(key.split(".")[0]) if key else _g.line,
                key=f"{_w}.{key}" if key else _w,
                hint=hint,
            )

        unknown = sorted(set(group) - set(GROUP_KEYS))
        if unknown:
            raise gfail(f"unknown key {unknown[0]!r}", key=unknown[0], hint=f"use only: {', '.join(GROUP_KEYS)}")
        gname = group.get("name")
        if not isinstance(gname, str) or not gname.strip():
            raise gfail("a group needs a non-empty 'name'", key="name")
        if gname in group_names:
            raise gfail(f"duplicate group name {gname!r}", key="name", hint="group names must be unique in a file")
        group_names.add(gname)
        if "interval" in group and parse_duration(str(group["interval"])) is None:
            raise gfail(f"invalid duration {group['interval']!r}", key="interval", hint="write e.g. 30s, 1m, 1h30m")
        group_labels = _string_map(group.get("labels"), fail=gfail, key="labels", what="label")
        rules = group.get("rules")
        if rules is None:
            rules = []
        if not isinstance(rules, list):
            raise gfail("'rules' must be a list", key="rules")
        for ri, rule in enumerate(rules):
            rwhere = f"{gwhere}.rules[{ri}]"
            if not isinstance(rule, LineDict):
                raise SourceError("a rule must be a mapping", file=file, line=group.line_of("rules"), key=rwhere)

            def fail(
                message: str, *, key: str | None = None, hint: str | None = None, _r: LineDict = rule, _w: str = rwhere
            ) -> SourceError:
                return SourceError(
                    message,
                    file=file,
                    line=_r.line_of(key.split(".")[0]) if key else _r.line,
                    key=f"{_w}.{key}" if key else _w,
                    hint=hint,
                )

            if "record" in rule:
                unknown = sorted(set(rule) - set(RECORD_KEYS))
                if unknown:
                    raise fail(f"unknown key {unknown[0]!r} in a recording rule", key=unknown[0])
                if not isinstance(rule.get("expr"), str | int | float) or not str(rule.get("expr")).strip():
                    raise fail("missing 'expr'", key="expr")
                recording += 1
                continue
            if "alert" not in rule:
                raise fail(
                    "a rule needs 'alert' (alerting rule) or 'record' (recording rule)", hint="add alert: <Name>"
                )
            unknown = sorted(set(rule) - set(ALERT_KEYS))
            if unknown:
                raise fail(f"unknown key {unknown[0]!r}", key=unknown[0], hint=f"use only: {', '.join(ALERT_KEYS)}")
            name = rule["alert"]
            if not isinstance(name, str) or not name.strip():
                raise fail("alert name must be a non-empty string", key="alert")
            expr = rule.get("expr")
            if isinstance(expr, bool) or not isinstance(expr, str | int | float) or not str(expr).strip():
                raise fail(
                    "missing or empty 'expr'", key="expr", hint="write the PromQL expression that fires the alert"
                )
            durations: dict[str, str | None] = {}
            for key in ("for", "keep_firing_for"):
                value = rule.get(key)
                if value is None:
                    durations[key] = None
                    continue
                if parse_duration(str(value)) is None:
                    raise fail(f"invalid duration {value!r}", key=key, hint="write e.g. 5m, 1h, 90s")
                durations[key] = str(value)
            labels = dict(group_labels)
            labels.update(_string_map(rule.get("labels"), fail=fail, key="labels", what="label"))
            annotations = _string_map(rule.get("annotations"), fail=fail, key="annotations", what="annotation")
            alerts.append(
                Alert(
                    name=name,
                    expr=str(expr).strip(),
                    for_=durations["for"],
                    keep_firing_for=durations["keep_firing_for"],
                    labels=tuple(labels.items()),
                    annotations=annotations,
                    group=gname,
                    file=file,
                    line=rule.line,
                )
            )
    return alerts, recording


def load_alert_rules(folder: Path) -> AlertRules:
    """Load every ``*.yml``/``*.yaml`` rule file under *folder* (recursively), sorted by path."""
    shown = display_path(folder)
    if not folder.exists():
        raise SourceError("alert rules folder not found", file=shown, hint="set CELLS_ALERT_RULES to the rules folder")
    if not folder.is_dir():
        raise SourceError(
            "alert rules location is not a folder",
            file=shown,
            hint="point CELLS_ALERT_RULES at a folder of Prometheus rule files",
        )
    paths = sorted([*folder.rglob("*.yml"), *folder.rglob("*.yaml")])
    if not paths:
        raise SourceError("no Prometheus rule files (*.yml, *.yaml) found", file=shown, hint="add a rule file")
    alerts: list[Alert] = []
    recording = 0
    for path in paths:
        text = read_text(path, what="alert rule file", within=folder)
        file_alerts, file_recording = parse_alert_file(text, file=display_path(path))
        alerts.extend(file_alerts)
        recording += file_recording
    return AlertRules(alerts=tuple(alerts), recording_rules=recording, files=tuple(display_path(p) for p in paths))
