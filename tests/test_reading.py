"""The reading experience in Chromium: accessibility (axe-core), phone and desktop widths, light
and dark palettes. Search that answers readers' questions: tests/test_search.py."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import ARTIFACTS, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.site]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "",
    "reference": "reference/api/gitlab.cells.topology_service/ClassifyService/",
    "adr": "adr/0005-route-by-the-session-cookies-cell-prefix/",
    "runbook": "runbooks/cell/sequence-exhaustion/",
    "explainer": "reference/routing/explain/",
    "guide": "guides/architecture/",
}


@pytest.mark.skipif(not AXE.exists(), reason="axe-core (npm) is installed by make setup-test")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_serious_accessibility_violations(browser: Any, site_url: str, name: str, scheme: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page.goto(site_url + PAGES[name])
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    page.close()
    assert not serious, serious


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_fit_phone_and_desktop(browser: Any, site_url: str, width: int, height: int, scheme: str) -> None:
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    for name in ("home", "guide", "runbook"):
        page.goto(site_url + PAGES[name])
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width}px: {overflow}px"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{scheme}.png"))
    page.close()
