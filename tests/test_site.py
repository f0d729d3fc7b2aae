"""Strict site builds: what must fail the build, what must render verbatim, what must be there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, SourceTree, build, build_process, minimal_project

pytestmark = pytest.mark.site


class Project:
    """A throwaway copy of the site (mkdocs.yml, docs/) over a private source tree."""

    def __init__(self, tmp: Path, sources: SourceTree) -> None:
        self.root = tmp / "project"
        self.root.mkdir()
        template = minimal_project().parent
        shutil.copy(template / "mkdocs.yml", self.root / "mkdocs.yml")
        shutil.copytree(template / "docs", self.root / "docs")
        for name in ("macros", "bench", "diagrams"):
            (self.root / name).symlink_to(ROOT / name)
        self.sources = sources
        self.site = tmp / "site"

    def page(self, relative: str, content: str) -> None:
        path = self.root / "docs" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")

    def build(self):  # type: ignore[no-untyped-def]
        return build(self.site, env=self.sources.env, config=self.root / "mkdocs.yml")


@pytest.fixture
def project(tmp_path: Path, minimal: SourceTree) -> Project:
    return Project(tmp_path, minimal)


def test_minimal_project_builds_cleanly(project: Project) -> None:
    result = project.build()
    assert result.code == 0, result.output
    assert "WARNING" not in result.output
    assert (project.site / "adr" / "0001-use-demo" / "index.html").is_file()
    assert (project.site / "runbooks" / "demo" / "demo-down" / "index.html").is_file()


@pytest.mark.slow
def test_bench_clock_measures_the_machinery_inside_the_build(project: Project, tmp_path: Path) -> None:
    """CELLS_BENCH_CLOCK (the benchmark's in-build measure): seconds spent in the hooks and
    mkdocs-macros, more than nothing and less than the whole build (written when the build's
    process exits: a real process)."""
    import json
    import time

    clock = tmp_path / "clock.json"
    started = time.perf_counter()
    result = build_process(
        project.site, env={**project.sources.env, "CELLS_BENCH_CLOCK": str(clock)}, config=project.root / "mkdocs.yml"
    )
    elapsed = time.perf_counter() - started
    assert result.code == 0, result.output
    spent = json.loads(clock.read_text())["machinery_s"]
    assert 0 < spent < elapsed


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[gone](no-such-page.md)", "contains a link 'no-such-page.md', but the target is not found"),
        ("[gone](index.md#no-such-anchor)", "no-such-anchor"),
        ("{{ no_such_variable }}", "no_such_variable"),
        ("{{ source_inventory(42) }}", "source_inventory"),
        ("{% for x in %}", "Expected an expression"),
    ],
)
def test_strict_build_fails(project: Project, content: str, expected: str) -> None:
    project.page("broken.md", f"# Broken\n\n{content}\n")
    result = project.build()
    assert result.code != 0, result.output
    assert expected in result.output
    assert "broken.md" in result.output


def test_prometheus_templates_render_verbatim(project: Project) -> None:
    project.page(
        "verbatim.md",
        "# Verbatim\n\nInstance {{ $labels.instance }} at {{ $value | humanizePercentage }}.\n\n"
        "```promql\nsum by (cell) (rate(x[5m])) > {{ threshold }}\n```\n",
    )
    result = project.build()
    assert result.code == 0, result.output
    html = (project.site / "verbatim" / "index.html").read_text()
    assert "{{ $labels.instance }}" in html
    assert "{{ $value | humanizePercentage }}" in html
    assert "{{" in html and "threshold" in html
    runbook = (project.site / "runbooks" / "demo" / "demo-down" / "index.html").read_text()
    assert "<code>{{ $labels.instance }}</code>" in runbook


def test_broken_source_fails_the_build_with_one_line(project: Project) -> None:
    project.sources.write("config.toml", "[[cells]]\nid = 'one'\n")
    result = project.build()
    assert result.code != 0
    assert "config.toml" in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "config.toml" in line]
    assert lines and "cells[0]" in lines[0]


def test_hostile_titles_show_as_text(project: Project) -> None:
    project.sources.write(
        "adr/0002-hostile.md",
        "---\nstatus: proposed\ntags: ['<b>x</b>']\n---\n\n# <script>alert(1)</script> | {{ $x }}\n\n"
        "## Context and Problem Statement\n\n## Considered Options\n\n## Decision Outcome\n",
    )
    result = project.build()
    assert result.code == 0, result.output
    index = (project.site / "adr" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in index
    assert "&lt;script&gt;" in index
    assert "<b>x</b>" not in index


def test_real_site_has_no_external_resources(built_site: Path) -> None:
    """Scripts, styles, fonts and images are all served by the site itself (links may point out)."""
    external = re.compile(r"""(?:\bsrc=|<link\b[^>]*\bhref=)["'](?:https?:)?//(?!127\.0\.0\.1)""")
    offenders = []
    for page in built_site.rglob("*.html"):
        for match in external.finditer(page.read_text(encoding="utf-8")):
            offenders.append(f"{page.relative_to(built_site)}: {match.group(0)}")
    assert not offenders, offenders[:10]
    css = "".join(p.read_text(encoding="utf-8") for p in built_site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css


def test_real_site_collections_have_stable_urls(built_site: Path) -> None:
    assert (built_site / "adr" / "0001-build-the-docs-with-mkdocs-material-from-the-sources" / "index.html").is_file()
    assert (built_site / "adr" / "index.html").is_file()
    assert (built_site / "runbooks" / "index.html").is_file()
    assert not (built_site / "adr" / "template" / "index.html").exists()
    assert any((built_site / "runbooks").glob("*/*/index.html"))


def test_navigation_is_pruned(built_site: Path) -> None:
    """Each page carries its own branch of the nav, not every page of every section."""
    home = (built_site / "index.html").read_text()
    runbook_links = re.findall(r'href="runbooks/[^"/]+/[^"/]+/"', home)
    assert not runbook_links


def text_of(path: Path) -> str:
    """Page HTML without the glossary's <abbr> wrappers (ADR-0005 reads <abbr>ADR</abbr>-0005)."""
    return re.sub(r"</?abbr[^>]*>", "", path.read_text())


def test_governed_reference_pages_link_back_to_decisions(built_site: Path) -> None:
    classify = built_site / "reference" / "api" / "gitlab.cells.topology_service" / "ClassifyService" / "index.html"
    assert "Decisions:" in text_of(classify)
    assert "ADR-0005" in text_of(built_site / "reference" / "routing" / "session_prefix" / "index.html")
    assert "ADR-0009" in text_of(built_site / "reference" / "cells" / "cell-1" / "index.html")
    superseded = next((built_site / "adr").glob("0004-*/index.html"))
    assert "Superseded by ADR-0005" in text_of(superseded)


def test_governed_name_that_does_not_exist_fails_the_build(project: Project) -> None:
    project.sources.write(
        "adr/0002-governs.md",
        "---\nstatus: accepted\ndate: 2026-01-01\ngoverns:\n  rpcs: [NoSuchRpc]\n---\n\n# G\n\n"
        "## Context and Problem Statement\n\n## Considered Options\n\n## Decision Outcome\n",
    )
    result = project.build()
    assert result.code != 0
    assert "governs rpcs 'NoSuchRpc', which does not exist" in result.output
