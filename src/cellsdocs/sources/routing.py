"""Router rule sets: ``rules/<ruleset>.json`` -> typed :class:`RuleSet`.

A rule set is a JSON array of rules evaluated in order; the first match wins. A rule is::

    {"id"?: str, "description"?: str,
     "match"?: {"type": "cookie"|"header"|"path", "regex_name"?: str, "regex_value"?: str},
     "action": "classify"|"proxy",
     "classify"?: {"type": <ClassifyType value>, "value"?: "text with ${group} references"}}

Patterns are JavaScript regular expressions (translated by :mod:`cellsdocs.sources.jsregex`). A rule with
no ``match`` matches every request. ``id`` and ``description`` are this project's documented
additions; any other key is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import regex

from cellsdocs.errors import SourceError
from cellsdocs.sources.jsonpos import load_json, top_level_element_lines
from cellsdocs.sources.jsregex import JsRegexError, TranslatedRegex, catastrophic, translate
from cellsdocs.sources.textio import display_path, read_text

__all__ = [
    "ACTIONS",
    "MATCH_TYPES",
    "Classification",
    "RouteMatch",
    "RouteRule",
    "RuleSet",
    "load_rule_sets",
    "parse_rule_set",
]

ACTIONS = ("classify", "proxy")
MATCH_TYPES = ("cookie", "header", "path")
RULE_KEYS = ("id", "description", "match", "action", "classify")
MATCH_KEYS = ("type", "regex_name", "regex_value")
CLASSIFY_KEYS = ("type", "value")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
MAX_RULESET_NAME = 100
_RULESET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, kw_only=True, eq=False)
class RouteMatch:
    """What a rule matches: a cookie, a header (name and value) or the path."""

    type: str
    regex_name: TranslatedRegex | None = None
    regex_value: TranslatedRegex | None = None

    @cached_property
    def name_pattern(self) -> regex.Pattern[str] | None:
        """The compiled name pattern; header names match case-insensitively, as HTTP says."""
        if self.regex_name is None:
            return None
        if self.type == "header":
            return self.regex_name.compile_ignoring_case()
        return self.regex_name.compiled

    @property
    def groups(self) -> tuple[str, ...]:
        names: list[str] = []
        for pattern in (self.regex_name, self.regex_value):
            if pattern is not None:
                names.extend(pattern.groups)
        return tuple(names)


@dataclass(frozen=True, kw_only=True)
class Classification:
    """How the Topology Service is asked to classify a matched request."""

    type: str
    value: str | None = None

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(_VARIABLE.findall(self.value or ""))


@dataclass(frozen=True, kw_only=True)
class RouteRule:
    """One rule; ``number`` is 1-based, in evaluation order."""

    number: int
    id: str | None
    description: str | None
    match: RouteMatch | None
    action: str
    classify: Classification | None
    line: int | None = None

    @property
    def matches_everything(self) -> bool:
        return self.match is None

    @property
    def label(self) -> str:
        """How messages and pages name the rule."""
        return f"rule {self.number}" + (f" ({self.id})" if self.id else "")


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    """A named, ordered list of rules (one file)."""

    name: str
    rules: tuple[RouteRule, ...]
    source: str

    def rule(self, key: str | int) -> RouteRule | None:
        """A rule by 1-based number or by id."""
        for rule in self.rules:
            if rule.number == key or (isinstance(key, str) and (rule.id == key or str(rule.number) == key)):
                return rule
        return None


def _shown(text: str, limit: int = 80) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 3]) + "..."


def _pattern(raw: Any, *, fail: Callable[..., SourceError], key: str, label: str) -> TranslatedRegex:
    if not isinstance(raw, str):
        raise fail(f"must be a string (a JavaScript regular expression), got {type(raw).__name__}", key=key)
    try:
        translated = translate(raw)
        findings = catastrophic(translated)
    except JsRegexError as exc:
        raise fail(f"regex {_shown(raw)}: {exc}", key=key, hint="write a valid JavaScript regular expression") from exc
    if findings:
        raise fail(
            f"{label}: regex {_shown(raw)} can backtrack catastrophically ({findings[0]}): "
            "a crafted request would make the router and this tool hang",
            key=key,
            hint="make each repeated part match one way only, e.g. (a+)+ -> a+, (a|ab)* -> (ab?)*, \\w+\\w* -> \\w+",
        )
    return translated


def _parse_rule(raw: Any, index: int, *, file: str, line: int | None) -> RouteRule:
    where = f"rules[{index}]"

    def fail(message: str, *, key: str | None = None, hint: str | None = None) -> SourceError:
        return SourceError(message, file=file, line=line, key=f"{where}.{key}" if key else where, hint=hint)

    if not isinstance(raw, Mapping):
        raise fail(f"must be an object, got {type(raw).__name__}", hint='write {"action": "proxy"} or similar')
    unknown = sorted(set(raw) - set(RULE_KEYS))
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}", key=unknown[0], hint=f"use only: {', '.join(RULE_KEYS)}")
    for key in ("id", "description"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise fail("must be a non-empty string", key=key)
    rule_id = raw.get("id")
    label = f"rule {index + 1}" + (f" ({_shown(rule_id, 60)[1:-1]})" if isinstance(rule_id, str) else "")
    action = raw.get("action")
    if action is None:
        raise fail("missing 'action'", key="action", hint="set action to classify or proxy")
    if action not in ACTIONS:
        raise fail(f"unknown action {action!r}", key="action", hint="use classify or proxy")

    match: RouteMatch | None = None
    if "match" in raw:
        m = raw["match"]
        if not isinstance(m, Mapping):
            raise fail("must be an object", key="match")
        unknown = sorted(set(m) - set(MATCH_KEYS))
        if unknown:
            raise fail(
                f"unknown key {unknown[0]!r}", key=f"match.{unknown[0]}", hint=f"use only: {', '.join(MATCH_KEYS)}"
            )
        kind = m.get("type")
        if kind not in MATCH_TYPES:
            raise fail(f"unknown match type {kind!r}", key="match.type", hint=f"use one of: {', '.join(MATCH_TYPES)}")
        name = _pattern(m["regex_name"], fail=fail, key="match.regex_name", label=label) if "regex_name" in m else None
        value = (
            _pattern(m["regex_value"], fail=fail, key="match.regex_value", label=label) if "regex_value" in m else None
        )
        if kind == "path":
            if name is not None:
                raise fail("a path match has no name", key="match.regex_name", hint="use regex_value for the path")
            if value is None:
                raise fail("a path match needs regex_value", key="match.regex_value")
        elif name is None:
            raise fail(f"a {kind} match needs regex_name (which {kind} to look at)", key="match.regex_name")
        if name is not None and value is not None:
            both = set(name.groups) & set(value.groups)
            if both:
                raise fail(
                    f"group {sorted(both)[0]!r} is captured by both regex_name and regex_value",
                    key="match",
                    hint="rename one of them",
                )
        match = RouteMatch(type=kind, regex_name=name, regex_value=value)

    classify: Classification | None = None
    if action == "classify":
        c = raw.get("classify")
        if not isinstance(c, Mapping):
            raise fail(
                "a classify rule needs a 'classify' object",
                key="classify",
                hint='add "classify": {"type": "FIRST_CELL"}',
            )
        unknown = sorted(set(c) - set(CLASSIFY_KEYS))
        if unknown:
            raise fail(f"unknown key {unknown[0]!r}", key=f"classify.{unknown[0]}", hint="use only: type, value")
        ctype = c.get("type")
        if not isinstance(ctype, str) or not ctype:
            raise fail(
                "missing classification type", key="classify.type", hint="name a ClassifyType value, e.g. FIRST_CELL"
            )
        cvalue = c.get("value")
        if cvalue is not None and not isinstance(cvalue, str):
            raise fail("must be a string", key="classify.value")
        classify = Classification(type=ctype, value=cvalue)
        captured = set(match.groups) if match else set()
        for var in classify.variables:
            if var not in captured:
                have = ", ".join(sorted(captured)) or "none"
                raise fail(
                    f"${{{var}}} is not captured by the rule's regex (named groups: {have})",
                    key="classify.value",
                    hint=f"add (?<{var}>...) to the match or fix the name",
                )
    elif "classify" in raw:
        raise fail("a proxy rule must not have 'classify'", key="classify", hint="remove it or use action classify")

    return RouteRule(
        number=index + 1,
        id=raw.get("id"),
        description=raw.get("description"),
        match=match,
        action=action,
        classify=classify,
        line=line,
    )


def parse_rule_set(text: str, *, name: str, file: str) -> RuleSet:
    """Parse and validate one rule set file's text."""
    data = load_json(text, file=file, what="rule set")
    if not isinstance(data, list):
        raise SourceError(
            f"a rule set must be a JSON array of rules, got {type(data).__name__}",
            file=file,
            line=1,
            hint="wrap the rules in [ ... ]",
        )
    if not data:
        raise SourceError(
            "rule set is empty: no request could be routed",
            file=file,
            line=1,
            hint='add at least one rule, e.g. {"action": "proxy"}',
        )
    lines = top_level_element_lines(text)
    rules = tuple(
        _parse_rule(raw, i, file=file, line=lines[i] if i < len(lines) else None) for i, raw in enumerate(data)
    )
    ids: dict[str, int] = {}
    for rule in rules:
        if rule.id is not None:
            if rule.id in ids:
                raise SourceError(
                    f"duplicate rule id {rule.id!r}, already used by rule {ids[rule.id]}",
                    file=file,
                    line=rule.line,
                    key=f"rules[{rule.number - 1}].id",
                )
            ids[rule.id] = rule.number
    for rule in rules[:-1]:
        if rule.matches_everything:
            dead = rules[rule.number]
            raise SourceError(
                f"{dead.label} can never match: {rule.label} has no 'match' and matches every request",
                file=file,
                line=dead.line,
                key=f"rules[{dead.number - 1}]",
                hint=f"move the catch-all {rule.label} to the end or remove the rules after it",
            )
    return RuleSet(name=name, rules=rules, source=file)


