"""Runbooks: ``runbooks/<service>/<name>.md`` -> typed :class:`Runbook`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .frontmatter import split_front_matter
from .textio import display_path, read_text

__all__ = ["Runbook", "RunbookCollection", "load_runbooks", "parse_runbook", "runbook_files"]

_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True, kw_only=True)
class Runbook:
    service: str
    name: str
    title: str
    alerts: tuple[str, ...]
    severity: str | None
    owner: str | None
    file: str

    @property
    def url(self) -> str:
        """Site-relative URL, the form alert annotations use."""
        return f"runbooks/{self.service}/{self.name}/"


@dataclass(frozen=True, kw_only=True)
class RunbookCollection:
    runbooks: tuple[Runbook, ...]
    folder: str

    def by_url(self, url: str) -> Runbook | None:
        url = url.strip("/") + "/"
        return next((r for r in self.runbooks if r.url == url), None)


def runbook_files(folder: Path) -> list[Path]:
    """``<service>/<name>.md`` files (one level of service folders)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*/*.md") if p.is_file())


def parse_runbook(text: str, *, file: str, service: str, name: str) -> Runbook:
    fm = split_front_matter(text, file=file)
    meta = fm.data
    for part, what in ((service, "service folder"), (name, "file name")):
        if not _SLUG.match(part):
            raise SourceError(
                f"{what} {part!r} is not kebab-case",
                file=file,
                hint="use lowercase letters, digits and '-' so the URL is stable",
            )
    declared = meta.get("service")
    if declared is not None and declared != service:
        raise SourceError(
            f"service {declared!r} does not match the folder {service!r}",
            file=file,
            line=fm.line_of("service"),
            key="service",
            hint=f"set service: {service} or move the file",
        )
    alerts = meta.get("alerts") or []
    if isinstance(alerts, str):
        alerts = [alerts]
    if not isinstance(alerts, list) or not all(isinstance(a, str) for a in alerts):
        raise SourceError("alerts must be a list of alert names", file=file, line=fm.line_of("alerts"), key="alerts")
    heading = _HEADING.search(fm.body)
    title = str(meta.get("title") or (heading.group(1) if heading else name.replace("-", " ").capitalize()))
    severity = meta.get("severity")
    owner = meta.get("owner")
    return Runbook(
        service=service,
        name=name,
        title=title,
        alerts=tuple(alerts),
        severity=str(severity) if severity is not None else None,
        owner=str(owner) if owner is not None else None,
        file=file,
    )


def load_runbooks(folder: Path) -> RunbookCollection:
    shown = display_path(folder)
    if not folder.exists():
        raise SourceError("runbook folder not found", file=shown, hint="create it or set CELLS_RUNBOOK_DIR")
    books = [
        parse_runbook(read_text(p, what="runbook"), file=display_path(p), service=p.parent.name, name=p.stem)
        for p in runbook_files(folder)
    ]
    return RunbookCollection(runbooks=tuple(books), folder=shown)
