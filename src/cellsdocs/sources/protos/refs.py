"""Resolve API element names written in prose (``Classify``, ``ClassifyRequest.type``...)."""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

from cellsdocs.errors import CellsDocsError, DanglingReference
from cellsdocs.sources.protos.elements import ProtoModel

__all__ = ["KIND_LABELS", "resolve"]

KIND_LABELS = {
    "rpc": "RPC",
    "service": "service",
    "message": "message",
    "enum": "enum",
    "field": "field",
    "enum value": "enum value",
    "oneof": "oneof",
    "extension": "extension",
}


def kind_of(element: Any) -> str:
    name = type(element).__name__
    return {
        "Method": "rpc",
        "Service": "service",
        "Message": "message",
        "Enum": "enum",
        "Field": "field",
        "EnumValue": "enum value",
        "Oneof": "oneof",
        "Extension": "extension",
    }.get(name, name.lower())


@lru_cache(maxsize=8)
def _suffixes(model: ProtoModel) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for fqn, element in model.index.items():
        if getattr(element, "fqn", fqn) != fqn:
            continue  # enum values also indexed in their enclosing scope: keep the canonical name
        parts = fqn.split(".")
        for i in range(len(parts)):
            table.setdefault(".".join(parts[i:]), []).append(fqn)
    return {k: tuple(sorted(set(v))) for k, v in table.items()}


def resolve(model: ProtoModel, name: str, kind: str | None = None) -> Any:
    """The element called *name* (fully-qualified, or any unambiguous dotted suffix)."""
    label = KIND_LABELS.get(kind or "", "API element")
    wanted = name.strip().lstrip(".")
    candidates = [fqn for fqn in _suffixes(model).get(wanted, ()) if kind is None or kind_of(model.index[fqn]) == kind]
    if not candidates:
        pool = [
            k
            for k, fqns in _suffixes(model).items()
            if kind is None or any(kind_of(model.index[f]) == kind for f in fqns)
        ]
        close = difflib.get_close_matches(wanted, pool, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "check the name against the API reference"
        raise DanglingReference(f"no {label} named {name!r} in the API", hint=hint)
    if len(candidates) > 1:
        raise CellsDocsError(
            f"{label} name {name!r} is ambiguous: {', '.join(candidates)}",
            hint="write more of the fully-qualified name",
        )
    return model.index[candidates[0]]