def load_rule_sets(folder: Path) -> tuple[RuleSet, ...]:
    """Load every ``*.json`` rule set in *folder*, sorted by name."""
    shown = display_path(folder)
    if not folder.exists():
        raise SourceError(
            "router rules folder not found", file=shown, hint="set CELLS_ROUTER_RULES to the rules folder"
        )
    if not folder.is_dir():
        raise SourceError(
            "router rules location is not a folder",
            file=shown,
            hint="point CELLS_ROUTER_RULES at the folder holding <ruleset>.json files",
        )
    files = sorted(folder.glob("*.json"))
    if not files:
        raise SourceError("no rule sets (*.json) found", file=shown, hint="add at least one <ruleset>.json")
    sets = []
    for path in files:
        name = path.stem
        if len(name) > MAX_RULESET_NAME:
            raise SourceError(
                f"rule set name is {len(name)} characters long, over the {MAX_RULESET_NAME} limit",
                file=display_path(path),
                hint="rename the file (the name is part of its page's file name)",
            )
        if not _RULESET_NAME.match(name):
            raise SourceError(
                f"rule set name {name!r} has unsupported characters",
                file=display_path(path),
                hint="rename the file using letters, digits, '_', '-' and '.'",
            )
        sets.append(parse_rule_set(read_text(path, what="rule set", within=folder), name=name, file=display_path(path)))
    return tuple(sets)
