"""Fixtures shared by the tests; helpers live in tests/helpers.py."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from helpers import ARGS, ARTIFACTS, CHROMIUM, DATA, MINIMAL, ROOT, Run, SourceTree, build, cli, minimal_project, run

__all__ = [
    "ARGS",
    "ARTIFACTS",
    "CHROMIUM",
    "DATA",
    "MINIMAL",
    "ROOT",
    "Run",
    "SourceTree",
    "build",
    "cli",
    "minimal_project",
    "run",
]

#: Hypothesis profiles: ``ci`` (the default, make test) runs 1,000 examples per property; ``fast``
#: (make test-fast) a few, to catch a broken property quickly. Chosen by HYPOTHESIS_PROFILE (or
#: pytest's --hypothesis-profile).
settings.register_profile("ci", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fast", parent=settings.get_profile("ci"), max_examples=20)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite the golden files from the current output (as UPDATE_GOLDENS=1 does)",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """Golden tests write their golden files instead of comparing: ``--update-goldens`` or ``UPDATE_GOLDENS=1``."""
    return bool(request.config.getoption("--update-goldens")) or os.environ.get("UPDATE_GOLDENS", "") not in ("", "0")


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


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site, served over HTTP on a free local port."""
    from cellsdocs.linkcheck.site import serve_site

    with serve_site(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()
