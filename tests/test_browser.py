"""The built site in a real headless Chromium: loads, toggles palette, searches offline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.site]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.external_requests = requests  # type: ignore[attr-defined]
    yield page
    context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_home_page_loads_without_external_requests(page: Any, site_url: str) -> None:
    page.goto(site_url)
    assert "Cells platform documentation" in page.title()
    shot(page, "home-light")
    external = [u for u in page.external_requests if not u.startswith(site_url) and not u.startswith("data:")]
    assert not external


def test_palette_toggle_switches_to_dark(page: Any, site_url: str) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(site_url)
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    page.locator("label[title='Switch to dark mode']").first.click()
    assert body.get_attribute("data-md-color-scheme") == "slate"
    shot(page, "home-dark")


def test_search_finds_a_page_offline(page: Any, site_url: str) -> None:
    # the search link (?q=) asks one query, so no half-typed query's results are read; the index
    # loads in a web worker, and the results render in batches: read until two reads agree
    page.goto(site_url + "?q=sequence_range")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=30_000)
    links: list[str] = []
    for _ in range(40):
        page.wait_for_timeout(200)
        current = page.locator(".md-search-result__item > a").evaluate_all("a => a.map(x => x.getAttribute('href'))")
        if current == links:
            break
        links = current
    pages = list(dict.fromkeys(link.split("?", 1)[0].split("#", 1)[0] for link in links))
    assert any(p.endswith("reference/sources/") for p in pages[:3]), pages[:5]
    shot(page, "search")


def test_code_blocks_have_a_copy_button(page: Any, site_url: str) -> None:
    page.goto(site_url + "reference/sources/")
    page.locator("pre > code").first.wait_for()
    copy = page.locator(".md-code__button")  # added to each code block by Material's JavaScript
    copy.first.wait_for(timeout=10_000)
    assert copy.count() >= 1


def test_explainer_agrees_with_python_on_the_shared_vectors(page: Any, site_url: str) -> None:
    """The browser explainer (native JavaScript regexes) gives each vector's expected answer."""
    import json

    from conftest import DATA

    vectors = json.loads((DATA / "route-vectors.json").read_text(encoding="utf-8"))
    page.goto(site_url + "reference/routing/explain/")
    data = {
        "cells": vectors["cells"],
        "rule_sets": {
            name: {"rules": [dict(rule, number=i + 1) for i, rule in enumerate(rules)]}
            for name, rules in vectors["rule_sets"].items()
        },
    }
    for case in vectors["cases"]:
        got = page.evaluate(
            """([data, name, recorded]) => {
                const r = window.cellsExplain(data, name, window.cellsRequestFromData(recorded));
                return {rule: r.rule, action: r.action, captures: r.captures, classify_type: r.classify_type,
                        classify_value: r.classify_value, cell: r.cell, outcome: r.outcome, reason: r.reason,
                        why_not: r.why_not};
            }""",
            [data, case["rule_set"], case["request"]],
        )
        got["captures"] = dict(sorted(got["captures"].items()))
        assert got == case["expect"], case["name"]


def test_explainer_page_answers_as_the_reader_types(page: Any, site_url: str) -> None:
    page.goto(site_url + "reference/routing/explain/")
    form = page.locator("#cells-explainer-form")
    form.locator("textarea[name=cookies]").fill("_gitlab_session=cell_2_" + "ab" * 10)
    result = page.locator("#cells-explainer-result")
    assert "session-cookie" in result.inner_text()
    assert "cell-2" in result.inner_text()
    assert float(result.get_attribute("data-ms") or "1000") < 50
    shot(page, "explainer")
    form.locator("select[name=ruleset]").select_option("passthrough")
    assert "proxy" in result.inner_text()


def test_explainer_shows_hostile_input_as_text(page: Any, site_url: str) -> None:
    page.goto(site_url + "reference/routing/explain/")
    page.locator("#cells-explainer-form textarea[name=cookies]").fill(
        "_gitlab_session=cell_9_<img src=x onerror=alert(1)>"
    )
    result = page.locator("#cells-explainer-result")
    assert result.locator("img").count() == 0


def test_adr_index_filters_by_status_and_tag(page: Any, site_url: str) -> None:
    page.goto(site_url + "adr/")
    rows = page.locator("#cells-adr-table tbody tr")
    total = rows.count()
    assert total >= 12
    visible = page.locator("#cells-adr-table tbody tr:not([hidden])")
    page.locator("#cells-adr-filter input[value=accepted]").uncheck()
    after_status = visible.count()
    assert 0 < after_status < total
    assert all(s != "accepted" for s in visible.evaluate_all("rows => rows.map(r => r.dataset.status)"))
    page.locator("#cells-adr-filter select[name=tag]").select_option("routing")
    tagged = visible.evaluate_all("rows => rows.map(r => JSON.parse(r.dataset.tags))")
    assert tagged and all("routing" in tags for tags in tagged)
    assert page.locator("#cells-adr-count").inner_text() == f"{len(tagged)} of {total} decisions"
    shot(page, "adr-index-filtered")


def test_diagrams_load_their_icons_and_link_to_pages(page: Any, site_url: str) -> None:
    page.goto(site_url + "reference/cells/")
    figure = page.locator("figure.cells-diagram").first
    figure.wait_for()
    icons = figure.locator("image").evaluate_all("imgs => imgs.map(i => i.getAttribute('href'))")
    assert icons
    statuses = page.evaluate(
        "async (hrefs) => Promise.all(hrefs.map(h => fetch(new URL(h, location.href)).then(r => r.status)))",
        sorted(set(icons)),
    )
    assert set(statuses) == {200}
    figure.scroll_into_view_if_needed()
    shot(page, "diagram-overview")
    link = figure.locator("a[href='cell-2/']").first
    link.click()
    page.wait_for_url("**/reference/cells/cell-2/")
    assert page.locator("figure.cells-diagram").count() == 1
