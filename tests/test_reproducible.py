"""Two builds of the same commit give identical files; a failed build leaves the last good site."""

from __future__ import annotations

import filecmp
import os
import subprocess
from pathlib import Path

import pytest

from helpers import ROOT, SourceTree, build_process, minimal_project

pytestmark = pytest.mark.site

#: What may legitimately differ between builds, and why:
#: - nothing, when CELLS_BUILD_DATE and SOURCE_DATE_EPOCH are fixed. Without them, the freshness
#:   report (and each runbook's stale banner) depends on the build date, and sitemap.xml's
#:   <lastmod> on the build time: both are about *when* the site was built, by design.
TIME_STAMPED: set[str] = set()


def tree(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_two_builds_are_identical(tmp_path: Path) -> None:
    """Two processes (each its own hash seed and cold caches), as two CI runs would be."""
    env = {"CELLS_BUILD_DATE": "2026-11-20", "SOURCE_DATE_EPOCH": "1763596800"}
    first, second = tmp_path / "a", tmp_path / "b"
    assert build_process(first, env=env).code == 0
    assert build_process(second, env=env).code == 0
    a, b = tree(first), tree(second)
    assert a.keys() == b.keys()
    different = [name for name in a if name not in TIME_STAMPED and not filecmp.cmp(a[name], b[name], shallow=False)]
    assert not different, different[:10]


def test_failed_build_keeps_the_last_good_site(minimal: SourceTree, tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    env = {
        **os.environ,
        **minimal.env,
        "SITE_DIR": str(site_dir),
        "NO_MKDOCS_2_WARNING": "1",
        "MKDOCS_YML": str(minimal_project()),
    }
    ok = subprocess.run(
        ["make", "--no-print-directory", "build"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    before = {name: path.read_bytes() for name, path in tree(site_dir).items()}
    (minimal.root / "config.toml").write_text("[[cells]\n")
    failed = subprocess.run(
        ["make", "--no-print-directory", "build"], check=False, cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert failed.returncode != 0
    assert "config.toml:1: TOML syntax error" in failed.stdout + failed.stderr
    after = {name: path.read_bytes() for name, path in tree(site_dir).items()}
    assert after == before
