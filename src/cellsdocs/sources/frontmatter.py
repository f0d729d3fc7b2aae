"""YAML front matter of Markdown pages (ADRs, runbooks)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from cellsdocs.errors import SourceError
from cellsdocs.sources.yamlsrc import LineDict, load_yaml

__all__ = ["FrontMatter", "parse_date", "split_front_matter"]

_FENCE = re.compile(r"^---[ \t]*\r?\n(.*?)(?:\r?\n)?^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", re.S | re.M)


@dataclass(frozen=True)
class FrontMatter:
    """The parsed front matter, the body after it, and the line the body starts on."""

    data: LineDict
    body: str
    body_line: int

    def line_of(self, key: str) -> int | None:
        line = self.data.line_of(key)
        return None if line is None else line + 1  # +1 for the opening '---'


#: (file, text) -> its parsed front matter: a page is split when it is loaded and again when its
#: macros are vetted (``templating.vet_page``); YAML is parsed once. Bounded; errors are not kept.
_PARSED: dict[tuple[str, str], FrontMatter] = {}
_PARSED_MAX = 8192


def split_front_matter(text: str, *, file: str) -> FrontMatter:
    """Split ``---`` YAML front matter from Markdown; no front matter gives an empty mapping.

    The same (file, text) gives the same :class:`FrontMatter` (parsed once): treat it as read-only."""
    key = (file, text)
    front = _PARSED.get(key)
    if front is None:
        front = _split(text, file=file)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = front
    return front


def _split(text: str, *, file: str) -> FrontMatter:
    empty = LineDict()
    empty.line = None
    empty.key_lines = {}
    if not text.startswith("---"):
        return FrontMatter(empty, text, 1)
    match = _FENCE.match(text)
    if not match:
        raise SourceError(
            "front matter opened with '---' is never closed",
            file=file,
            line=1,
            hint="end the front matter with a line '---'",
        )
    try:
        data: Any = load_yaml(match.group(1), file=file, what="front matter")
    except SourceError as exc:  # lines inside the front matter are one below the opening '---'
        line = exc.line + 1 if exc.line is not None else None
        raise SourceError(exc.message, file=file, line=line, key=exc.key, hint=exc.hint) from exc
    if data is None:
        data = empty
    if not isinstance(data, LineDict):
        raise SourceError("front matter must be a YAML mapping", file=file, line=2, hint="write key: value lines")
    body = text[match.end() :]
    return FrontMatter(data, body, text[: match.end()].count("\n") + 1)


def parse_date(value: object, *, file: str, line: int | None, key: str) -> dt.date | None:
    """A front-matter date (YAML date or ``YYYY-MM-DD`` text); empty is None; anything else is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise SourceError(f"{value!r} is not a date", file=file, line=line, key=key, hint="write YYYY-MM-DD") from exc
