"""Finding, loading and calling the diagram definitions in ``diagrams/*.py``.

That folder is not a package (an ``__init__.py`` there would shadow the ``diagrams`` library), so
each file is loaded by path under a private module name. A definition exposes either

- ``build(site) -> DiagramSpec``: one diagram, named after the file with ``_`` as ``-``
  (``system_overview.py`` -> ``system-overview``), or
- ``variants(site) -> Iterable[str]`` and ``build(site, variant) -> DiagramSpec``: one diagram per
  variant, named ``<file>-<variant>`` (``cell.py`` -> ``cell-cell-1``, ``cell-cell-2``...).

A definition that cannot be loaded, raises or returns something else is one error naming its file
and the line it failed at. What comes out is each diagram's DOT source, named after the diagram.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cellsdocs.drawing.api import DiagramSpec
from cellsdocs.errors import CellsDocsError
from cellsdocs.settings import repo_root
from cellsdocs.sources.textio import display_path

if TYPE_CHECKING:
    from cellsdocs.site import SiteModel

__all__ = ["BuiltDiagram", "Definition", "built_diagrams", "definitions_dir", "load_definitions"]


@dataclass(frozen=True)
class Definition:
    """One loaded definition file."""

    path: Path
    module: ModuleType

    @property
    def base(self) -> str:
        return self.path.stem.replace("_", "-")


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def definitions_dir(site: SiteModel) -> Path:
    """``diagrams/`` beside the site's ``mkdocs.yml``, else the one of this checkout."""
    local = site.sources.paths.root / "diagrams"
    return local if local.is_dir() else repo_root() / "diagrams"


def _where(exc: BaseException, path: Path) -> int | None:
    """The last line of *path* the traceback of *exc* went through."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _load(path: Path) -> Definition:
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    module_name = f"_cellsdocs_diagram_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise CellsDocsError("cannot load diagram definition", file=display_path(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise CellsDocsError(
            f"diagram definition cannot be loaded: {type(exc).__name__}: {exc}",
            file=display_path(path),
            line=_where(exc, path),
        ) from exc
    if not callable(getattr(module, "build", None)):
        raise CellsDocsError(
            "diagram definition has no build() function",
            file=display_path(path),
            hint="define build(site) -> DiagramSpec (or variants(site) and build(site, variant))",
        )
    return Definition(path, module)


def load_definitions(folder: Path) -> list[Definition]:
    """Every definition in *folder* (``_*.py`` files are not definitions), in name order."""
    if not folder.is_dir():
        raise CellsDocsError("diagram definitions folder not found", file=display_path(folder))
    return [_load(path) for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]


def _call(definition: Definition, name: str, function: Callable[..., Any], *args: Any) -> Any:
    try:
        return function(*args)
    except CellsDocsError as exc:
        raise CellsDocsError(
            f"diagram {name!r}: {exc.message}",
            file=exc.file or display_path(definition.path),
            line=exc.line,
            key=exc.key,
            hint=exc.hint,
        ) from exc
    except Exception as exc:
        raise CellsDocsError(
            f"diagram {name!r}: its definition raised {type(exc).__name__}: {exc}",
            file=display_path(definition.path),
            line=_where(exc, definition.path),
            hint="fix the definition",
        ) from exc


@dataclass(frozen=True, kw_only=True)
class BuiltDiagram:
    """One diagram a definition drew: what it returned and the DOT source, named after the diagram."""

    name: str
    spec: DiagramSpec
    definition: Path
    dot: str


def _build(site: SiteModel, definition: Definition, name: str, *args: Any) -> BuiltDiagram:
    spec = _call(definition, name, definition.module.build, site, *args)
    if not isinstance(spec, DiagramSpec):
        raise CellsDocsError(
            f"diagram {name!r}: build() returned {type(spec).__name__}, not a DiagramSpec",
            file=display_path(definition.path),
            hint="return DiagramSpec(drawing=..., alt=..., sources=...)",
        )
    dot = spec.drawing.dot
    dot.name = name
    dot.graph_attr["id"] = "diagram-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)
    return BuiltDiagram(name=name, spec=spec, definition=definition.path, dot=dot.source)


def _build_all(site: SiteModel) -> dict[str, BuiltDiagram]:
    """Every diagram of every definition, in definition order; two diagrams of one name are an error."""
    built: dict[str, BuiltDiagram] = {}

    def add(item: BuiltDiagram) -> None:
        if item.name in built:
            raise CellsDocsError(
                f"two diagrams are named {item.name!r}",
                file=display_path(item.definition),
                hint=f"rename this definition or the one in {display_path(built[item.name].definition)}",
            )
        built[item.name] = item

    for definition in load_definitions(definitions_dir(site)):
        variants = getattr(definition.module, "variants", None)
        if variants is None:
            add(_build(site, definition, definition.base))
            continue
        for variant in _call(definition, definition.base + "-*", lambda v=variants: [str(x) for x in v(site)]):
            name = f"{definition.base}-{variant}"
            if not _NAME.match(variant):
                raise CellsDocsError(
                    f"diagram {name!r}: variant {variant!r} cannot be part of a name",
                    file=display_path(definition.path),
                    hint="use letters, digits, '.', '_' and '-'",
                )
            add(_build(site, definition, name, variant))
    return built


_BUILT: weakref.WeakKeyDictionary[SiteModel, dict[str, BuiltDiagram]] = weakref.WeakKeyDictionary()


def built_diagrams(site: SiteModel) -> dict[str, BuiltDiagram]:
    """Name -> every diagram the definitions draw for these sources (drawn once per site model)."""
    if site not in _BUILT:
        _BUILT[site] = _build_all(site)
    return _BUILT[site]
