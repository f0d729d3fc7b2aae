"""Find regular expressions that can backtrack catastrophically (ReDoS), before anything runs them.

A backtracking engine (Python's, and the router's JavaScript one) takes exponential time when a
repeated part of a pattern can match the same text in more than one way, and polynomial time when
two unbounded quantifiers next to each other compete for the same characters. This check is
structural and conservative: it works on the parse tree of the translated pattern (Python's own
regex parser) and refuses

- **nested quantifiers**: inside a repetition (``(...)+``, ``(...)*``, ``(...){2,}``, ``{20}``), a
  quantified part whose characters can also start what follows it, the next round included:
  ``(a+)+``, ``^(\\w+\\w*)+x$``, ``(\\w+\\s?)*$``, ``(.*a){20}``, ``(\\.?\\d+)+``;
- **overlapping alternatives in a repetition**: two alternatives that can start with the same
  character or both match nothing: ``(a|a)*b``, ``^(a|aa)+$``, ``(\\w|\\d)+``;
- **adjacent overlapping quantifiers**: two unbounded quantifiers of single characters over shared
  characters with only optional parts between them: ``\\w+\\w*x``, ``\\s*#?\\s*$``.

Why not a library: ``regexploit`` (PyPI) misses ``(a|a)*b``, ``^(a|aa)+$``, ``(.*a){20}`` and any
pattern ending in ``\\Z`` (what ``$`` becomes); ``recheck`` (npm) finds them all but is a native
binary from the npm registry that ``cells-docs check`` and every build would then need. Evaluation
is time-bounded anyway (:data:`cellsdocs.sources.jsregex.MATCH_TIMEOUT`), so a pattern this check lets
through still cannot hang anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Finding", "find_redos"]

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

MAXREPEAT: int = _c.MAXREPEAT
# the characters sets are compared on: ASCII and a few representatives of the rest
_BASE = frozenset(range(128)) | frozenset((0xA0, 0xE9, 0x130, 0x212A, 0x2028, 0x3000, 0x4E00, 0xFEFF, 0x1F600))
_DIGIT = frozenset(range(0x30, 0x3A))
_WORD = _DIGIT | frozenset(range(0x41, 0x5B)) | frozenset(range(0x61, 0x7B)) | {0x5F}
_SPACE = frozenset((0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20))
Chars = frozenset[int]


@dataclass(frozen=True)
class Finding:
    """Why a pattern can backtrack catastrophically."""

    kind: str  # "nested quantifier", "overlapping alternatives", "adjacent quantifiers"
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def _literals(items: Iterable[Any]) -> Iterator[int]:
    for op, av in items:
        if op in (_c.LITERAL, _c.NOT_LITERAL):
            yield av
        elif op is _c.IN:
            for sop, sav in av:
                if sop is _c.LITERAL:
                    yield sav
                elif sop is _c.RANGE:
                    yield from sav
        elif op is _c.BRANCH:
            for alt in av[1]:
                yield from _literals(alt)
        elif op is _c.SUBPATTERN:
            yield from _literals(av[3])
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            yield from _literals(av[2])
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            yield from _literals(av[1])


class _Analysis:
    def __init__(self, tree: Any) -> None:
        self.universe: Chars = _BASE | frozenset(_literals(tree))
        self.findings: list[Finding] = []

    # --- character sets -------------------------------------------------------------------
    def _category(self, cat: Any) -> Chars:
        table = {
            _c.CATEGORY_DIGIT: _DIGIT,
            _c.CATEGORY_WORD: _WORD,
            _c.CATEGORY_SPACE: _SPACE,
        }
        for positive, chars in table.items():
            if cat is positive:
                return chars
        for name, chars in (("DIGIT", _DIGIT), ("WORD", _WORD), ("SPACE", _SPACE)):
            if cat is getattr(_c, f"CATEGORY_NOT_{name}"):
                return self.universe - chars
        return self.universe

    def _set(self, items: Any) -> Chars:
        chars: set[int] = set()
        negate = False
        for op, av in items:
            if op is _c.NEGATE:
                negate = True
            elif op is _c.LITERAL:
                chars.add(av)
            elif op is _c.RANGE:
                lo, hi = av
                chars.update(c for c in self.universe if lo <= c <= hi)
            elif op is _c.CATEGORY:
                chars |= self._category(av)
            else:
                chars |= self.universe
        return self.universe - chars if negate else frozenset(chars)

    # --- first sets and nullability ---------------------------------------------------------
    def first(self, seq: Any) -> tuple[Chars, bool]:
        """Characters a match of *seq* can start with, and whether it can match nothing."""
        out: set[int] = set()
        for item in seq:
            chars, nullable = self.first_item(item)
            out |= chars
            if not nullable:
                return frozenset(out), False
        return frozenset(out), True

    def first_item(self, item: Any) -> tuple[Chars, bool]:
        op, av = item
        if op is _c.LITERAL:
            return frozenset((av,)), False
        if op is _c.NOT_LITERAL:
            return self.universe - {av}, False
        if op is _c.ANY:
            return self.universe - {0x0A}, False
        if op is _c.IN:
            return self._set(av), False
        if op is _c.BRANCH:
            chars: set[int] = set()
            nullable = False
            for alt in av[1]:
                alt_chars, alt_nullable = self.first(alt)
                chars |= alt_chars
                nullable = nullable or alt_nullable
            return frozenset(chars), nullable
        if op is _c.SUBPATTERN:
            return self.first(av[3])
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            body_chars, body_nullable = self.first(av[2])
            return body_chars, body_nullable or av[0] == 0
        if op is _c.GROUPREF:
            return self.universe, True  # a backreference can hold anything
        return frozenset(), True  # anchors, lookarounds: zero width

    # --- the walk -----------------------------------------------------------------------------
    def walk(self, seq: Any, follow: Chars, loop: bool) -> None:
        """Visit *seq*; *follow* is what can come right after it; *loop*: inside a repetition."""
        items = list(seq)
        after: list[Chars] = [frozenset()] * len(items)
        rest = follow
        for index in range(len(items) - 1, -1, -1):
            after[index] = rest
            chars, nullable = self.first_item(items[index])
            rest = chars | rest if nullable else chars
        for index, item in enumerate(items):
            self.visit(item, after[index], loop)
        self.adjacent(items)

    def visit(self, item: Any, follow: Chars, loop: bool) -> None:
        op, av = item
        if op is _c.SUBPATTERN:
            self.walk(av[3], follow, loop)
        elif op is _c.BRANCH:
            alternatives = av[1]
            if loop:
                self.overlapping(alternatives, follow)
            for alt in alternatives:
                self.walk(alt, follow, loop)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            self.walk(av[1], frozenset(), False)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, high, body = av
            body_first, _ = self.first(body)
            repeats = high > 1
            # a variable quantifier inside a repetition whose characters can also start what
            # follows it (the next round included) splits one text in many ways
            if loop and high > low and body_first & follow:
                self.findings.append(
                    Finding(
                        "nested quantifier",
                        "a quantified part inside a repetition can also match what follows it, "
                        "so one text can be split between the rounds in many ways",
                    )
                )
            inner_follow = body_first | follow if repeats else follow
            self.walk(body, inner_follow, loop or repeats)

    def overlapping(self, alternatives: Any, follow: Chars) -> None:
        seen: list[tuple[Chars, bool]] = []
        for alt in alternatives:
            chars, nullable = self.first(alt)
            for other_chars, other_nullable in seen:
                # (a|aa) is parsed as a(?:|a): an empty alternative beside one that can start what
                # follows is as ambiguous as two alternatives starting alike
                either_way = (nullable and other_chars & follow) or (other_nullable and chars & follow)
                if chars & other_chars or (nullable and other_nullable) or either_way:
                    self.findings.append(
                        Finding(
                            "overlapping alternatives",
                            "two alternatives inside a repetition can match the same text",
                        )
                    )
                    return
            seen.append((chars, nullable))

    def _unbounded(self, item: Any) -> Chars | None:
        op, av = item
        if op is _c.SUBPATTERN and len(av[3]) == 1:
            return self._unbounded(av[3][0])
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[1] == MAXREPEAT and len(av[2]) == 1:
            inner = av[2][0]
            if inner[0] in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
                return self.first_item(inner)[0]
        return None

    def adjacent(self, items: list[Any]) -> None:
        for index, item in enumerate(items):
            chars = self._unbounded(item)
            if not chars:
                continue
            for later in items[index + 1 :]:
                other = self._unbounded(later)
                if other is not None and chars & other:
                    self.findings.append(
                        Finding(
                            "adjacent quantifiers",
                            "two unbounded quantifiers with only optional parts between them "
                            "compete for the same characters",
                        )
                    )
                    return
                if not self.first_item(later)[1]:
                    break


def find_redos(python_pattern: str, flags: int = 0) -> list[Finding]:
    """The reasons *python_pattern* (Python ``re`` syntax) can backtrack catastrophically; [] if none.

    Lookbehinds must have been rewritten as lookaheads (same content, same structure): Python's
    parser only accepts fixed-width lookbehinds.
    """
    tree = _parser.parse(python_pattern, flags)
    analysis = _Analysis(tree)
    analysis.walk(tree, frozenset(), False)
    return analysis.findings
