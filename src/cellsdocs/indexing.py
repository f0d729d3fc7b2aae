"""Lookups by key over a model's records, built once instead of scanning the records each time."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

__all__ = ["first_by"]

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def first_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, T]:
    """Each key's first item, in order: what ``next(i for i in items if key(i) == k)`` finds."""
    found: dict[K, T] = {}
    for item in items:
        found.setdefault(key(item), item)
    return found
