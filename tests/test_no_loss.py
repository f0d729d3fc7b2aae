"""Nothing deleted or lost (issue 14): a site folder never lands on a source, page paths never
collide silently, every definition of a duplicated alert is shown, caches are written atomically."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cellsdocs.errors import CellsDocsError
from cellsdocs.sitedir import check_site_dir

from helpers import ROOT, SourceTree, build, cli, minimal_project

VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small git repository with the project's layout and Makefile."""
    root = tmp_path / "repo"
    for folder in ("docs", "adr", "runbooks/cell", "sources/alerts", "src/pkg", "notes"):
        (root / folder).mkdir(parents=True)
        (root / folder / "keep.md").write_text("# kept\n")
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    (root / "mkdocs.yml").write_text("site_name: x\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    return root


@pytest.mark.parametrize(
    ("site_dir", "expected"),
    [
        ("runbooks", "is the source or tracked folder"),
        ("docs", "is the source or tracked folder"),
        ("runbooks/site", "is inside the source or tracked folder"),
        ("notes", "is the source or tracked folder"),  # tracked, though not a source
        ("src/pkg", "is inside the source or tracked folder"),
        (".", "is the repository"),
        ("..", "is a folder holding the repository"),
        (".git", "is the source or tracked folder"),
        ("", "is empty"),
    ],
)
def test_site_dir_on_a_source_is_refused(
    repo: Path, site_dir: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)  # relative to where make runs, as rm sees it
    with pytest.raises(CellsDocsError) as info:
        check_site_dir(site_dir, root=repo) if site_dir else check_site_dir("", root=repo)
    assert expected in info.value.format() and "(fix: " in info.value.format()


def test_site_dir_siblings_and_sources_elsewhere(repo: Path, tmp_path: Path) -> None:
    (repo / "out.old").mkdir()
    (repo / "out.old" / "x.md").write_text("x")
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    with pytest.raises(CellsDocsError, match=r"out.old' \(beside SITE_DIR\) is the source or tracked folder"):
        check_site_dir(repo / "out", root=repo)  # make build would delete out.old
    outside = tmp_path / "elsewhere" / "rules"
    outside.mkdir(parents=True)
    with pytest.raises(CellsDocsError, match="holds the source or tracked folder"):
        check_site_dir(tmp_path / "elsewhere", root=repo, sources=[outside])
    with pytest.raises(CellsDocsError, match="has spaces or shell characters"):
        check_site_dir("my site; rm -rf x", root=repo, shell_safe=True)
    assert check_site_dir(repo / "site", root=repo) == (repo / "site").resolve()
    assert check_site_dir(tmp_path / "out", root=repo, sources=[outside]) == (tmp_path / "out").resolve()


def test_an_existing_folder_must_be_a_built_site(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "Documents"
    home.mkdir()
    (home / "letter.txt").write_text("keep me")
    with pytest.raises(CellsDocsError, match="exists and is a folder that is not a built site"):
        check_site_dir(home, root=repo)
    (home / "letter.txt").unlink()
    (home / "index.html").write_text("<html>")
    assert check_site_dir(home, root=repo) == home.resolve()


def _make(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    check = f"{VENV_BIN / 'cells-docs'} --root {repo} site-dir-check"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELLS_", "MAKE"))}
    return subprocess.run(
        ["make", "-s", "-C", str(repo), "-o", "setup", "-o", "sources", *args, f"SITE_DIR_CHECK={check}", "RUN=false"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


@pytest.mark.slow  # make and the installed cells-docs, as a person runs them
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_build_refuses_a_source_folder_before_deleting_anything(repo: Path) -> None:
    for site_dir in ("runbooks", "adr", ".", "docs/x"):
        result = _make(repo, "build", f"SITE_DIR={site_dir}")
        assert result.returncode != 0
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "building there would delete it (fix: " in errors[0], result.stderr
    for folder in ("docs", "adr", "runbooks/cell", "sources/alerts", "src/pkg", "notes"):
        assert (repo / folder / "keep.md").is_file()
    assert not (repo / "runbooks.new").exists()
    # a good folder passes the check (the build itself is stubbed out by RUN=false)
    result = _make(repo, "build", "SITE_DIR=site")
    assert "error:" not in result.stderr and "false" not in result.stderr
    for target in ("clean", "public"):
        refused = _make(repo, target, "SITE_DIR=runbooks")
        assert refused.returncode != 0 and (repo / "runbooks" / "cell" / "keep.md").is_file()


def test_mkdocs_build_refuses_a_source_as_site_dir(minimal: SourceTree, tmp_path: Path) -> None:
    env = dict(minimal.env, CELLS_SITE_DIR=str(minimal.root / "runbooks"))
    result = build(minimal.root / "runbooks", env=env)
    assert result.code == 1 and "Traceback" not in result.output
    assert "source or tracked folder" in result.output and "building there would delete it" in result.output
    assert (minimal.root / "runbooks" / "demo").is_dir()


def test_site_dir_check_cli(tmp_path: Path) -> None:
    refused = cli("site-dir-check", "runbooks")
    assert refused.code == 1 and refused.stderr.count("\n") == 1 and "runbooks" in refused.stderr
    assert cli("site-dir-check", str(tmp_path / "new-site")).code == 0


# --- concurrent builds share one cache safely -----------------------------------------------------


def _write_many(args: tuple[str, int]) -> int:
    from cellsdocs.cachefile import write_atomic

    folder, worker = args
    for round_ in range(200):
        write_atomic(Path(folder) / "entry.svg", f"<svg>{round_ % 7}</svg>\n" * 50)
    return worker


def _render_all(args: tuple[str, list[str]]) -> list[str]:
    from cellsdocs.drawing.graphviz import render_svg, render_svgs

    folder, dots = args
    one = [render_svg(dot, name=f"d{i}", cache_dir=Path(folder)) for i, dot in enumerate(dots)]
    many = render_svgs({f"d{i}": dot for i, dot in enumerate(dots)}, cache_dir=Path(folder) / "many")
    return one + [many[f"d{i}"] for i in range(len(dots))]


def test_concurrent_writers_of_one_cache_entry_never_collide(tmp_path: Path) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("fork")) as pool:
        assert sorted(pool.map(_write_many, [(str(tmp_path), n) for n in range(4)])) == [0, 1, 2, 3]
    assert [p.name for p in tmp_path.iterdir()] == ["entry.svg"]  # no temporary file left behind
    assert (tmp_path / "entry.svg").read_text() == f"<svg>{199 % 7}</svg>\n" * 50  # whole, never a mix


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_concurrent_renders_on_an_empty_cache_agree(tmp_path: Path) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    dots = [f'digraph g{i} {{ a{i} -> b{i} [label="{i}"]; b{i} -> c }}' for i in range(6)]
    cache = tmp_path / "cache"
    with ProcessPoolExecutor(3, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_render_all, [(str(cache), dots)] * 3))
    assert results[0] == results[1] == results[2] and all("<svg" in svg for svg in results[0])
    assert not [p for p in cache.rglob("*") if p.suffix == ".tmp"]
    assert _render_all((str(cache), dots)) == results[0]  # and from the cache, the same again


@pytest.mark.site
def test_two_builds_at_once_on_an_empty_cache_give_the_same_site(minimal: SourceTree, tmp_path: Path) -> None:
    """As pytest -n 2 does on a fresh runner: both succeed, with the same files."""
    import filecmp

    project = tmp_path / "project"
    shutil.copytree(minimal_project().parent, project, symlinks=True, ignore=shutil.ignore_patterns(".cache"))
    assert not (project / ".cache").exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELLS_")}
    env.update(minimal.env, NO_MKDOCS_2_WARNING="1", CELLS_BUILD_DATE="2026-11-20", SOURCE_DATE_EPOCH="1763596800")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(site)],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for site in (tmp_path / "a", tmp_path / "b")
    ]
    outputs = [proc.communicate(timeout=600)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    a = {p.relative_to(tmp_path / "a").as_posix(): p for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b").as_posix(): p for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a.keys() == b.keys()
    assert not [name for name in a if not filecmp.cmp(a[name], b[name], shallow=False)]
    assert list((project / ".cache" / "diagrams").glob("*.svg"))
    assert not list((project / ".cache" / "diagrams").glob("*tmp*"))


# --- page paths never collide silently ------------------------------------------------------------


def test_output_keys_of_pages() -> None:
    from cellsdocs.render.pages import output_key

    assert output_key("runbooks/alerts.md") == output_key("runbooks/alerts/index.md") == "runbooks/alerts/index.html"
    assert output_key("reference/cells/Cell-1.md") == output_key("reference/cells/cell-1.md")
    assert output_key("a/README.md") == "a/index.html"
    assert output_key("a/b.md", directory_urls=False) == "a/b.html" != output_key("a/b/index.md", directory_urls=False)


def test_colliding_pages_name_both_sources() -> None:
    from cellsdocs.render.pages import page_collisions

    errors = page_collisions(
        [
            ("reference/routing/index-rules.md", "rule set 'index' (rules/index.json)"),
            ("reference/routing/x.md", "rule set 'x' (rules/x.json)"),
            ("reference/routing/index-rules.md", "rule set 'index-rules' (rules/index-rules.json)"),
        ]
    )
    assert [e.format() for e in errors] == [
        "rule set 'index-rules' (rules/index-rules.json) and rule set 'index' (rules/index.json) both make the "
        "page reference/routing/index-rules.md: one would overwrite the other (fix: rename one of them)"
    ]


def test_a_hand_written_page_at_a_generated_pages_file_fails_check(minimal: SourceTree, tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "docs" / "reference" / "cells" / "cell-2").mkdir(parents=True)
    (root / "docs" / "reference" / "cells" / "cell-2" / "index.md").write_text("# Mine\n")
    result = cli("--root", str(root), "check", env=minimal.env)
    assert result.code == 1 and "Traceback" not in result.output
    assert (
        "docs/reference/cells/cell-2/index.md and cell 'cell-2'" in result.stderr
        and "reference/cells/cell-2/index.html" in result.stderr
    ), result.stderr


# --- every definition of a duplicated alert name is shown -----------------------------------------

DUPLICATE = """groups:
  - name: other
    rules:
      - alert: DemoDown
        expr: up{job="demo-canary"} == 0
        for: 1m
        labels:
          severity: warning
          service: demo
        annotations:
          runbook: runbooks/demo/demo-down/
"""


def test_duplicate_alert_names_are_all_shown(minimal: SourceTree) -> None:
    import datetime as dt

    from cellsdocs.render.oncall import decorate_runbook, render_alert_index
    from cellsdocs.settings import SourcePaths
    from cellsdocs.site import SiteModel
    from cellsdocs.sources.load import load_sources

    minimal.write("alerts/canary.yml", DUPLICATE)
    sources = load_sources(SourcePaths.from_env(minimal.root, environ=minimal.env))
    assert [a.severity for a in sources.alerts.by_name("DemoDown")] == ["warning", "critical"]
    book = sources.runbooks.runbooks[0]
    markdown = (minimal.root / "runbooks" / "demo" / "demo-down.md").read_text()
    site = SiteModel(sources)
    page = site.decorate(book.page, markdown)
    assert page.count("Alert definition: DemoDown") == 2
    assert "(1 of 2, " in page and "(2 of 2, " in page
    assert "canary.yml" in page and "demo.yml" in page
    assert "warning" in page and "critical" in page  # each definition's severity
    # a single alert (the older calling style) still works
    one = decorate_runbook(markdown, book, {"DemoDown": sources.alerts.by_name("DemoDown")[1]}, dt.date(2026, 1, 2))
    assert one.count("Alert definition: DemoDown") == 1 and "of 2" not in one
    index = render_alert_index(sources)
    assert index.count('<span id="demodown">') == 1  # one anchor per name
    assert "canary.yml" in index and "demo.yml" in index
