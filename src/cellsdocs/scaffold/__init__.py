"""``cells-docs new DIR``: a documentation site like this one, for a team's own sources.

The new site depends on the ``cellsdocs`` package only (its ``cells`` MkDocs plugin and its
macros): ``mkdocs.yml`` with the plugin, ``sources.toml`` (every source kind but the decision
records and runbooks off until pointed at something), empty ``adr/`` and ``runbooks/`` with their
templates, a landing page with generated facts, ``.gitlab-ci.yml``, a ``Makefile`` and a README.

The templates are package data (``templates/*.tmpl``); the few values they take are substituted by
plain replacement of ``@@NAME@@`` markers, each escaped for the file it lands in (no template
engine runs on what the user typed). The site's stylesheet, scripts and the ADR and runbook
templates are this project's own files, copied as they are (see :func:`kit_root`).
"""

from __future__ import annotations

import re
import unicodedata
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from cellsdocs.errors import CellsDocsError
from cellsdocs.escaping import markdown_text
from cellsdocs.settings import repo_root

__all__ = ["KIT", "TEMPLATES", "default_package", "kit_root", "render_files", "scaffold"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: template (without ``.tmpl``) -> path in the new site: dot files are stored without their dot
RENAMED = {"gitlab-ci.yml": ".gitlab-ci.yml", "gitignore": ".gitignore"}
#: this project's files a new site gets as they are: in a wheel under ``cellsdocs/_kit/`` (see
#: ``force-include`` in pyproject.toml), in a checkout at the repository root
KIT = ("docs/assets", "adr/template.md", "runbooks/template.md")
_MARKER = re.compile(r"@@[A-Z_]+@@")
_SCRIPT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.js$")
MAX_NAME = 100
MAX_PACKAGE = 300


def kit_root() -> Path:
    """Where the kit's files are: the installed package's ``_kit/``, else this checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_kit"
    for root in (packaged, repo_root()):
        if all((root / item).exists() for item in KIT):
            return root
    raise CellsDocsError(
        f"the site kit ({', '.join(KIT)}) is not installed with cellsdocs",
        file=str(packaged),
        hint="reinstall cellsdocs from its wheel or from a checkout of its repository",
    )


def default_package() -> str:
    """The requirement the new site installs: this version of cellsdocs."""
    try:
        return f"cellsdocs=={version('cellsdocs')}"
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "cellsdocs"


def _printable(value: str, *, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise CellsDocsError(f"{what} is empty", key=what, hint=f"give a {what}")
    if len(value) > limit:
        raise CellsDocsError(f"{what} is {len(value)} characters long", key=what, hint=f"use at most {limit}")
    bad = next((c for c in value if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp")), None)
    if bad is not None:
        raise CellsDocsError(
            f"{what} contains the control or separator character U+{ord(bad):04X}",
            key=what,
            hint="use one line of printable text",
        )
    return value


def check_name(name: str) -> str:
    return _printable(name, what="--name", limit=MAX_NAME)


def check_package(package: str) -> str:
    """A requirement line pip reads as a requirement: never an option (``-r``, ``--index-url``)."""
    package = _printable(package, what="--package", limit=MAX_PACKAGE)
    if package.startswith("-"):
        raise CellsDocsError(
            f"--package {package[:60]!r} starts with '-' and pip would read it as an option",
            key="--package",
            hint="give a requirement: cellsdocs==VERSION, cellsdocs @ git+https://..., or a path",
        )
    return package


def yaml_string(value: str) -> str:
    """*value* as a YAML double-quoted scalar (printable text: see :func:`check_name`)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _substitute(text: str, values: dict[str, str], *, template: str) -> str:
    """Replace each ``@@NAME@@`` marker of *text* in one pass (a value is never scanned again)."""

    def value(match: re.Match[str]) -> str:
        key = match.group(0)
        if key not in values:
            raise CellsDocsError(f"unknown marker {key}", file=template)
        return values[key]

    return _MARKER.sub(value, text)


def render_files(*, name: str, package: str, kit: Path | None = None) -> dict[str, bytes]:
    """Path in the new site -> content of every file of it."""
    name = check_name(name)
    package = check_package(package)
    kit = kit or kit_root()
    assets = kit / "docs" / "assets"
    scripts = sorted(p.name for p in (assets / "javascripts").glob("*.js") if p.is_file() and _SCRIPT.match(p.name))
    values = {
        "@@SITE_NAME_YAML@@": yaml_string(name),
        "@@SITE_NAME_MD@@": markdown_text(name),
        "@@PACKAGE@@": package,
        "@@EXTRA_JAVASCRIPT@@": "\n".join(f"  - assets/javascripts/{script}" for script in scripts) or "  []",
    }
    files: dict[str, bytes] = {}
    for template in sorted(TEMPLATES.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATES).as_posix().removesuffix(".tmpl")
        relative = RENAMED.get(relative, relative)
        text = _substitute(template.read_text(encoding="utf-8"), values, template=str(template))
        files[relative] = text.encode("utf-8")
    for path in sorted(assets.rglob("*")):
        if path.is_file() and (path.parent.name != "javascripts" or path.name in scripts):
            files[f"docs/assets/{path.relative_to(assets).as_posix()}"] = path.read_bytes()
    for item in KIT[1:]:
        files[item] = (kit / item).read_bytes()
    return files


def scaffold(target: Path, *, name: str, package: str | None = None) -> list[str]:
    """Write a new site into *target* (a new or empty folder; nothing is ever overwritten).
    Returns the paths written, relative to *target*."""
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise CellsDocsError("exists and is not a folder", file=str(target), hint="choose a new or empty folder")
        if any(target.iterdir()):
            raise CellsDocsError(
                "the folder is not empty: cells-docs new never overwrites",
                file=str(target),
                hint="choose a new or empty folder",
            )
    files = render_files(name=name, package=package or default_package())
    target.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as out:  # exclusive: never replace a file
            out.write(content)
    return list(files)
