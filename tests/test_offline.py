"""``make offline``: the bundle opens from disk (file://) and its search works without a server."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT, build, run

pytestmark = [pytest.mark.site, pytest.mark.browser]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("offline")
    site = tmp / "site"
    result = build(site, env={"CELLS_OFFLINE": "true"})
    assert result.code == 0, result.output
    archive = tmp / "bundle.zip"
    packed = run([sys.executable, str(ROOT / "scripts" / "pack.py"), str(site), str(archive)])
    assert packed.code == 0, packed.output
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp / "unpacked")
    return tmp / "unpacked" / "cells-docs"


def test_bundle_has_no_external_resources(bundle: Path) -> None:
    for page in bundle.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        resource = r"""(?:\bsrc=|<link\b(?![^>]*rel="canonical")[^>]*\bhref=)["']https?://"""
        assert not re.search(resource, html), page
    assert (bundle / "search" / "search_index.js").is_file()
    assert (bundle / "runbooks" / "cell" / "cell-unavailable.html").is_file()  # no directory URLs


def test_bundle_opens_from_disk_and_searches(bundle: Path) -> None:
    from playwright.sync_api import sync_playwright

    from helpers import ARGS, CHROMIUM

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, "--allow-file-access-from-files"])
        page = browser.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto((bundle / "index.html").as_uri())
        assert "Cells platform documentation" in page.title()
        search = page.locator("input.md-search__input")
        search.click()
        page.locator(".md-search-result__meta", has_text="Type to start searching").wait_for(timeout=15_000)
        search.press_sequentially("CellSequenceRangeExhausted", delay=20)
        results = page.locator(".md-search-result__item")
        results.first.wait_for(timeout=15_000)
        assert "out of IDs" in " ".join(results.all_inner_texts())
        results.first.locator("a").first.click()
        page.wait_for_load_state()
        assert page.url.startswith("file://") and "sequence-exhaustion.html" in page.url
        browser.close()
    assert not failed
