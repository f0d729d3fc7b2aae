"""Live architecture diagrams: golden DOT, determinism, following the sources, self-contained and
safe SVG, the render cache and clean errors.

Regenerate the golden files with ``pytest tests/test_diagrams.py --update-goldens`` (or
``UPDATE_GOLDENS=1``).
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

import diagrams as diagrams_library
from cellsdocs.drawing import graphviz as dot_runner
from cellsdocs.drawing.place import diagram_assets, diagram_dots, diagram_markdown, relative_url, render_diagrams
from cellsdocs.errors import CellsDocsError
from cellsdocs.settings import SourcePaths
from cellsdocs.site import SiteModel
from cellsdocs.sources.load import load_sources
from cellsdocs.synth import write_topology

from helpers import DATA, ROOT, SourceTree, build

GOLDEN = DATA / "diagrams"
RESOURCES = Path(diagrams_library.__file__).resolve().parent.parent / "resources"
HOSTILE = "<script>alert(1)</script> {{ x }} {% raw %} \\N @@SITE@@/evil \" '"


def model(tree: SourceTree, root: Path) -> SiteModel:
    """A fresh site model over *tree*; *root* holds the render cache (and may hold diagrams/)."""
    root.mkdir(parents=True, exist_ok=True)
    return SiteModel(load_sources(SourcePaths.from_env(root, tree.env)))


def normalised(dot: str) -> str:
    """No path of the build machine in a golden file."""
    return dot.replace(str(RESOURCES), "<diagrams-resources>")


def add_cell(tree: SourceTree, name: str, *, cell_id: int, extra: str = "") -> None:
    config = tree.root / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[[cells]]\nid = {cell_id}\nname = "{name}"\naddress = "{name}.example.com:443"\n'
        f'session_prefix = "{name.replace("-", "_")}_"\nsequence_range = [{cell_id * 10_000}, {cell_id * 10_000 + 999}]\n'
        + extra,
        encoding="utf-8",
    )


@pytest.fixture(autouse=True)
def _fresh_stats() -> None:
    dot_runner.RENDER_STATS.update(rendered=0, cached=0)


@pytest.mark.parametrize("name", ["system-overview", "request-flow", "topology-api", "cell-cell-2"])
def test_golden_dot(name: str, minimal: SourceTree, tmp_path: Path, update_goldens: bool) -> None:
    dot = normalised(diagram_dots(model(minimal, tmp_path / "root"))[name])
    golden = GOLDEN / f"{name}.dot"
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(dot, encoding="utf-8")
    regenerate = "regenerate with --update-goldens or UPDATE_GOLDENS=1"
    assert golden.is_file(), f"{golden} is missing ({regenerate})"
    assert dot == golden.read_text(encoding="utf-8"), f"{golden} is stale ({regenerate})"
    assert str(ROOT) not in dot and str(tmp_path) not in dot


def test_every_diagram_is_drawn_once(minimal: SourceTree, tmp_path: Path) -> None:
    site = model(minimal, tmp_path / "root")
    assert sorted(render_diagrams(site)) == [
        "cell-cell-1",
        "cell-cell-2",
        "request-flow",
        "system-overview",
        "topology-api",
    ]
    assert render_diagrams(site) is render_diagrams(site)
    assert dot_runner.RENDER_STATS == {"rendered": 5, "cached": 0}


def test_same_model_gives_identical_output(minimal: SourceTree, tmp_path: Path) -> None:
    first = render_diagrams(model(minimal, tmp_path / "a"))
    second = render_diagrams(model(minimal, tmp_path / "b"))  # another cache: rendered again
    assert dot_runner.RENDER_STATS["cached"] == 0
    for name, diagram in first.items():
        assert diagram.dot == second[name].dot
        assert diagram.svg == second[name].svg
    assert "<!--" not in first["system-overview"].svg and "<?xml" not in first["system-overview"].svg


def test_a_new_cell_shows_without_touching_diagram_code(minimal: SourceTree, tmp_path: Path) -> None:
    before = diagram_dots(model(minimal, tmp_path / "a"))
    add_cell(minimal, "cell-7", cell_id=7, extra='region = "eu-west"\n')
    after = diagram_dots(model(minimal, tmp_path / "b"))
    assert "cell-cell-7" not in before and "cell-cell-7" in after
    assert "cell-7" not in before["system-overview"] and "cell-7" in after["system-overview"]
    assert "Region eu-west" in after["system-overview"]


def test_a_new_rpc_shows_in_the_api_diagram(minimal: SourceTree, tmp_path: Path) -> None:
    before = diagram_dots(model(minimal, tmp_path / "a"))["topology-api"]
    proto = minimal.root / "proto" / "demo" / "v1" / "demo.proto"
    proto.write_text(
        proto.read_text(encoding="utf-8").replace(
            "// Classify a request.",
            "// Explain a request.\n  rpc Explain(ClassifyRequest) returns (ClassifyResponse);\n  // Classify a request.",
        ),
        encoding="utf-8",
    )
    after = diagram_dots(model(minimal, tmp_path / "b"))["topology-api"]
    assert "Explain" not in before and "Explain" in after
    assert "2 RPCs" in after


def test_request_flow_follows_the_active_rule_set(
    minimal: SourceTree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CELLS_ACTIVE_RULESET", "passthrough")
    flow = diagram_dots(model(minimal, tmp_path / "root"))["request-flow"]
    assert "rule set passthrough: 1 rule," in flow and "proxy to cell-1" in flow
    assert "Classify" not in flow  # no classify rule: the Topology Service is not asked


def test_large_topologies_are_summarised(minimal: SourceTree, tmp_path: Path) -> None:
    write_topology(minimal.root / "config.toml", cells=30, regions=3)
    dots = diagram_dots(model(minimal, tmp_path / "root"))
    overview = dots["system-overview"]
    assert "cluster_cell/" not in overview  # no cell drawn one by one
    assert "Region region-1" in overview and "10 cells" in overview
    assert sum(name.startswith("cell-") for name in dots) == 30


def test_svg_is_self_contained_and_links_are_relative(minimal: SourceTree, tmp_path: Path) -> None:
    site = model(minimal, tmp_path / "root")
    html = diagram_markdown(site, "cell-cell-2", from_page="reference/cells/cell-2.md")
    for forbidden in (str(ROOT), str(tmp_path), str(RESOURCES), "site-packages", "@@", 'href="/', "file:"):
        assert forbidden not in html
    hrefs = re.findall(r'\shref="([^"]*)"', html)
    assert "./" in hrefs  # the cell itself
    assert "../../routing/" in hrefs
    assert "../../../assets/diagrams/icons/programming-framework-rails.png" in hrefs
    assert all(not h.startswith(("/", "http")) for h in hrefs)
    assert html.count("<a href=") == html.count("xlink:href=") - html.count("<image ")
    assets = diagram_assets(site)
    assert "assets/diagrams/icons/programming-framework-rails.png" in assets
    assert all(data.startswith(b"\x89PNG") for data in assets.values())
    overview = diagram_markdown(site, "system-overview", from_page="index.md")
    assert 'href="reference/cells/cell-1/"' in overview and 'href="assets/diagrams/icons/' in overview


def test_figure_has_alt_text_and_names_its_sources(minimal: SourceTree, tmp_path: Path) -> None:
    html = diagram_markdown(model(minimal, tmp_path / "root"), "system-overview", from_page="reference/cells/index.md")
    assert html.startswith('<figure class="cells-diagram"') and html.rstrip().endswith("</figure>")
    assert 'role="group"' in html and "<title>System overview</title>" in html and "<desc>" in html
    label = re.search(r'aria-label="([^"]*)"', html)
    assert label is not None and "2 cells in 1 region (" in label.group(1)
    caption = re.search(r"<figcaption>(.*)</figcaption>", html, re.S)
    assert caption is not None and "$CELLS_TOPOLOGY_CONFIG" in unescape(caption.group(1))
    assert "\n\n" not in html  # one raw HTML block for Markdown


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (("reference/cells/cell-2/", "reference/cells/cell-3/"), "../cell-2/"),
        (("reference/cells/cell-2/", "reference/cells/cell-2/"), "./"),
        (("reference/cells/cell-2/", ""), "reference/cells/cell-2/"),
        (("", "reference/cells/"), "../../"),
        (("reference/api/x/#a.b", "reference/api/x/"), "./#a.b"),
        (("reference/cells/cell-2.html", "reference/cells/index.html"), "cell-2.html"),
    ],
)
def test_relative_url(relative: tuple[str, str], expected: str) -> None:
    assert relative_url(*relative) == expected


def test_hostile_source_text_shows_as_text(minimal: SourceTree, tmp_path: Path) -> None:
    quoted = json.dumps(HOSTILE)  # a JSON string is a TOML basic string
    add_cell(minimal, "cell-9", cell_id=9, extra=f"description = {quoted}\nregion = {quoted}\n")
    site = model(minimal, tmp_path / "root")
    for name in ("system-overview", "cell-cell-9"):
        html = diagram_markdown(site, name, from_page="reference/cells/cell-9.md")
        assert "<script" not in html and "{{" not in html and "{%" not in html and "@@" not in html
        assert "&lt;script&gt;" in html


def test_warm_render_renders_nothing(minimal: SourceTree, tmp_path: Path) -> None:
    render_diagrams(model(minimal, tmp_path / "root"))
    assert dot_runner.RENDER_STATS == {"rendered": 5, "cached": 0}
    assert len(list((tmp_path / "root" / ".cache" / "diagrams").glob("*.svg"))) == 5
    render_diagrams(model(minimal, tmp_path / "root"))
    assert dot_runner.RENDER_STATS == {"rendered": 5, "cached": 5}


def _definitions(root: Path, name: str, body: str) -> None:
    shutil.copytree(ROOT / "diagrams", root / "diagrams")
    (root / "diagrams" / name).write_text(body, encoding="utf-8")


def test_a_definition_that_raises_is_a_clean_error(minimal: SourceTree, tmp_path: Path) -> None:
    _definitions(tmp_path / "root", "broken.py", "def build(site):\n    return site.no_such_thing\n")
    with pytest.raises(CellsDocsError) as caught:
        render_diagrams(model(minimal, tmp_path / "root"))
    message = str(caught.value)
    assert "diagram 'broken'" in message and "AttributeError" in message and "broken.py:2" in message
    assert "\n" not in message


def test_a_graphviz_failure_names_the_diagram(minimal: SourceTree, tmp_path: Path) -> None:
    body = (
        "from cellsdocs.drawing.api import DiagramSpec, Drawing\n\n"
        "def build(site):\n"
        "    with Drawing('Bad') as drawing:\n"
        "        drawing.dot.body.append('this is { not DOT')\n"
        "    return DiagramSpec(drawing=drawing, alt='bad')\n"
    )
    _definitions(tmp_path / "root", "bad_dot.py", body)
    with pytest.raises(CellsDocsError, match=r"diagram 'bad-dot': Graphviz failed: .*syntax error"):
        render_diagrams(model(minimal, tmp_path / "root"))


def test_missing_graphviz_says_how_to_install_it(
    minimal: SourceTree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dot_runner.shutil, "which", lambda _name: None)
    with pytest.raises(CellsDocsError) as caught:
        render_diagrams(model(minimal, tmp_path / "root"))
    assert str(caught.value) == "Graphviz 'dot' not found (fix: apt-get install graphviz)"


def test_unknown_diagram_lists_the_known_ones(minimal: SourceTree, tmp_path: Path) -> None:
    with pytest.raises(CellsDocsError, match=r"no diagram named 'nope' \(fix: use one of: cell-cell-1, cell-cell-2"):
        diagram_markdown(model(minimal, tmp_path / "root"), "nope", from_page="index.md")


@pytest.mark.site  # builds the site
def test_a_page_places_diagrams_in_a_strict_build(tmp_path: Path) -> None:
    """The real site (in-repo sources) with one more page that places two diagrams."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    for name in ("macros", "bench", "diagrams", "sources", "adr", "runbooks"):
        (project / name).symlink_to(ROOT / name)
    (project / "docs" / "guides" / "picture.md").write_text(
        "# Picture\n\n{{ diagram('system-overview') }}\n\n{{ diagram('cell-cell-2', caption='One cell') }}\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    result = build(site, config=project / "mkdocs.yml")
    assert result.code == 0, result.output
    page = site / "guides" / "picture" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count('<figure class="cells-diagram"') == 2 and "One cell. Drawn at build time" in html
    assert str(ROOT) not in html and str(tmp_path) not in html
    figures = "".join(re.findall(r'<figure class="cells-diagram".*?</figure>', html, re.S))
    hrefs = set(re.findall(r'\shref="([^"#]+)[^"]*"', figures))
    assert "../../reference/cells/cell-2/" in hrefs
    for href in hrefs:
        target = (page.parent / href).resolve()
        assert (target / "index.html" if target.is_dir() else target).is_file(), href
