"""Golden Markdown of every generated page, rendered in-process from ``tests/data/minimal``.

Each page the build generates (API reference with scalars, coverage and changes; cells index and
cell pages; routing index, rule-set pages and the explainer; ADR index, timeline and graph; the
alert index and runbook freshness; runbook index; drift report) is compared with its golden file
under ``tests/data/golden/pages/``, at the page's site path (``reference/api/index.md``, ...).
No MkDocs build: the pages are the :attr:`cellsdocs.site.SiteModel.pages` the plugin hands to MkDocs.

What would vary is fixed or normalised, so that the goldens hold only what the renderers decide:

- the build date is fixed (:data:`OPTIONS`), so runbook freshness is the same every day;
- the API changes page compares with the empty tree (``api_base = "(empty)"``), not with git
  history: every element shows as added;
- source paths are shown relative to the repository root (the test runs there); absolute paths of
  the repository and the temporary folder become ``<repo>`` and ``<tmp>``;
- each diagram's ``<svg>`` keeps its accessible name, title, description and link targets, but not
  Graphviz's drawing, which changes with the Graphviz version (the DOT each diagram is drawn from is
  golden in ``tests/data/diagrams``, see ``tests/test_diagrams.py``).

After an intended change to a page (a renderer, a header, ``tests/data/minimal``), regenerate the
goldens and review the diff::

    .venv/bin/pytest -q tests/test_golden_pages.py --update-goldens   # or UPDATE_GOLDENS=1
    git diff tests/data/golden/pages
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

import pytest

from cellsdocs.render.drift import DRIFT_PAGE
from cellsdocs.render.pages import FIXED_PAGES
from cellsdocs.settings import BuildOptions, SourcePaths
from cellsdocs.site import SiteModel
from cellsdocs.sources.load import load_sources
from cellsdocs.sources.protos.history import EMPTY_TREE

from helpers import DATA, MINIMAL, ROOT, SourceTree

GOLDEN = DATA / "golden" / "pages"
REGENERATE = (
    "regenerate with: .venv/bin/pytest -q tests/test_golden_pages.py --update-goldens "
    "(or UPDATE_GOLDENS=1), then review git diff tests/data/golden/pages"
)
#: after the demo runbook's review is due (2026-04-01): the freshness page shows it overdue
OPTIONS = BuildOptions(build_date=dt.date(2026, 5, 1), api_base=EMPTY_TREE)
#: pages named after something in tests/data/minimal (the others are FIXED_PAGES and the drift report)
SOURCE_PAGES = (
    "reference/api/demo.v1/index.md",
    "reference/api/demo.v1/demo.md",
    "reference/api/demo.v1/DemoService.md",
    "reference/cells/cell-1.md",
    "reference/cells/cell-2.md",
    "reference/routing/passthrough.md",
    "reference/routing/session_prefix.md",
)

_SVG = re.compile(r"<svg\b([^>]*)>(.*?)</svg>", re.S)
_GRAPHVIZ_SIZE = re.compile(r'\s(?:width|height|viewBox)="[^"]*"')


def _svg_without_drawing(match: re.Match[str]) -> str:
    """The ``<svg>`` element as the renderer shapes it, without Graphviz's coordinates."""
    body = match.group(2)
    kept = [f"<svg{_GRAPHVIZ_SIZE.sub('', match.group(1))}>"]
    kept += [found.group(0) for tag in ("title", "desc") if (found := re.search(rf"<{tag}>.*?</{tag}>", body, re.S))]
    kept.append("<!-- golden: the Graphviz drawing is left out; the links and images it holds: -->")
    kept += [f'<!-- href="{href}" -->' for href in sorted(set(re.findall(r'\shref="([^"]*)"', body)))]
    return "\n".join([*kept, "</svg>"])


def normalised(markdown: str, tmp: Path) -> str:
    markdown = _SVG.sub(_svg_without_drawing, markdown)
    for path, name in ((tmp, "<tmp>"), (ROOT, "<repo>")):
        for spelling in {str(path.resolve()), str(path)}:
            markdown = markdown.replace(spelling, name)
    return markdown


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Site path -> normalised Markdown of every generated page over tests/data/minimal."""
    root = tmp_path_factory.mktemp("golden-pages")  # the build caches (compiled protos, diagrams)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # source paths are shown relative to the working directory
        sources = load_sources(SourcePaths.from_env(root, SourceTree(MINIMAL).env), options=OPTIONS)
        site = SiteModel(sources, options=OPTIONS)
        return {uri: normalised(markdown, root) for uri, markdown in site.pages.items()}


def test_every_page_family_is_rendered(pages: dict[str, str]) -> None:
    expected = {*FIXED_PAGES, DRIFT_PAGE, *SOURCE_PAGES}
    assert not expected - set(pages), f"not generated: {sorted(expected - set(pages))}"


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_pages_match_goldens(pages: dict[str, str], update_goldens: bool) -> None:
    goldens = {path.relative_to(GOLDEN).as_posix(): path for path in GOLDEN.rglob("*.md")}
    if update_goldens:
        for uri in goldens.keys() - pages.keys():
            goldens[uri].unlink()
        for uri, markdown in pages.items():
            path = GOLDEN / uri
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.is_file() or path.read_text(encoding="utf-8") != markdown:
                path.write_text(markdown, encoding="utf-8")
        for folder in sorted((p for p in GOLDEN.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
        return
    problems: list[str] = []
    for uri in sorted(goldens.keys() - pages.keys()):
        problems.append(f"{_relative(goldens[uri])}: no such page is generated any more")
    for uri, markdown in sorted(pages.items()):
        path = GOLDEN / uri
        if not path.is_file():
            problems.append(f"{_relative(path)}: missing (a new generated page)")
            continue
        golden = path.read_text(encoding="utf-8")
        if golden != markdown:
            diff = difflib.unified_diff(
                golden.splitlines(), markdown.splitlines(), "golden", "rendered", n=1, lineterm=""
            )
            shown = [line[:200] for line in diff][:30]
            problems.append(f"{_relative(path)}: stale\n" + "\n".join(shown))
    if problems:
        pytest.fail("\n".join([*problems, REGENERATE]), pytrace=False)
