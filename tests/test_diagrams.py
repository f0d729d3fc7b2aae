"""Architecture diagrams: drawn from the models, deterministic, cached, clickable, self-contained."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from cellsdocs import diagramming, graphviz
from cellsdocs.errors import CellsDocsError
from cellsdocs.settings import SourcePaths
from cellsdocs.site import SiteModel
from cellsdocs.sources import load_sources

from conftest import DATA, ROOT, SourceTree

GOLDEN = DATA / "diagrams"


def site_for(tree: SourceTree, root: Path) -> SiteModel:
    """A site model over *tree*, with the repository's diagram definitions and a private cache."""
    if not (root / "diagrams").exists():
        shutil.copytree(ROOT / "diagrams", root / "diagrams")
    paths = SourcePaths.from_env(root, tree.env)
    return SiteModel(load_sources(paths))


def normalised(dot: str) -> str:
    """No path of the build machine in a golden file."""
    return re.sub(r'image="[^"]*/resources/([^"]+)"', r'image="\1"', dot)


@pytest.mark.parametrize("name", ["system-overview", "request-flow", "topology-api", "cell-cell-2"])
def test_golden_dot(name: str, minimal: SourceTree, tmp_path: Path) -> None:
    rendered = diagramming.render_diagrams(site_for(minimal, tmp_path))
    dot = normalised(rendered[name].dot)
    golden = GOLDEN / f"{name}.dot"
    if os.environ.get("UPDATE_GOLDENS") or not golden.exists():
        golden.write_text(dot)
    assert dot == golden.read_text(), f"regenerate with UPDATE_GOLDENS=1 if the change is intended: {golden}"


def test_same_model_gives_identical_dot_and_svg(minimal: SourceTree, tmp_path: Path) -> None:
    first = diagramming.render_diagrams(site_for(minimal, tmp_path / "a"))
    second = diagramming.render_diagrams(site_for(minimal, tmp_path / "b"))
    for name in first:
        assert first[name].dot == second[name].dot
        assert first[name].svg == second[name].svg


def test_adding_a_cell_changes_the_diagrams(minimal: SourceTree, tmp_path: Path) -> None:
    before = diagramming.render_diagrams(site_for(minimal, tmp_path))
    minimal.write(
        "config.toml",
        (minimal.root / "config.toml").read_text()
        + (
            '\n[[cells]]\nid = 7\nname = "cell-7"\naddress = "c7.example.com:443"\nsession_prefix = "cell_7_"\n'
            'sequence_range = [7001, 8000]\nregion = "ap-south"\n'
        ),
    )
    after = diagramming.render_diagrams(site_for(minimal, tmp_path))
    assert "cell-cell-7" in after and "cell-cell-7" not in before
    assert "cell-7" in after["system-overview"].dot and "cell-7" not in before["system-overview"].dot
    assert "Region ap-south" in after["system-overview"].dot


def test_adding_an_rpc_changes_the_api_diagram(minimal: SourceTree, tmp_path: Path) -> None:
    proto = minimal.root / "proto" / "demo" / "v1" / "demo.proto"
    before = diagramming.render_diagrams(site_for(minimal, tmp_path))["topology-api"].dot
    proto.write_text(
        proto.read_text().replace(
            "service DemoService {",
            "service DemoService {\n  // Ping.\n  rpc Ping(ClassifyRequest) returns (ClassifyResponse);",
        )
    )
    after = diagramming.render_diagrams(site_for(minimal, tmp_path))["topology-api"].dot
    assert "Ping" in after and "Ping" not in before


def test_warm_render_renders_nothing(minimal: SourceTree, tmp_path: Path) -> None:
    diagramming.render_diagrams(site_for(minimal, tmp_path))
    start = dict(graphviz.RENDER_STATS)
    diagramming.render_diagrams(site_for(minimal, tmp_path))
    assert graphviz.RENDER_STATS["rendered"] == start["rendered"]
    assert graphviz.RENDER_STATS["cached"] > start["cached"]


def test_markdown_is_clickable_and_self_contained(minimal: SourceTree, tmp_path: Path) -> None:
    site = site_for(minimal, tmp_path)
    html = diagramming.diagram_markdown(site, "cell-cell-2", from_page="reference/cells/cell-2.md")
    assert 'href="../../../assets/diagrams/icons/programming-framework-rails.png"' in html
    assert 'href="../../routing/"' in html
    assert "xlink:href" not in html and "/resources/" not in html and str(ROOT) not in html
    assert "aria-labelledby" in html and "<desc" in html and "<figcaption>" in html
    assets = diagramming.diagram_assets(site)
    assert "assets/diagrams/icons/programming-framework-rails.png" in assets
    with pytest.raises(CellsDocsError, match="no diagram named 'nope'"):
        diagramming.diagram_markdown(site, "nope", from_page="x.md")


def test_hostile_names_are_text(minimal: SourceTree, tmp_path: Path) -> None:
    minimal.write(
        "config.toml",
        (minimal.root / "config.toml")
        .read_text()
        .replace('name = "cell-2"\n', 'name = "cell-2"\nregion = "<script>alert(1)</script>"\n'),
    )
    html = diagramming.diagram_markdown(site_for(minimal, tmp_path), "system-overview", from_page="index.md")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_failing_definition_names_the_diagram(minimal: SourceTree, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "diagrams", tmp_path / "diagrams")
    (tmp_path / "diagrams" / "broken.py").write_text(
        "def define(site, kit):\n    def draw():\n        raise ValueError('boom')\n"
        "    return [kit.Spec(name='broken', title='B', alt='B', sources=(), draw=draw)]\n"
    )
    with pytest.raises(CellsDocsError, match=r"diagram 'broken': its definition failed: ValueError: boom"):
        diagramming.render_diagrams(site_for(minimal, tmp_path))


def test_graphviz_failure_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CellsDocsError, match=r"diagram 'x': Graphviz failed: .*syntax error"):
        graphviz.render_svg("digraph { a -> }", name="x", cache_dir=tmp_path)


def test_missing_dot_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphviz, "_VERSION", [])
    monkeypatch.setattr(graphviz.shutil, "which", lambda _: None)
    with pytest.raises(CellsDocsError, match=r"Graphviz 'dot' not found.*apt-get install graphviz"):
        graphviz.dot_version()


@pytest.mark.site
def test_built_site_has_no_build_machine_path(built_site: Path) -> None:
    leaks = [p for p in built_site.rglob("*.html") if str(ROOT) in p.read_text() or "site-packages" in p.read_text()]
    assert not leaks, leaks[:5]
    cell = (built_site / "reference" / "cells" / "cell-2" / "index.html").read_text()
    assert 'id="diagram-cell-cell-2"' in cell
