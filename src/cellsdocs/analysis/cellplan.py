"""Planning a new cell: the cell inventory and rule sets in, the facts of the next cell out.

Pure: :func:`plan_cell` reads the typed :class:`~cellsdocs.sources.topology.Topology` and the rule sets and
returns a :class:`CellPlan`; :mod:`cellsdocs.render.cellplan` renders it, as Markdown for the "Add
a cell" guide (through a macro) and as text for ``cells-docs cell plan NAME``.

The rules the plan follows:

- **id**: one more than the highest id ever listed (ids are never reused).
- **session prefix**: the convention every existing cell follows (``cell_<id>_``, or the name with
  ``-`` as ``_`` and a trailing ``_``, ...); it must neither start nor be started by another
  cell's prefix, or the router's longest-prefix lookup could pick the wrong cell.
- **sequence range**: the usual size (the most common size among the cells; the largest of the
  most common on a tie), placed after the highest range, or else in the first gap large enough;
  never overlapping, always inside the positive int64 range.
- **affected rule sets**: every rule that classifies by ``SESSION_PREFIX`` or ``CELL_ID`` from a
  value it captured; for each, whether the capturing group's pattern can capture the new cell's
  prefix (or id or name). A rule that cannot is a rule to change before the cell takes traffic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from cellsdocs.errors import CellsDocsError
from cellsdocs.sources.routing import RouteRule, RuleSet
from cellsdocs.sources.topology import _INT64_MAX, _NAME, MAX_NAME_LENGTH, Cell, Topology

__all__ = [
    "AffectedRule",
    "CellPlan",
    "check_cell_name",
    "plan_cell",
    "toml_string",
]

#: how a classification value names a cell, per classification type
_KEYED_BY = {"SESSION_PREFIX": "session prefix", "CELL_ID": "cell id or name"}
#: prefix conventions tried in order: (description, prefix of a cell)
_PREFIX_CONVENTIONS: tuple[tuple[str, Callable[[int, str], str]], ...] = (
    ("cell_<id>_", lambda cell_id, name: f"cell_{cell_id}_"),
    ("the name with '-' as '_', then '_'", lambda cell_id, name: name.replace("-", "_") + "_"),
    ("the name, then '_'", lambda cell_id, name: name + "_"),
    ("the name, then '-'", lambda cell_id, name: name + "-"),
)
_GROUP_TIMEOUT = 0.5


@dataclass(frozen=True)
class AffectedRule:
    """A rule that routes to cells by a value it captures, and whether it can reach the new cell."""

    rule_set: str
    source: str
    rule: str  # the rule's label (number and id)
    line: int | None
    classify_type: str
    keyed_by: str
    group: str  # the captured group that becomes the classification value
    pattern: str  # that group's pattern (Python syntax), or "" when it could not be isolated
    candidates: tuple[str, ...]  # the new cell's values the group would have to capture
    reaches: bool | None  # None: the plan cannot tell (the value is not one group's capture)

    @property
    def verdict(self) -> str:
        if self.reaches is None:
            return "cannot tell: check it by hand"
        if self.reaches:
            return "reaches the new cell as it is"
        return "cannot capture " + " or ".join(repr(c) for c in self.candidates) + ": change the rule first"


@dataclass(frozen=True)
class CellPlan:
    """Everything the new cell needs, derived from the sources."""

    name: str
    id: int
    session_prefix: str
    prefix_convention: str
    sequence_min: int
    sequence_max: int
    usual_size: int
    size_counts: tuple[tuple[int, int], ...]  # (size, how many cells), most common first
    address: str
    address_note: str
    config_file: str
    affected: tuple[AffectedRule, ...]
    rule_sets: tuple[str, ...]  # every rule set, affected or not
    active_rule_set: str | None
    checks: tuple[tuple[str, str], ...]  # (command, what it proves)

    @property
    def toml(self) -> str:
        """The ``[[cells]]`` table to append to the config, TOML-escaped."""
        return "\n".join(
            [
                "[[cells]]",
                f"id = {self.id}",
                f"name = {toml_string(self.name)}",
                f"address = {toml_string(self.address)}  # {self.address_note}",
                f"session_prefix = {toml_string(self.session_prefix)}",
                f"sequence_range = [{_toml_int(self.sequence_min)}, {_toml_int(self.sequence_max)}]",
                'status = "provisioning"  # no traffic until it is "active"',
            ]
        )


def toml_string(value: str) -> str:
    """*value* as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0x80 <= ord(ch) < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_int(value: int) -> str:
    """An integer as TOML, grouped by thousands with ``_`` as the config writes large numbers."""
    return f"{value:_}" if value >= 10_000 else str(value)


