"""Line numbers for JSON values, which the ``json`` module does not report."""

from __future__ import annotations

import importlib
import json
import re
import sys
from typing import Any

from cellsdocs.errors import SourceError

__all__ = ["load_json", "top_level_element_lines"]

#: more nesting than any source needs; deeper input is refused before Python's recursion limit
MAX_DEPTH = 200
_LONG_NUMBER = re.compile(r"\d{4000,}")


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_COLON = re.compile(r"\s*:")


def _member_names(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """(offset, name) of the members of the object whose text runs from *start* (after ``{``) to *end*."""
    names: list[tuple[int, str]] = []
    depth = 1
    for token in _TOKEN.finditer(text, start, end):
        value = token.group(0)
        if value in "[{":
            depth += 1
        elif value in "]}":
            depth -= 1
        elif depth == 1 and _COLON.match(text, token.end()):
            names.append((token.start(), json.loads(value)))
    return names


def _duplicate_line(text: str, key: str) -> int | None:
    """The line of the second object member named *key* (slow path: only after a duplicate)."""
    decoder: Any = json.JSONDecoder(object_pairs_hook=_refuse_duplicates)
    json_object: Any = importlib.import_module("json.decoder").JSONObject

    def parse_object(state: tuple[str, int], *args: Any) -> tuple[Any, int]:
        try:
            result: tuple[Any, int] = json_object(state, *args)
            return result
        except _DuplicateKey as exc:
            if exc.line is None:
                start = state[1]
                end = json_object(state, *args[:-2], None, args[-1])[1]
                found = [offset for offset, name in _member_names(text, start, end) if name == key]
                exc.line = text.count("\n", 0, found[1] if len(found) > 1 else start) + 1
            raise

    decoder.parse_object = parse_object
    # the C scanner parses objects itself; the Python one calls parse_object
    decoder.scan_once = importlib.import_module("json.scanner").py_make_scanner(decoder)
    try:
        decoder.decode(text)
    except _DuplicateKey as exc:
        return exc.line
    except (ValueError, RecursionError):
        return None
    return None


def _depth_line(text: str) -> int | None:
    """The line where nesting first goes deeper than :data:`MAX_DEPTH`, None if it never does."""
    depth = 0
    in_string = escaped = False
    for offset, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, offset) + 1
        elif ch in "]}":
            depth -= 1
    return None


def load_json(text: str, *, file: str, what: str, line_offset: int = 0) -> Any:
    """Parse JSON or raise a one-line SourceError with the line and column.

    Duplicate member names (which ``json`` silently resolves to the last), nesting deeper than
    :data:`MAX_DEPTH` and integers too long for Python are refused, each naming the line.
    """
    deep = _depth_line(text)
    if deep is not None:
        raise SourceError(
            f"{what} is nested more than {MAX_DEPTH} levels deep",
            file=file,
            line=deep + line_offset,
            hint="flatten the data",
        )
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{what} is not valid JSON: {exc.msg} (column {exc.colno})",
            file=file,
            line=exc.lineno + line_offset,
            hint="fix the JSON syntax",
        ) from exc
    except _DuplicateKey as exc:
        line = _duplicate_line(text, exc.key)
        raise SourceError(
            f"{what} has the key {exc.key!r} twice in one object (JSON keeps only the last)",
            file=file,
            line=None if line is None else line + line_offset,
            key=exc.key,
            hint="remove one of the two",
        ) from exc
    except ValueError as exc:  # Python's limit on integer digits
        long = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, long.start()) + 1 + line_offset if long else None
        raise SourceError(
            f"{what} has an integer of more than {sys.get_int_max_str_digits()} digits",
            file=file,
            line=line,
            hint="shorten the number",
        ) from exc
    except RecursionError as exc:
        raise SourceError(f"{what} is nested too deeply", file=file) from exc


def top_level_element_lines(text: str) -> list[int]:
    """1-based line of the start of each element of a top-level JSON array."""
    lines: list[int] = []
    depth = 0
    line = 1
    in_string = escaped = False
    expecting = False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch.isspace():
            continue
        if depth == 1 and expecting and ch not in ",]":
            lines.append(line)
            expecting = False
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth == 1 and ch == "[":
                expecting = True
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 1:
            expecting = True
    return lines
