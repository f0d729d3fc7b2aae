"""One simple, readable string that a (translated) rule pattern matches: the explainer's examples.

Deterministic: the same pattern always gives the same sample. The walk is over the parse tree of
the translated pattern (Python's own parser, as :mod:`cellsdocs.sources.redos` uses); each part is written
as simply as it can be:

- a literal is itself; a character set or class gives its first allowed character from a readable
  alphabet (lowercase, digits, uppercase, then punctuation), the next one on each repetition, so
  ``[0-9a-f]{16}`` gives ``abcdef0123456789``;
- a repetition runs its minimum number of times (``+`` three times, ``*`` and ``?`` not at all);
- an alternation takes its first branch; a lookbehind writes what it wants to see (else
  nothing), other assertions and anchors write nothing;
- a named group can be given its text (*overrides*), so an example can carry a real session prefix.

The result is only a candidate: :func:`sample` checks it with the compiled pattern itself and
returns ``None`` when it does not match (a lookahead, a backreference to an empty group...), so
the caller can fall back or say that no example could be derived. Patterns are the rules' own,
already vetted (ReDoS refusal at load); the output is bounded by :data:`MAX_SAMPLE`.
"""

from __future__ import annotations

import importlib
import string
import warnings
from collections.abc import Mapping
from typing import Any

from cellsdocs.sources.jsregex import MatchTimeout, TranslatedRegex, bounded_search

__all__ = ["MAX_SAMPLE", "Unsampleable", "sample"]

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

#: the longest sample written (a request is a few kilobytes at most)
MAX_SAMPLE = 2000
_ALPHABET = string.ascii_lowercase + string.digits + string.ascii_uppercase + "-_.~/:@!$&'()*+,;=% " + '"#<>?[]^`{|}\\'
_DIGIT = set(string.digits)
_WORD = set(string.ascii_letters + string.digits + "_")
_SPACE = set(" \t\n\r\x0b\x0c")


class Unsampleable(Exception):
    """The pattern has a part the sampler does not write."""


def _category(cat: Any) -> set[str]:
    table = {"DIGIT": _DIGIT, "WORD": _WORD, "SPACE": _SPACE}
    for name, chars in table.items():
        if cat is getattr(_c, f"CATEGORY_{name}"):
            return set(chars)
        if cat is getattr(_c, f"CATEGORY_NOT_{name}"):
            return set(_ALPHABET) - chars
    raise Unsampleable(f"character category {cat}")


def _allowed(op: Any, av: Any) -> list[str]:
    """The characters of the alphabet a one-character part accepts, in alphabet order."""
    chars: set[str]
    if op is _c.LITERAL:
        return [chr(av)]
    if op is _c.NOT_LITERAL:
        chars = set(_ALPHABET) - {chr(av)}
    elif op is _c.ANY:
        chars = set(_ALPHABET)
    elif op is _c.IN:
        chars = set()
        negate = False
        extra: list[str] = []
        for sop, sav in av:
            if sop is _c.NEGATE:
                negate = True
            elif sop is _c.LITERAL:
                chars.add(chr(sav))
                if chr(sav) not in _ALPHABET:
                    extra.append(chr(sav))
            elif sop is _c.RANGE:
                lo, hi = sav
                inside = {ch for ch in _ALPHABET if lo <= ord(ch) <= hi}
                chars |= inside or {chr(lo)}
                if not inside:
                    extra.append(chr(lo))
            elif sop is _c.CATEGORY:
                chars |= _category(sav)
            else:
                raise Unsampleable(f"set member {sop}")
        if negate:
            chars = set(_ALPHABET) - chars
            extra = []
        ordered = [ch for ch in _ALPHABET if ch in chars] + [ch for ch in extra if ch not in _ALPHABET]
        if not ordered:
            raise Unsampleable("an empty character set")
        return ordered
    else:
        raise Unsampleable(f"part {op}")
    ordered = [ch for ch in _ALPHABET if ch in chars]
    if not ordered:
        raise Unsampleable("an empty character set")
    return ordered


class _Writer:
    def __init__(self, names: Mapping[int, str], overrides: Mapping[str, str], lookbehinds: bool) -> None:
        self.names = names
        self.lookbehinds = lookbehinds
        self.overrides = overrides
        self.groups: dict[int, str] = {}
        self.size = 0

    def seq(self, items: Any, turn: int) -> str:
        return "".join(self.item(item, turn) for item in items)

    def _count(self, low: int, high: int) -> int:
        if low >= 2 or low == high:
            return low
        return min(high, 3) if low == 1 else 0

    def item(self, item: Any, turn: int) -> str:
        op, av = item
        if self.size > MAX_SAMPLE:
            raise Unsampleable(f"a sample over {MAX_SAMPLE} characters")
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
            allowed = _allowed(op, av)
            self.size += 1
            return allowed[turn % len(allowed)]
        if op is _c.SUBPATTERN:
            group, _add, _del, body = av
            name = self.names.get(group) if group is not None else None
            text = self.overrides[name] if name is not None and name in self.overrides else self.seq(body, turn)
            if group is not None:
                self.groups[group] = text
            self.size += len(text)
            return text
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, high, body = av
            count = self._count(low, high)
            if count > MAX_SAMPLE:
                raise Unsampleable(f"a repetition of {count}")
            return "".join(self.seq(body, turn * count + k) for k in range(count))
        if op is _c.BRANCH:
            return self.seq(av[1][0], turn)
        if op is _c.ASSERT and av[0] < 0 and self.lookbehinds:
            return self.seq(av[1], turn)  # what a lookbehind wants to see comes first
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            return ""
        if op is _c.GROUPREF:
            return self.groups.get(av, "")
        raise Unsampleable(f"part {op}")


def sample(
    pattern: TranslatedRegex,
    *,
    overrides: Mapping[str, str] | None = None,
    compiled: Any = None,
) -> str | None:
    """A string *pattern* matches (checked with *compiled*, default the pattern's own), in which
    each of its groups named in *overrides* captures exactly its given text (names of groups the
    pattern does not have are ignored); ``None`` when none is found."""
    overrides = dict(overrides or {})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = _parser.parse(pattern.python, 0)
    except (RecursionError, OverflowError, ValueError, _c.error):
        return None
    names = {index: name for name, index in tree.state.groupdict.items()}
    overrides = {name: text for name, text in overrides.items() if name in tree.state.groupdict}
    for lookbehinds in (True, False):
        try:
            text = _Writer(names, overrides, lookbehinds).seq(tree, 0)
        except (Unsampleable, RecursionError):
            return None
        if len(text) > MAX_SAMPLE:
            return None
        try:
            found = bounded_search(compiled if compiled is not None else pattern.compiled, text)
        except MatchTimeout:
            return None
        if found is not None and all(found.groupdict().get(k) == v for k, v in overrides.items()):
            return text
    return None