def check_cell_name(name: str, topology: Topology) -> str:
    """*name* if a new cell may take it; else a :class:`CellsDocsError` saying why and what to do."""
    if not name or not name.strip():
        raise CellsDocsError("the cell name is empty", key="NAME", hint="name the cell, e.g. cell-7")
    if len(name) > MAX_NAME_LENGTH:
        raise CellsDocsError(
            f"cell name {name[:40]!r}... is {len(name)} characters long, over the {MAX_NAME_LENGTH} limit",
            key="NAME",
            hint="use a short name such as cell-7 (it names the cell's page and host)",
        )
    if not _NAME.match(name):
        raise CellsDocsError(
            f"cell name {name[:80]!r} has characters other than letters, digits, '.', '_' and '-'",
            key="NAME",
            hint="start with a letter or digit; use only letters, digits, '.', '_' and '-'",
        )
    if topology.by_name(name) is not None:
        raise CellsDocsError(
            f"cell name {name!r} is taken (in {topology.source})",
            key="NAME",
            hint="names are never reused, even after a cell is decommissioned: pick another",
        )
    return name


def _usual_size(cells: Sequence[Cell]) -> tuple[int, tuple[tuple[int, int], ...]]:
    counts = Counter(c.sequence_size for c in cells)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], -item[0]))
    return ranked[0][0], tuple(ranked)


def _free_range(cells: Sequence[Cell], size: int) -> tuple[int, int]:
    """The first free range of *size* IDs after the highest range, else in a gap between ranges."""
    ordered = sorted(cells, key=lambda c: c.sequence_min)
    start = max(c.sequence_max for c in cells) + 1
    if start + size - 1 <= _INT64_MAX:
        return start, start + size - 1
    low = 1  # IDs are positive
    for cell in ordered:
        if cell.sequence_min - low >= size:
            return low, low + size - 1
        low = max(low, cell.sequence_max + 1)
    raise CellsDocsError(
        f"no free sequence range of {size:,} IDs is left in the positive int64 range",
        hint="plan a smaller range by hand, or reclaim the range of a cell that never allocated IDs",
    )


def _prefix(cells: Sequence[Cell], cell_id: int, name: str) -> tuple[str, str]:
    for label, convention in _PREFIX_CONVENTIONS:
        if all(convention(c.id, c.name) == c.session_prefix for c in cells):
            return convention(cell_id, name), label
    fallback = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") + "_"
    return fallback, "none shared by every cell: the name, then '_'"


def _check_prefix(prefix: str, cells: Sequence[Cell]) -> None:
    for cell in cells:
        if prefix.startswith(cell.session_prefix) or cell.session_prefix.startswith(prefix):
            raise CellsDocsError(
                f"session prefix {prefix!r} clashes with {cell.name}'s {cell.session_prefix!r}: "
                "one starts the other, so the router could send sessions to the wrong cell",
                hint="pick a name whose prefix neither starts nor is started by another cell's",
            )


def _address(cells: Sequence[Cell], name: str) -> tuple[str, str]:
    """The new cell's address by the convention ``<name>.<rest>`` of the latest cell, if all follow it."""
    latest = max(cells, key=lambda c: c.id)
    if all(c.address.startswith(c.name + ".") for c in cells):
        return name + latest.address[len(latest.name) :], f"as {latest.name}'s: check the region and port"
    return f"{name}.example.internal:443", "a placeholder: set the cell's host and port"


