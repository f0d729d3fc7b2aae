"""Architecture diagrams drawn from the typed models (placeholder until the renderer lands)."""

from __future__ import annotations

from typing import Any

from .errors import CellsDocsError

__all__ = ["diagram_assets", "diagram_markdown"]


def diagram_assets(site: Any) -> dict[str, bytes]:
    return {}


def diagram_markdown(site: Any, name: str, *, from_page: str, caption: str | None = None) -> str:
    raise CellsDocsError(f"no diagram named {name!r}")
