"""The route explainer page in Chromium: examples from the rules, why not, a pasted Cookie header,
the request kept in the address bar, links to the rule row and the cell page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.site]

EXPLAINER = "reference/routing/explain/"
SESSION = "_gitlab_session=cell_2_" + "0123456789abcdef"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def routing_data(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#cells-routing-data").text_content())  # type: ignore[no-any-return]


def matching_rule(page: Any) -> str:
    return page.locator("#cells-explainer-result dd[data-field=rule]").inner_text()  # type: ignore[no-any-return]


def test_presets_one_per_rule_each_reaching_its_rule(page: Any, site_url: str) -> None:
    page.goto(site_url + EXPLAINER)
    data = routing_data(page)
    for name in sorted(data["rule_sets"]):
        page.locator("#cells-explainer-form select[name=ruleset]").select_option(name)
        presets = page.locator("#cells-explainer-presets button.cells-explainer__preset")
        rules = data["rule_sets"][name]["rules"]
        assert presets.count() == len(rules), name
        for index in range(presets.count()):
            button = presets.nth(index)
            assert button.is_visible()
            number = button.get_attribute("data-rule")
            button.click()
            assert matching_rule(page).startswith(f"rule {number}"), (name, number)
            state = page.locator(f"#cells-explainer-result li[data-rule='{number}']").get_attribute("data-state")
            assert state == "matched"


def test_why_not_for_a_cookie_in_the_wrong_format(page: Any, site_url: str) -> None:
    page.goto(site_url + EXPLAINER)
    page.locator("#cells-explainer-form textarea[name=cookies]").fill("_gitlab_session=abc")
    assert "fallback-first-cell" in matching_rule(page)
    first = page.locator("#cells-explainer-result li[data-rule='1']")
    assert first.get_attribute("data-state") == "no-match"
    assert 'cookie _gitlab_session value "abc" does not match ^(?<cell_prefix>cell_' in first.inner_text()
    second = page.locator("#cells-explainer-result li[data-rule='2']")
    assert "header x-gitlab-cell-id missing" in second.inner_text()
    # each rule that did not match offers its own example; trying it makes that rule match
    first.locator("button.cells-explainer__try").click()
    assert matching_rule(page).startswith("rule 1 (session-cookie)")
    assert page.locator("#cells-explainer-result li[data-rule='3']").get_attribute("data-state") == "not-tried"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cookies", f"Cookie: theme=dark; {SESSION}; other=1"),
        ("cookies", f"theme=dark;{SESSION}"),
        ("headers", f"Accept: text/html\nCookie: theme=dark; {SESSION}"),
    ],
)
def test_a_pasted_cookie_header_is_read(page: Any, site_url: str, field: str, value: str) -> None:
    page.goto(site_url + EXPLAINER)
    page.locator(f"#cells-explainer-form textarea[name={field}]").fill(value)
    assert matching_rule(page).startswith("rule 1 (session-cookie)")
    assert page.locator("#cells-explainer-result dd[data-field=cell]").inner_text().startswith("cell-2 ")


def test_unknown_session_prefix_is_refused_not_unknown(page: Any, site_url: str) -> None:
    page.goto(site_url + EXPLAINER)
    page.locator("#cells-explainer-form textarea[name=cookies]").fill("_gitlab_session=cell_99_0123456789abcdef")
    result = page.locator("#cells-explainer-result")
    assert result.locator("[data-outcome]").get_attribute("data-outcome") == "reject"
    assert "the router refuses the request" in result.inner_text()
    assert "not known at build time" not in result.inner_text()


def test_the_request_is_kept_in_the_address_and_restored(browser: Any, page: Any, site_url: str) -> None:
    page.goto(site_url + EXPLAINER)
    form = page.locator("#cells-explainer-form")
    form.locator("select[name=ruleset]").select_option("routable_tokens")
    form.locator("select[name=method]").select_option("POST")
    form.locator("input[name=path]").fill("/api/v4/projects?x=1&y=2")
    form.locator("textarea[name=headers]").fill("Private-Token: glpat-nope")
    form.locator("textarea[name=cookies]").fill(SESSION)
    expected = page.locator("#cells-explainer-result").inner_text()
    assert "rules=routable_tokens" in page.url and "method=POST" in page.url
    share = page.locator("#cells-explainer-share").get_attribute("href")
    assert share and share.startswith("?")
    page.reload()
    assert form.locator("select[name=ruleset]").input_value() == "routable_tokens"
    assert form.locator("select[name=method]").input_value() == "POST"
    assert form.locator("input[name=path]").input_value() == "/api/v4/projects?x=1&y=2"
    assert form.locator("textarea[name=headers]").input_value() == "Private-Token: glpat-nope"
    assert page.locator("#cells-explainer-result").inner_text() == expected
    # the shared link, opened by someone else
    other = browser.new_page()
    other.goto(site_url + EXPLAINER + share)
    assert other.locator("#cells-explainer-result").inner_text() == expected
    other.close()


def test_state_from_the_address_is_data_never_markup_or_a_link(page: Any, site_url: str) -> None:
    hostile = {
        "rules": "javascript:alert(1)",
        "method": "<img src=x onerror=alert(1)>",
        "path": "/<img src=x onerror=alert(1)>",
        "cookies": '_gitlab_session=cell_9_"><script>alert(1)</script>',
        "headers": "X-Evil: <a href=javascript:alert(1)>x</a>",
    }
    page.goto(site_url + EXPLAINER + "?" + urlencode(hostile))
    result = page.locator("#cells-explainer-result")
    assert "/<img src=x onerror=alert(1)>" in result.inner_text()
    assert result.locator("img, script").count() == 0
    form = page.locator("#cells-explainer-form")
    assert form.locator("select[name=ruleset]").input_value() == routing_data(page)["active"]
    assert form.locator("select[name=method]").input_value() == "GET"
    hrefs = page.locator(".cells-explainer a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(not re.match(r"^[a-z][a-z0-9+.-]*:", h, re.I) for h in hrefs), hrefs


def test_links_reach_the_rule_row_and_the_cell_page(page: Any, site_url: str) -> None:
    page.goto(site_url + EXPLAINER)
    data = routing_data(page)
    # every rule's and every cell's link points at a page that has the anchor
    targets = [rule["href"] for rs in data["rule_sets"].values() for rule in rs["rules"]]
    targets += [cell["href"] for cell in data["cells"]]
    found = page.evaluate(
        """async (hrefs) => Promise.all(hrefs.map(async (href) => {
            const url = new URL(href, location.href);
            const response = await fetch(url);
            const html = new DOMParser().parseFromString(await response.text(), "text/html");
            const id = decodeURIComponent(url.hash.slice(1));
            return response.status === 200 && (!id || html.getElementById(id) !== null);
        }))""",
        targets,
    )
    assert all(found), [t for t, ok in zip(targets, found, strict=True) if not ok]
    # and the result's own links take the reader there
    page.locator("#cells-explainer-form textarea[name=cookies]").fill(SESSION)
    page.locator("#cells-explainer-result dd[data-field=rule] a").click()
    page.wait_for_url("**/reference/routing/session_prefix/#session_prefix-rule-1")
    assert page.locator("#session_prefix-rule-1").count() == 1
    page.go_back()
    page.locator("#cells-explainer-result dd[data-field=cell] a").click()
    page.wait_for_url("**/reference/cells/cell-2/")
    assert page.locator("h1").inner_text().startswith("cell-2")


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_explainer_fits_and_is_captured(browser: Any, site_url: str, width: int, height: int, scheme: str) -> None:
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    page.goto(site_url + EXPLAINER + "?" + urlencode({"path": "/api/v4/x", "cookies": "_gitlab_session=abc"}))
    assert page.locator("#cells-explainer-result li[data-state=no-match]").count() >= 1
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the explainer scrolls sideways at {width}px: {overflow}px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"explainer-{width}-{scheme}.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_why_not_and_refusal_are_accessible(browser: Any, site_url: str, scheme: str) -> None:
    from test_reading import AXE

    if not AXE.exists():
        pytest.skip("axe-core (npm) is installed by make setup-test")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    # rule 1 matches (refused: unknown prefix), so rules 2 and 3 are not tried; then one that did not match
    for query in ({"cookies": "_gitlab_session=cell_99_0123456789abcdef"}, {"cookies": "_gitlab_session=abc"}):
        page.goto(site_url + EXPLAINER + "?" + urlencode(query))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            f"{v['id']}: {v['help']} e.g. {v['nodes'][0]['target']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, (query, serious)
    page.close()
