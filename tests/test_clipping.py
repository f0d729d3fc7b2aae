"""Nothing clipped, diagrams readable: every page of the built site in Chromium at 1280 and 390 px.

A table whose content is cut (wider than its frame, or a cell whose content overflows), a code
block that scrolls sideways or a page wider than the window fails, naming page and element. The
diagrams' text is 11 CSS px or more at 1280 px, or the diagram has a visible Full size button that
opens it at its natural size (pan and zoom); in the dark palette they are not white cards; the
decision graph filters and focuses on one record."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.site]

WIDTHS = (1280, 390)
#: a code block may scroll this many px (sub-pixel rounding, a scroll bar's width)
CODE_TOLERANCE = 8
MIN_TEXT_PX = 11

#: what overflows on the page shown: tables, cells, code blocks, the page itself
PROBE = """(tolerance) => {
  const out = [];
  const name = (el) => {
    const heads = [...el.querySelectorAll('th')].map((th) => th.textContent.trim()).join('|');
    return heads ? `table [${heads.slice(0, 60)}]` : `table ${el.id || ''}`;
  };
  document.querySelectorAll('article table').forEach((table) => {
    const frame = table.closest('.md-typeset__scrollwrap') || table;
    const cut = Math.max(table.scrollWidth - table.clientWidth, frame.scrollWidth - frame.clientWidth);
    if (cut > 1) out.push(`${name(table)} cut by ${cut}px`);
    table.querySelectorAll('td, th').forEach((cell) => {
      const over = cell.scrollWidth - cell.clientWidth;
      if (over > 1) out.push(`${name(table)}: cell "${cell.textContent.trim().slice(0, 40)}" overflows by ${over}px`);
    });
  });
  // a picture drawn in text (.cells-picture) keeps its lines and scrolls: wrapping would break it
  document.querySelectorAll('article :not(.cells-picture) > pre > code').forEach((code) => {
    const over = code.scrollWidth - code.clientWidth;
    if (over > tolerance) out.push(`code block "${code.textContent.trim().slice(0, 40)}" scrolls ${over}px`);
  });
  const page = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (page > 1) out.push(`page scrolls sideways by ${page}px`);
  return out;
}"""

#: each diagram: smallest text as drawn, and at natural size; whether its Full size button shows
DIAGRAMS = """() => [...document.querySelectorAll('figure.cells-diagram')].map((figure) => {
  const svg = figure.querySelector(':scope > svg');
  const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
  let smallest = Infinity;
  let natural = Infinity;
  svg.querySelectorAll('text').forEach((text) => {
    const size = parseFloat(getComputedStyle(text).fontSize);
    const ctm = text.getScreenCTM();
    const drawn = size * (ctm ? Math.hypot(ctm.a, ctm.b) : 1);
    smallest = Math.min(smallest, drawn);
    natural = Math.min(natural, drawn / scale);
  });
  const tools = figure.querySelector(':scope > .cells-diagram__tools');
  const button = tools && !tools.hidden ? tools.querySelector('button') : null;
  const box = button ? button.getBoundingClientRect() : null;
  return {
    id: figure.id || (figure.querySelector('figcaption') || {}).textContent,
    smallest, natural,
    height: svg.getBoundingClientRect().height,
    zoom: Boolean(box && box.width > 0 && box.height > 0),
  };
})"""


def site_pages(site: Path) -> list[str]:
    """Every page of the built site (its folder URL), the 404 page left out."""
    pages = sorted(path.parent.relative_to(site).as_posix() for path in site.rglob("index.html"))
    return ["" if page == "." else page + "/" for page in pages]


def _page(browser: Any, width: int = 1280, scheme: str = "light") -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    # search is not looked at here: its worker and index are not loaded (a second per page on a busy machine)
    page.route("**/search/search_index.json", lambda route: route.abort())
    page.route("**/assets/javascripts/workers/*", lambda route: route.abort())
    return page


def _walker(browser: Any) -> Any:
    """A page for the walk over every page: pictures are not loaded either (they have fixed sizes)."""
    page = _page(browser)
    page.route("**/*.png", lambda route: route.abort())
    return page


def test_nothing_clipped_on_any_page(browser: Any, site_url: str, built_site: Path) -> None:
    pages = site_pages(built_site)
    assert len(pages) > 50, pages  # the walk found the site
    page = _walker(browser)
    found: list[str] = []
    for path in pages:
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        page.goto(site_url + path, wait_until="domcontentloaded")  # Material's scripts have run
        for width in WIDTHS:  # one load per page: the same page, narrowed
            page.set_viewport_size({"width": width, "height": 900})
            found += [f"{path or '/'} at {width}px: {problem}" for problem in page.evaluate(PROBE, CODE_TOLERANCE)]
    page.close()
    assert not found, f"{len(found)} clipped:\n" + "\n".join(found)


def test_diagrams_are_readable_or_open_full_size(browser: Any, site_url: str, built_site: Path) -> None:
    pages = [p for p in site_pages(built_site) if "cells-diagram" in (built_site / p / "index.html").read_text()]
    assert "adr/graph/" in pages and "guides/architecture/" in pages
    page = _page(browser)
    problems = []
    for path in pages:
        page.goto(site_url + path, wait_until="load")
        for diagram in page.evaluate(DIAGRAMS):
            where = f"{path} {diagram['id']}"
            if diagram["natural"] < MIN_TEXT_PX:
                problems.append(f"{where}: text {diagram['natural']:.1f}px even at full size")
            if diagram["smallest"] < MIN_TEXT_PX and not diagram["zoom"]:
                problems.append(f"{where}: text {diagram['smallest']:.1f}px and no visible Full size button")
            if diagram["id"] == "figure-system-overview" and diagram["height"] > 780:
                problems.append(f"{where}: {diagram['height']:.0f}px tall, more than a 1280x900 screen shows")
    page.close()
    assert not problems, "\n".join(problems)


def test_full_size_dialog_pans_and_zooms(browser: Any, site_url: str) -> None:
    page = _page(browser, width=390)
    page.goto(site_url + "guides/architecture/")
    figure = page.locator("#figure-system-overview")
    natural = figure.evaluate("f => f.querySelector(':scope > svg').width.baseVal.value")
    figure.get_by_role("button", name="Open the diagram full size, to pan and zoom").click()
    dialog = page.locator("dialog.cells-zoom[open]")
    svg = dialog.locator("svg")
    assert abs(svg.evaluate("s => s.getBoundingClientRect().width") - natural) < 1
    dialog.get_by_role("button", name="Zoom in").click()
    assert abs(svg.evaluate("s => s.getBoundingClientRect().width") - natural * 1.25) < 1
    assert dialog.locator(".cells-zoom__level").text_content() == "125%"
    view = dialog.locator(".cells-zoom__view")
    before = view.evaluate("v => v.scrollLeft")
    box = view.bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 50, box["y"] + 200, steps=5)
    page.mouse.up()
    assert view.evaluate("v => v.scrollLeft") > before  # dragged to the left: panned right
    ids = page.locator("[id]").evaluate_all("els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), "an id is repeated (in the diagrams, or by the copy in the dialog)"
    page.keyboard.press("Escape")
    assert page.locator("dialog.cells-zoom[open]").count() == 0
    page.close()


def test_diagrams_follow_the_dark_palette(browser: Any, site_url: str) -> None:
    page = _page(browser, scheme="dark")
    for path, selector in (("reference/cells/cell-1/", "#figure-cell-cell-1"), ("adr/graph/", ".cells-adr-group")):
        page.goto(site_url + path)
        colours = page.locator(selector).first.evaluate(
            """f => {
              const svg = f.querySelector('svg');
              const ink = [...svg.querySelectorAll('text')].find(t => t.getAttribute('fill') === '#2d3436');
              const white = [...svg.querySelectorAll('[fill]')].filter(e => e.tagName !== 'text')
                .map(e => getComputedStyle(e).fill).filter(c => c === 'rgb(255, 255, 255)').length;
              return {background: getComputedStyle(svg).backgroundColor,
                      ink: ink ? getComputedStyle(ink).fill : null, white};
            }"""
        )
        assert colours["background"] not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), (path, colours)
        assert colours["white"] == 0, (path, colours)
        if colours["ink"] is not None:  # dark ink of the light palette drawn light
            red, green, blue = (float(part) for part in re.findall(r"[\d.]+", colours["ink"])[:3])
            assert min(red, green, blue) > 150, (path, colours)
    page.close()


def test_decision_graph_filters_and_focuses(browser: Any, site_url: str) -> None:
    page = _page(browser)
    page.goto(site_url + "adr/graph/")
    count = page.locator("#cells-adr-graph-count")
    total = page.locator("g.node[data-status]").count() + page.locator("#cells-adr-alone li").count()
    assert total >= 14 and count.text_content().startswith(f"{total} of {total} records")
    page.locator("#cells-adr-graph-filter select[name=focus]").select_option("5")
    assert "focus=5" in page.url
    focused = page.locator("#adr-5")
    assert "cells-adr-focus" in (focused.get_attribute("class") or "")
    lit = page.locator("figure.cells-adr-group:not([hidden]) g.node[data-status]:not(.cells-adr-dim)")
    assert 1 < lit.count() < total  # the record and its neighbours only
    shown = int(count.text_content().split()[0])
    assert shown == lit.count()
    page.goto(site_url + "adr/graph/?focus=12")  # a shared view
    assert page.locator("#cells-adr-graph-filter select[name=focus]").input_value() == "12"
    page.locator("#cells-adr-graph-filter select[name=focus]").select_option("")
    page.locator("#cells-adr-graph-filter input[value=accepted]").uncheck()
    dimmed = page.locator("g.node[data-status=accepted].cells-adr-dim").count()
    assert dimmed == page.locator("g.node[data-status=accepted]").count() > 0
    assert int(count.text_content().split()[0]) < total
    page.close()
