"""The reading experience in Chromium: accessibility (axe-core), phone and desktop widths, light
and dark palettes, and search that answers newcomers' questions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from test_browser import ARGS, ARTIFACTS, CHROMIUM

from cellsdocs.linkcheck import serve_site

from conftest import ROOT

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


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    with serve_site(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


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


#: questions a new hire asks, the search terms they would type, and the page that answers
QUESTIONS = [
    (
        "Which cell serves a request with a session cookie?",
        "session cookie cell",
        "adr/0005-route-by-the-session-cookies-cell-prefix/",
    ),
    ("What does Classify return?", "ClassifyResponse", "reference/api/gitlab.cells.topology_service/classify_service/"),
    (
        "Which runbook covers CellSequenceRangeExhausted?",
        "CellSequenceRangeExhausted",
        "runbooks/cell/sequence-exhaustion/",
    ),
    ("Which runbook covers TopologyServiceDown?", "TopologyServiceDown", "runbooks/topology-service/service-down/"),
    (
        "Why does the router use static rules?",
        "static ordered rules",
        "adr/0002-route-requests-at-the-edge-with-static-ordered-rules/",
    ),
    (
        "Why route by session prefix?",
        "session cookie cell prefix",
        "adr/0005-route-by-the-session-cookies-cell-prefix/",
    ),
    ("What is a sequence range?", "sequence range", "guides/cells-sequences-claims/"),
    (
        "How do I claim a unique username?",
        "CreateClaim",
        "reference/api/gitlab.cells.topology_service.claims.v1/ClaimService/",
    ),
    ("How do I make my feature cell-aware?", "cell-aware feature", "guides/cell-aware-features/"),
    ("Where is the list of cells?", "cells", "reference/cells/"),
    ("What is the first cell?", "first cell legacy", "adr/0009-keep-the-legacy-installation-as-the-first-cell/"),
    ("How do I try a request against the rules?", "route explainer", "reference/routing/explain/"),
    ("What is the active rule set?", "session_prefix rule set", "reference/routing/session_prefix/"),
    ("Which alerts page someone?", "on-call index", "runbooks/alerts/"),
    ("Which runbooks are out of date?", "freshness", "runbooks/freshness/"),
    (
        "Why are sessions not shared between cells?",
        "shared Redis sessions",
        "adr/0012-share-one-redis-for-sessions-across-cells/",
    ),
]


def test_search_answers_newcomer_questions(browser: Any, site_url: str) -> None:
    """Each question is asked on a fresh page through the search link (``?q=``), so the results
    read are those of that query alone, never of a half-typed one still in the worker's queue."""
    misses = []
    for question, query, expected in QUESTIONS:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{site_url}?q={quote(query)}")
        page.locator(".md-search-result__item").first.wait_for(timeout=30_000)
        links: list[str] = []
        for _ in range(40):  # the list renders in batches: read until two reads agree
            page.wait_for_timeout(200)
            current = page.locator(".md-search-result__item > a").evaluate_all("links => links.map(a => a.href)")
            if current == links:
                break
            links = current
        page.close()
        pages = []
        for link in links:
            path = link.removeprefix(site_url).split("#", 1)[0].split("?", 1)[0]
            if path not in pages:
                pages.append(path)
        if expected not in pages[:3]:
            misses.append(f"{question!r} ({query!r}): top 3 {pages[:3]}, wanted {expected}")
    assert len(QUESTIONS) >= 15
    assert not misses, misses
