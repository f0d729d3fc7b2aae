"""Translate JavaScript regular expressions (the HTTP router's rule syntax) to Python.

The router evaluates ``new RegExp(pattern)`` (no flags) in JavaScript. This module rewrites such
a pattern so that Python (the ``regex`` module, in its ``re``-compatible V0 mode) matches exactly
the same strings, or refuses it with a reason:

- named groups ``(?<name>...)`` -> ``(?P<name>...)``; ``\\k<name>`` -> ``(?P=name)``
- ``$`` (end of input only, no multiline flag) -> ``\\Z``; ``.`` excludes JS line terminators
- ``\\d``, ``\\w``, ``\\b`` are ASCII-only in JavaScript: compiled with ``ASCII``;
  ``\\s`` is expanded to JavaScript's (Unicode) whitespace set
- ``[^]`` (anything) and ``[]`` (nothing); ``{`` that is not a quantifier is a literal
- identity escapes of letters with no meaning in JavaScript (``\\A`` is "A")
- lookbehinds ``(?<=...)`` / ``(?<!...)`` of any width, as JavaScript allows (``regex`` matches
  them right to left, as JavaScript does; Python's ``re`` only has fixed-width lookbehinds)
- Python-only syntax (``(?P<``, inline flags, atomic groups, possessive quantifiers, ``(?#``)
  is refused: the router would reject it.

Matching is bounded: :meth:`TranslatedRegex.search` gives up after :data:`MATCH_TIMEOUT` seconds
(:class:`MatchTimeout`), and :func:`catastrophic` finds patterns that can backtrack
catastrophically before anything runs them (see :mod:`cellsdocs.sources.redos`).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import regex

from cellsdocs.sources.redos import Finding, find_redos

__all__ = [
    "MATCH_TIMEOUT",
    "JsRegexError",
    "MatchTimeout",
    "TranslatedRegex",
    "bounded_search",
    "catastrophic",
    "translate",
]

_JS_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_JS_LINE_TERMINATORS = "\\n\\r\\u2028\\u2029"
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")
_GROUP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# escapes that mean something in a JavaScript (non-unicode) pattern and the same in Python
_SAME_ESCAPES = set("dDwWbBfnrtv")
MAX_PATTERN_LENGTH = 10_000
#: seconds one search may take before it is given up (a request is a few kilobytes at most)
MATCH_TIMEOUT = 1.0
_FLAGS = regex.ASCII | regex.V0


class JsRegexError(ValueError):
    """The pattern is not valid JavaScript, or cannot be translated faithfully."""


class MatchTimeout(Exception):
    """A search took longer than its time limit (catastrophic backtracking)."""


@dataclass(frozen=True)
class TranslatedRegex:
    """A JavaScript pattern and its compiled Python equivalent."""

    source: str
    python: str
    compiled: regex.Pattern[str]
    groups: tuple[str, ...]
    #: *python* with lookbehinds written as lookaheads and alternatives kept apart: what
    #: :mod:`cellsdocs.sources.redos` analyses
    analysis: str = field(default="", compare=False)

    def search(self, text: str, *, timeout: float = MATCH_TIMEOUT) -> regex.Match[str] | None:
        """Search *text*; raise :class:`MatchTimeout` after *timeout* seconds."""
        return bounded_search(self.compiled, text, timeout=timeout)

    def compile_ignoring_case(self) -> regex.Pattern[str]:
        """The same pattern, case-insensitive (HTTP header names)."""
        return regex.compile(self.python, _FLAGS | regex.IGNORECASE)


def bounded_search(
    pattern: regex.Pattern[str], text: str, *, timeout: float = MATCH_TIMEOUT
) -> regex.Match[str] | None:
    """``pattern.search(text)``; raise :class:`MatchTimeout` after *timeout* seconds."""
    try:
        return pattern.search(text, timeout=timeout)
    except TimeoutError as exc:
        raise MatchTimeout(f"the search gave up after {timeout:g} s (catastrophic backtracking)") from exc


def _class_body(pattern: str, i: int) -> tuple[str, int]:
    """Translate a character class starting after ``[``; return (python text, index after ``]``)."""
    out: list[str] = []
    n = len(pattern)
    negated = i < n and pattern[i] == "^"
    if negated:
        i += 1
    if i < n and pattern[i] == "]":  # [] or [^]
        return ("[\\s\\S]" if negated else "(?!)"), i + 1
    while i < n:
        ch = pattern[i]
        if ch == "]":
            body = "".join(out)
            return f"[{'^' if negated else ''}{body}]", i + 1
        if ch == "\\":
            if i + 1 >= n:
                raise JsRegexError("pattern ends with a lone backslash")
            nxt = pattern[i + 1]
            if nxt == "s":
                out.append(_JS_SPACE)
            elif nxt == "S":
                raise JsRegexError("\\S inside a character class cannot be translated")
            elif nxt == "b":
                out.append("\\x08")  # backspace inside a class
            elif nxt == "c" and i + 2 < n and pattern[i + 2].isalpha():
                out.append(f"\\x{ord(pattern[i + 2]) % 32:02x}")
                i += 1
            elif nxt in "dDwWfnrtv" or nxt in "xu0123456789":
                out.append("\\" + nxt)
            elif nxt.isalpha():
                out.append(nxt)  # identity escape: \A is "A"
            else:
                out.append("\\" + nxt)
            i += 2
            continue
        if ch in "[&~|":
            out.append("\\" + ch)  # literal in JS; would start a set operation in future Python
        else:
            out.append(ch)
        i += 1
    raise JsRegexError("unterminated character class '['")


def translate(pattern: str) -> TranslatedRegex:
    """Translate a JavaScript pattern; raise :class:`JsRegexError` when that is not possible."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise JsRegexError(f"pattern is {len(pattern)} characters long, over the {MAX_PATTERN_LENGTH} limit")
    out: list[str] = []
    names: list[str] = []
    lookbehinds: list[int] = []  # indexes in *out* of lookbehind openers
    alternations: list[int] = []  # indexes in *out* of '|'
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise JsRegexError("pattern ends with a lone backslash")
            nxt = pattern[i + 1]
            if nxt == "k" and i + 2 < n and pattern[i + 2] == "<":
                end = pattern.find(">", i + 3)
                if end < 0:
                    raise JsRegexError("unterminated \\k<name> backreference")
                out.append(f"(?P={pattern[i + 3 : end]})")
                i = end + 1
                continue
            if nxt == "s":
                out.append(f"[{_JS_SPACE}]")
            elif nxt == "S":
                out.append(f"[^{_JS_SPACE}]")
            elif nxt == "c" and i + 2 < n and pattern[i + 2].isalpha():
                out.append(f"\\x{ord(pattern[i + 2]) % 32:02x}")
                i += 1
            elif nxt in _SAME_ESCAPES or nxt.isdigit() or nxt in "xu":
                out.append("\\" + nxt)
            elif nxt.isalpha():
                out.append(nxt)  # identity escape
            else:
                out.append("\\" + nxt)
            i += 2
            continue
        if ch == "[":
            text, i = _class_body(pattern, i + 1)
            out.append(text)
            continue
        if ch == "(":
            rest = pattern[i + 1 : i + 4]
            if rest.startswith("?<") and not rest.startswith(("?<=", "?<!")):
                end = pattern.find(">", i + 3)
                if end < 0:
                    raise JsRegexError("unterminated group name")
                name = pattern[i + 3 : end]
                if not _GROUP_NAME.fullmatch(name):
                    raise JsRegexError(f"group name {name!r} cannot be used: use letters, digits and '_'")
                if name in names:
                    raise JsRegexError(f"duplicate group name {name!r}")
                names.append(name)
                out.append(f"(?P<{name}>")
                i = end + 1
                continue
            if rest.startswith(("?<=", "?<!")):
                lookbehinds.append(len(out))
                out.append("(" + rest)
                i += 4
                continue
            if rest.startswith("?") and not rest.startswith(("?:", "?=", "?!")):
                raise JsRegexError(f"'(?{rest[1:2]}' is not JavaScript regex syntax (Python-only or invalid group)")
            out.append(ch)
            i += 1
            continue
        if ch == "{":
            match = _QUANTIFIER.match(pattern, i)
            if match:
                out.append(match.group(0))
                i = match.end()
                if i < n and pattern[i] == "+":
                    raise JsRegexError("possessive quantifiers ('{n}+') are not JavaScript syntax")
                continue
            out.append("\\{")
            i += 1
            continue
        if ch == "}":
            out.append("\\}")
            i += 1
            continue
        if ch in "*+?" and i + 1 < n and pattern[i + 1] == "+":
            raise JsRegexError(f"possessive quantifier '{ch}+' is not JavaScript syntax")
        if ch == "$":
            out.append("\\Z")
            i += 1
            continue
        if ch == ".":
            out.append(f"[^{_JS_LINE_TERMINATORS}]")
            i += 1
            continue
        if ch == "|":
            alternations.append(len(out))
        out.append(ch)
        i += 1
    python = "".join(out)
    for index in lookbehinds:
        out[index] = out[index].replace("?<", "?", 1)
    for index in alternations:
        # Python's parser merges one-character alternatives into one set ((\w|\d) -> [\w\d]);
        # JavaScript does not, so the check must see them apart: an empty lookahead keeps them so
        out[index] = "(?=)|"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compiled = regex.compile(python, _FLAGS)
    except (regex.error, FutureWarning, DeprecationWarning) as exc:
        raise JsRegexError(f"invalid or untranslatable pattern: {exc}") from exc
    except RecursionError as exc:
        raise JsRegexError("pattern is nested too deeply") from exc
    return TranslatedRegex(source=pattern, python=python, compiled=compiled, groups=tuple(names), analysis="".join(out))


def catastrophic(translated: TranslatedRegex) -> list[Finding]:
    """Why *translated* can backtrack catastrophically ([] if it cannot, as far as the check sees)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return find_redos(translated.analysis or translated.python, re.ASCII)
    except (re.error, RecursionError, OverflowError) as exc:
        raise JsRegexError(f"pattern cannot be checked for catastrophic backtracking: {exc}") from exc
