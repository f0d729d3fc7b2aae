"""Fixtures shared by the tests; helpers live in tests/helpers.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import DATA, MINIMAL, ROOT, Run, SourceTree, build, cli, minimal_project, run

__all__ = ["DATA", "MINIMAL", "ROOT", "Run", "SourceTree", "build", "cli", "minimal_project", "run"]


@pytest.fixture
def minimal(tmp_path: Path) -> SourceTree:
    """A copy of tests/data/minimal that a test may break."""
    shutil.copytree(MINIMAL, tmp_path / "sources")
    return SourceTree(tmp_path / "sources")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The real site, built once per test session from the in-repo sources."""
    site = tmp_path_factory.mktemp("site") / "site"
    result = build(site)
    assert result.code == 0, result.output
    yield site
