"""Line numbers for JSON values, which the ``json`` module does not report."""

from __future__ import annotations

import json
from typing import Any

from .errors import SourceError

__all__ = ["load_json", "top_level_element_lines"]


def load_json(text: str, *, file: str, what: str) -> Any:
    """Parse JSON or raise a one-line SourceError with the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{what} is not valid JSON: {exc.msg} (column {exc.colno})",
            file=file,
            line=exc.lineno,
            hint="fix the JSON syntax",
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