def _group_pattern(python: str, group: str) -> str:
    """The pattern inside ``(?P<group>...)`` of *python*, or "" if it cannot be isolated."""
    start = python.find(f"(?P<{group}>")
    if start < 0:
        return ""
    i = start + len(f"(?P<{group}>")
    depth, in_class, body_start = 1, False, i
    while i < len(python):
        ch = python[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if python[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return python[body_start:i]
        i += 1
    return ""


def _affected(rule_set: RuleSet, rule: RouteRule, candidates: dict[str, tuple[str, ...]]) -> AffectedRule | None:
    classify = rule.classify
    if rule.action != "classify" or classify is None or classify.type not in _KEYED_BY:
        return None
    variables = classify.variables
    if not variables:
        return None  # a constant value names one existing cell, not the new one
    wanted = candidates[classify.type]
    group = variables[0]
    pattern = ""
    reaches: bool | None = None
    whole = (classify.value or "").strip() == f"${{{group}}}"
    if whole and len(variables) == 1 and rule.match is not None:
        for translated in (rule.match.regex_value, rule.match.regex_name):
            if translated is not None and group in translated.groups:
                pattern = _group_pattern(translated.python, group)
                break
        if pattern:
            try:
                compiled = regex.compile(pattern, regex.V0)
                reaches = any(compiled.fullmatch(value, timeout=_GROUP_TIMEOUT) for value in wanted)
            except (regex.error, TimeoutError):
                reaches = None
    return AffectedRule(
        rule_set=rule_set.name,
        source=rule_set.source,
        rule=rule.label,
        line=rule.line,
        classify_type=classify.type,
        keyed_by=_KEYED_BY[classify.type],
        group=group,
        pattern=pattern,
        candidates=wanted,
        reaches=reaches,
    )


_LITERAL_NAME = re.compile(r"\^?([A-Za-z0-9_.-]{1,100})\$?")


def _session_probe(rule_sets: Sequence[RuleSet], active: str | None, prefix: str) -> str:
    """An explain command sending a session cookie of the new cell through the first rule set
    (the active one first) whose session-prefix rule names its cookie literally; "" if none does."""
    ordered = sorted(rule_sets, key=lambda r: r.name != active)
    for rule_set in ordered:
        for rule in rule_set.rules:
            match = rule.match
            if (
                rule.classify is None
                or rule.classify.type != "SESSION_PREFIX"
                or match is None
                or match.type != "cookie"
                or match.regex_name is None
            ):
                continue
            literal = _LITERAL_NAME.fullmatch(match.regex_name.source)
            if literal:
                cookie = f"{literal.group(1)}={prefix}{'0' * 32}"
                return f"cells-docs explain / --rules {rule_set.name} -b {cookie}"
    return ""


def plan_cell(
    topology: Topology,
    rule_sets: Sequence[RuleSet] = (),
    name: str | None = None,
    *,
    active_rule_set: str | None = None,
) -> CellPlan:
    """The plan for a new cell named *name* (default: ``cell-<id>``) added to *topology*."""
    cells = topology.cells
    next_id = max(c.id for c in cells) + 1
    if next_id > _INT64_MAX:
        raise CellsDocsError("no cell id is left: the highest id is the largest int64", file=topology.source)
    if name is None:
        name = f"cell-{next_id}"
    check_cell_name(name, topology)
    prefix, convention = _prefix(cells, next_id, name)
    _check_prefix(prefix, cells)
    size, size_counts = _usual_size(cells)
    low, high = _free_range(cells, size)
    address, address_note = _address(cells, name)
    candidates = {"SESSION_PREFIX": (prefix,), "CELL_ID": (str(next_id), name)}
    affected = tuple(
        found for rule_set in rule_sets for rule in rule_set.rules if (found := _affected(rule_set, rule, candidates))
    )
    checks = [
        ("cells-docs check", "the config still parses: unique id, name and prefix, no overlapping range"),
        (f"cells-docs cell plan {name}", "now refuses the name: the cell is in the inventory"),
    ]
    probe = _session_probe(rule_sets, active_rule_set, prefix)
    if probe:
        checks.append((probe, f"a session cookie issued by the new cell is routed to {name}"))
    checks.append(("make build", "the site builds strict, with the new cell's page, diagram and tables"))
    checks.append(("make linkcheck", "every link to and from the new cell's page resolves"))
    return CellPlan(
        name=name,
        id=next_id,
        session_prefix=prefix,
        prefix_convention=convention,
        sequence_min=low,
        sequence_max=high,
        usual_size=size,
        size_counts=size_counts,
        address=address,
        address_note=address_note,
        config_file=topology.source,
        affected=affected,
        rule_sets=tuple(r.name for r in rule_sets),
        active_rule_set=active_rule_set,
        checks=tuple(checks),
    )
