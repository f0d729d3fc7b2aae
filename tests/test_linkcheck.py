"""Every internal link and anchor of the built site resolves (linkchecker with AnchorCheck)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cellsdocs.linkcheck.site import check_site

pytestmark = pytest.mark.site


def test_built_site_has_no_broken_links_or_anchors(built_site: Path) -> None:
    report = check_site(built_site)
    assert report.ok, report.output
    assert report.urls > 10


def test_a_broken_anchor_is_caught(built_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    home = site / "index.html"
    home.write_text(home.read_text().replace('href="reference/"', 'href="reference/#no-such-anchor"', 1))
    report = check_site(site)
    assert not report.ok
    assert "no-such-anchor" in report.output


def test_a_broken_link_is_caught(built_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    home = site / "index.html"
    home.write_text(home.read_text().replace('href="reference/"', 'href="missing-page/"', 1))
    report = check_site(site)
    assert report.errors >= 1
