"""The one error type of the library.

Every problem a source can have is reported as a :class:`CellsDocsError` carrying the file,
the line (or key) and the fix. The CLI prints ``str(error)``; the MkDocs adapter converts it to
``PluginError`` at the edge. Nothing else may escape a parser.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CellsDocsError", "DanglingReference", "SourceError", "SourceErrors"]


class CellsDocsError(Exception):
    """A problem in a source or a page, with enough context to fix it.

    Rendered on one line as ``<file>:<line>: <key>: <message> (fix: <hint>)``, leaving out what
    is unknown.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        """Return the one-line message."""
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        hint = f" (fix: {self.hint})" if self.hint else ""
        text = f"{where}{key}{self.message}{hint}"
        # One line, always: source text inside a message must not break it.
        return " ".join(text.split())

    def with_context(
        self, *, file: str | Path | None = None, line: int | None = None, key: str | None = None
    ) -> CellsDocsError:
        """Return a copy with missing context filled in."""
        return type(self)(
            self.message,
            file=self.file or (str(file) if file is not None else None),
            line=self.line if self.line is not None else line,
            key=self.key or key,
            hint=self.hint,
        )


class SourceError(CellsDocsError):
    """A source of truth (proto, TOML, rules JSON, alert YAML, ADR, runbook) is invalid."""


class DanglingReference(CellsDocsError):
    """A reference to something another source does not define (drift between sources).

    Fails the build by default; in drift report mode (``CELLS_DRIFT=report``) it becomes a finding
    shown where the reference is, on the *Drift report* page and in ``drift.json``.
    """


class SourceErrors(SourceError):
    """Several problems in one source, all reported at once (``errors``, each one line)."""

    def __init__(self, errors: list[CellsDocsError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(
            first.message if len(errors) == 1 else f"{len(errors)} problems: " + " | ".join(e.format() for e in errors),
            file=first.file,
            line=first.line if len(errors) == 1 else None,
            key=first.key if len(errors) == 1 else None,
            hint=first.hint if len(errors) == 1 else None,
        )
