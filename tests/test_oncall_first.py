"""On-call first, in Chromium: every runbook's *First five minutes* box ends inside the first screen
on a desktop (1280x900) and on a phone (390x844), above everything else of the page; the generated
alert definitions are collapsed; an alert's own link (``#alertname``) offers the way back to the box."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.site]

#: (width, height): the box must end within the first *height* pixels of the page
SCREENS = [(1280, 900), (390, 844)]

BOX = """() => {
  const box = document.querySelector('#first-five-minutes.admonition.cells-first-five');
  if (!box) return null;
  const rect = box.getBoundingClientRect();
  const content = document.querySelector('.md-content article');
  const first = content.querySelector('h1 ~ *:not(script)');
  return {
    top: rect.top + window.scrollY,
    bottom: rect.bottom + window.scrollY,
    right: rect.right,
    width: document.documentElement.clientWidth,
    first: first === box,
    labels: [...box.querySelectorAll(':scope > ul > li > strong')].map((e) => e.textContent),
    reach: box.querySelector('.cells-reach') ? box.querySelector('.cells-reach').innerText : '',
    details: [...document.querySelectorAll('details.abstract')].map((d) => ({
      open: d.open,
      after: !!(box.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_FOLLOWING),
    })),
  };
}"""


def runbook_pages(site: Path) -> list[str]:
    """Site paths of every runbook page (``runbooks/<service>/<name>/``)."""
    return sorted(f"runbooks/{p.parent.parent.name}/{p.parent.name}/" for p in site.glob("runbooks/*/*/index.html"))


def test_every_runbook_page_is_found(built_site: Path) -> None:
    pages = runbook_pages(built_site)
    assert len(pages) == len(list((Path(__file__).parent.parent / "runbooks").glob("*/*.md")))


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=["desktop", "phone"])
def test_first_five_minutes_box_is_on_the_first_screen(
    browser: Any, site_url: str, built_site: Path, width: int, height: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    problems = []
    for path in runbook_pages(built_site):
        page.goto(site_url + path)
        found = page.evaluate(BOX)
        if found is None:
            problems.append(f"{path}: no First five minutes box")
            continue
        if found["bottom"] > height:
            problems.append(f"{path}: the box ends at {found['bottom']:.0f} px, below the first {height} px")
        if not found["first"]:
            problems.append(f"{path}: something comes between the title and the box")
        if found["right"] > found["width"] + 1:
            problems.append(f"{path}: the box is wider than the screen ({found['right']:.0f} px)")
        if found["labels"] != ["Check:", "First safe action:", "Do not:", "Page:"]:
            problems.append(f"{path}: items {found['labels']}")
        if "Pager:" not in found["reach"] or "Chat:" not in found["reach"]:
            problems.append(f"{path}: no pager or chat in the box: {found['reach']!r}")
        if not found["details"]:
            problems.append(f"{path}: no alert definition")
        for index, details in enumerate(found["details"]):
            if details["open"]:
                problems.append(f"{path}: alert definition {index + 1} is open")
            if not details["after"]:
                problems.append(f"{path}: alert definition {index + 1} comes before the box")
    page.close()
    assert not problems, "\n".join(problems)


def test_an_alert_link_offers_the_way_back_to_the_box(browser: Any, site_url: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site_url + "runbooks/cell/cell-unavailable/#cellhigherrorrate")
    pointer = page.locator("#cellhigherrorrate ~ .cells-first-five-pointer a").first
    assert pointer.is_visible()
    pointer.click()
    page.wait_for_function("location.hash === '#first-five-minutes'")
    top = page.evaluate("document.getElementById('first-five-minutes').getBoundingClientRect().top")
    header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    assert header <= top < 844 / 2, (header, top)  # in view, not hidden under the sticky header
    page.close()


def test_alert_definitions_open_on_demand(browser: Any, site_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url + "runbooks/cell/cell-unavailable/")
    first = page.locator("details.abstract").first
    assert not first.locator("table").is_visible()
    first.locator("summary").click()
    assert first.locator("table").is_visible()
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), SCREENS, ids=["desktop", "phone"])
def test_screenshots(browser: Any, site_url: str, width: int, height: int, scheme: str) -> None:
    """Screenshots to look at (test-artifacts/oncall-first-*.png); the palette follows the OS scheme."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + "runbooks/cell/cell-unavailable/")
    palette = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert palette == ("slate" if scheme == "dark" else "default")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"oncall-first-{width}-{scheme}.png"))
    page.close()
