"""``cells-docs new DIR``: a site for a team's own sources, strict on the first build; and source
kinds declared absent (``enabled = false`` in sources.toml), whose pages and nav entries vanish."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_gitlab_ci import check_jsonschema

from cellsdocs.errors import CellsDocsError, SourceError
from cellsdocs.mkdocs.nav import expand_nav
from cellsdocs.render.pages import FIXED_PAGES
from cellsdocs.scaffold import render_files, scaffold
from cellsdocs.settings import BuildOptions, SourcePaths
from cellsdocs.site import SiteModel
from cellsdocs.sources.load import SourcesInvalid, load_sources
from cellsdocs.sources.manifest import parse_manifest

from helpers import MINIMAL, ROOT, SourceTree, cli, run

KINDS = ("protos", "topology", "rules", "alerts", "adrs", "runbooks")
#: where each kind is in tests/data/minimal
MINIMAL_PATHS = {
    "protos": "proto",
    "topology": "config.toml",
    "rules": "rules",
    "alerts": "alerts",
    "adrs": "adr",
    "runbooks": "runbooks",
}


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as data: ``!ENV [VAR, default]`` is its default, ``!!python/name:`` its name."""


_Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])  # type: ignore[arg-type]
_Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
_Loader.add_constructor("!relative", lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type]


def mkdocs_yml(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    assert isinstance(data, dict)
    return data


def manifest(folder: Path, present: dict[str, str]) -> Path:
    """sources.toml in *folder*: the kinds in *present* at their paths, every other kind off."""
    lines = []
    for kind in KINDS:
        lines.append(f"[{kind}]")
        lines.append(f'path = "{present[kind]}"' if kind in present else "enabled = false")
    path = folder / "sources.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "diagrams").mkdir(exist_ok=True)  # the site's own diagrams: none (not this repository's)
    return path


# --- absent kinds: the manifest, the paths, the model -------------------------------------------


def test_enabled_false_declares_a_kind_absent(tmp_path: Path) -> None:
    manifest(tmp_path, {"adrs": "adr"})
    paths = SourcePaths.from_env(tmp_path, environ={})
    assert paths.absent == {"protos", "topology", "rules", "alerts", "runbooks"}
    assert paths.present("adrs")
    assert paths.watched() == [tmp_path.resolve() / "adr"]  # nothing watched, nothing read for the others
    assert [o.kind for o in paths.origins] == ["adrs"]


def test_a_variable_enables_an_absent_kind(tmp_path: Path) -> None:
    manifest(tmp_path, {})
    paths = SourcePaths.from_env(tmp_path, environ={"CELLS_ALERT_RULES": str(MINIMAL / "alerts")})
    assert paths.present("alerts")
    assert paths.alert_rules == MINIMAL / "alerts"
    assert "protos" in paths.absent


def test_the_repository_manifest_has_every_kind() -> None:
    assert SourcePaths.from_env(ROOT, environ={}).absent == frozenset()


@pytest.mark.parametrize("value", ['"no"', "0", "[]"])
def test_enabled_must_be_a_boolean(tmp_path: Path, value: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_manifest(f"[alerts]\nenabled = {value}\n", file=tmp_path / "sources.toml")
    line = caught.value.format()
    assert "alerts.enabled" in line and "true or false" in line and "\n" not in line


def test_a_disabled_remote_kind_is_not_fetched(tmp_path: Path) -> None:
    text = '[rules]\nrepo = "https://gitlab.example.com/g/router.git"\nref = "main"\nenabled = false\n'
    parsed = parse_manifest(text, file=tmp_path / "sources.toml")
    assert not parsed.spec("rules").remote  # sources sync and the lock leave it alone
    (tmp_path / "sources.toml").write_text(text)
    assert "rules" in SourcePaths.from_env(tmp_path, environ={}).absent  # no "not locked" error


def test_no_source_at_all_is_an_empty_site(tmp_path: Path) -> None:
    manifest(tmp_path, {})
    paths = SourcePaths.from_env(tmp_path, environ={})
    sources = load_sources(paths, options=BuildOptions())
    assert not sources.api.api_files and not sources.topology.cells and not sources.rule_sets
    assert not sources.alerts.alerts and not sources.adrs.adrs and not sources.runbooks.runbooks
    assert sources.active_rule_set == ""
    site = SiteModel(sources, options=BuildOptions())
    assert list(site.pages) == ["reference/drift.md"]
    assert site.absent_pages == frozenset(FIXED_PAGES)


def test_only_the_pages_of_present_kinds(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "src")
    manifest(tmp_path, {k: f"src/{MINIMAL_PATHS[k]}" for k in ("topology", "rules", "runbooks")})
    sources = load_sources(SourcePaths.from_env(tmp_path, environ={}), options=BuildOptions())
    site = SiteModel(sources, options=BuildOptions())
    pages = set(site.pages)
    assert {"reference/cells/index.md", "reference/routing/index.md", "runbooks/index.md"} <= pages
    assert not [p for p in pages if p.startswith(("reference/api/", "adr/"))]
    assert "runbooks/alerts.md" not in pages  # the on-call index needs the alert rules
    assert "runbooks/freshness.md" in pages
    assert "reference/api/index.md" in site.absent_pages and "runbooks/alerts.md" in site.absent_pages
    assert "runbooks/index.md" not in site.absent_pages


def test_cross_checks_of_an_absent_kind_are_skipped(tmp_path: Path) -> None:
    """The minimal runbook names the alert DemoDown and the ADR governs a proto service: with the
    alert rules and the protos absent, there is nothing to check them against."""
    shutil.copytree(MINIMAL, tmp_path / "src")
    manifest(tmp_path, {k: f"src/{MINIMAL_PATHS[k]}" for k in ("topology", "rules", "adrs", "runbooks")})
    sources = load_sources(SourcePaths.from_env(tmp_path, environ={}), options=BuildOptions())
    assert sources.runbooks.runbooks and sources.adrs.adrs and sources.rule_sets


def test_rules_without_the_cell_inventory_are_one_line(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "src")
    manifest(tmp_path, {"rules": "src/rules"})
    with pytest.raises(SourcesInvalid) as caught:
        load_sources(SourcePaths.from_env(tmp_path, environ={}), options=BuildOptions())
    (error,) = caught.value.errors
    line = error.format()
    assert "without the cell inventory" in line and "[topology]" in line and "\n" not in line


def test_the_nav_drops_absent_pages_and_empty_sections() -> None:
    nav = [
        {"Home": "index.md"},
        {
            "Reference": [
                {"API": ["reference/api/index.md", "reference/api/*"]},
                {"Cells": ["reference/cells/index.md", "reference/cells/*"]},
                {"Drift report": "reference/drift.md"},
            ]
        },
        {"Runbooks": ["runbooks/index.md", {"On-call index": "runbooks/alerts.md"}, "runbooks/*"]},
    ]
    uris = ["index.md", "reference/cells/index.md", "reference/cells/cell-1.md", "reference/drift.md"]
    uris += ["runbooks/index.md", "runbooks/svc/a.md"]
    absent = frozenset({"reference/api/index.md", "runbooks/alerts.md"})
    assert expand_nav(nav, uris, absent) == [
        {"Home": "index.md"},
        {
            "Reference": [
                {"Cells": ["reference/cells/index.md", "reference/cells/cell-1.md"]},
                {"Drift report": "reference/drift.md"},
            ]
        },
        {"Runbooks": ["runbooks/index.md", {"svc": ["runbooks/svc/a.md"]}]},
    ]
    assert expand_nav(nav, uris) == expand_nav(nav, uris, frozenset())  # nothing absent: as before


# --- the scaffold ---------------------------------------------------------------------------------


def test_scaffold_writes_the_site(tmp_path: Path) -> None:
    written = scaffold(tmp_path / "site-src", name="Payments docs", package="cellsdocs==0.1.0")
    root = tmp_path / "site-src"
    for expected in (
        "mkdocs.yml",
        "sources.toml",
        "requirements.txt",
        "Makefile",
        "README.md",
        ".gitlab-ci.yml",
        ".gitignore",
        "docs/index.md",
        "docs/assets/cells.css",
        "adr/template.md",
        "runbooks/template.md",
        "diagrams/README.md",
    ):
        assert expected in written and (root / expected).is_file(), expected
    assert not list(root.rglob("*.tmpl"))
    assert (root / "adr" / "template.md").read_bytes() == (ROOT / "adr" / "template.md").read_bytes()
    assert "cellsdocs==0.1.0" in (root / "requirements.txt").read_text().splitlines()
    config = mkdocs_yml(root / "mkdocs.yml")
    assert config["site_name"] == "Payments docs"
    assert config["strict"] is True
    plugins = [next(iter(p)) if isinstance(p, dict) else p for p in config["plugins"]]
    assert plugins == ["search", "cells", "macros"]
    macros = next(p["macros"] for p in config["plugins"] if isinstance(p, dict) and "macros" in p)
    assert macros["modules"] == ["cellsdocs.mkdocs.macros_module"]
    for script in config["extra_javascript"]:
        assert (root / "docs" / script).is_file()
    assert {Path(s).name for s in config["extra_javascript"]} == {
        p.name for p in (ROOT / "docs" / "assets" / "javascripts").glob("*.js")
    }
    # every kind but the hand-written collections is off until pointed at something
    paths = SourcePaths.from_env(root, environ={})
    assert paths.absent == {"protos", "topology", "rules", "alerts"}
    assert not (root / "macros").exists()  # the macros come from the installed package


def test_scaffold_matches_this_sites_plugin_options_and_extensions(tmp_path: Path) -> None:
    """The new site's ``cells`` options and Markdown extensions are this site's (no snippets: the
    new site has no snippet folder)."""
    scaffold(tmp_path / "s", name="x", package="cellsdocs")
    ours, theirs = mkdocs_yml(ROOT / "mkdocs.yml"), mkdocs_yml(tmp_path / "s" / "mkdocs.yml")

    def cells(config: dict[str, Any]) -> dict[str, Any]:
        return next(p["cells"] for p in config["plugins"] if isinstance(p, dict) and "cells" in p)

    def extensions(config: dict[str, Any]) -> set[str]:
        return {next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]}

    assert cells(theirs) == cells(ours)
    assert extensions(theirs) == extensions(ours) - {"pymdownx.snippets"}
    assert theirs["validation"] == ours["validation"]


@pytest.mark.parametrize(
    "name",
    [
        'Team "A" \\ docs',
        "{{ config.site_name }} {% raw %}",
        "<script>alert(1)</script> *bold* [x](javascript:alert(1))",
        "a: b # not a comment",
        "Équipe données ✓",
    ],
)
def test_the_name_is_escaped_where_it_lands(tmp_path: Path, name: str) -> None:
    files = render_files(name=name, package="cellsdocs")
    (tmp_path / "mkdocs.yml").write_bytes(files["mkdocs.yml"])
    assert mkdocs_yml(tmp_path / "mkdocs.yml")["site_name"] == name
    for page in ("docs/index.md", "README.md"):
        heading = files[page].decode().splitlines()[0]
        assert heading.startswith("# ")
        assert not re.search(r"[<>{}*\[\]`]", heading[2:]), heading  # entities only: no markup, no Jinja


@pytest.mark.parametrize(
    ("name", "package", "message"),
    [
        ("", "cellsdocs", "--name is empty"),
        ("a\nb", "cellsdocs", "U+000A"),
        ("a\u2028b", "cellsdocs", "U+2028"),
        ("x" * 101, "cellsdocs", "101 characters"),
        ("ok", "--index-url=https://evil.example/simple", "read it as an option"),
        ("ok", "-r /etc/passwd", "read it as an option"),
        ("ok", "cellsdocs\n-r x", "U+000A"),
    ],
)
def test_bad_names_and_packages_are_one_line(tmp_path: Path, name: str, package: str, message: str) -> None:
    with pytest.raises(CellsDocsError) as caught:
        scaffold(tmp_path / "new", name=name, package=package)
    assert message in caught.value.format() and "\n" not in caught.value.format()
    assert not (tmp_path / "new").exists()  # nothing written


def test_scaffold_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "docs-site"
    target.mkdir()
    (target / "mkdocs.yml").write_text("mine\n")
    result = cli("new", str(target), "--name", "x")
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and "not empty" in result.stderr and "Traceback" not in result.output
    assert (target / "mkdocs.yml").read_text() == "mine\n"
    (tmp_path / "file").write_text("x")
    result = cli("new", str(tmp_path / "file"))
    assert result.code == 1 and "not a folder" in result.stderr


def test_scaffold_into_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("new", str(tmp_path / "empty"), "--name", "Empty")
    assert result.code == 0, result.output
    assert result.stdout.startswith("new: ") and "make test" in result.stdout
    assert (tmp_path / "empty" / "mkdocs.yml").is_file()


@pytest.mark.slow  # check-jsonschema, a process
def test_scaffold_ci_file_is_valid_for_gitlab(tmp_path: Path) -> None:
    scaffold(tmp_path / "s", name="x", package="cellsdocs")
    ci = tmp_path / "s" / ".gitlab-ci.yml"
    result = run([check_jsonschema(), "--builtin-schema", "vendor.gitlab-ci", str(ci)])
    assert result.code == 0, result.output
    config = yaml.safe_load(ci.read_text())
    assert config["test"]["script"] == ["make test"]
    assert config["pages"]["artifacts"]["paths"] == ["public"]
    makefile = (tmp_path / "s" / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.M))
    assert {"serve", "build", "test", "setup"} <= targets
    assert "--strict" in makefile and "linkcheck" in makefile and "--root ." in makefile


# --- strict builds of scaffolded sites ------------------------------------------------------------


def _build_and_check(root: Path, env: dict[str, str] | None = None) -> Path:
    """``make test`` of the new site: a strict build, then the link check (run from the site's
    folder, as its Makefile does)."""
    site = root / "site"
    python = sys.executable
    built = run([python, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], env=env, cwd=root)
    assert built.code == 0, built.output
    assert "WARNING" not in built.output
    checked = run([python, "-m", "cellsdocs", "--root", ".", "linkcheck", str(site)], env=env, cwd=root)
    assert checked.code == 0, checked.output
    return site


def _nav_labels(site: Path) -> set[str]:
    html = (site / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r'class="md-tabs__link"[^>]*>\s*([^<]+?)\s*<', html))


@pytest.mark.site
def test_a_new_site_builds_strict_with_no_source(tmp_path: Path) -> None:
    root = tmp_path / "team-docs"
    scaffold(root, name="Team docs", package="cellsdocs")
    site = _build_and_check(root)
    built = {p.relative_to(site).as_posix() for p in site.rglob("index.html")}
    assert not [p for p in built if p.startswith("reference/") and p != "reference/drift/index.html"]
    assert "adr/index.html" in built and "runbooks/index.html" in built
    assert "runbooks/alerts/index.html" not in built
    html = (site / "index.html").read_text()
    assert "Team docs" in html and "not used" in html  # the inventory says which kinds are off
    assert "reference/api/" not in html and "reference/cells/" not in html  # no nav entry left for them


@pytest.mark.site
def test_a_new_site_builds_strict_against_the_minimal_sources(tmp_path: Path) -> None:
    root = tmp_path / "team-docs"
    scaffold(root, name="Team docs", package="cellsdocs")
    site = _build_and_check(root, SourceTree(MINIMAL).env)  # the CELLS_* variables enable every kind
    for page in ("reference/api", "reference/cells", "reference/routing/explain", "adr/0001-use-demo"):
        assert (site / page / "index.html").is_file(), page
    assert (site / "runbooks" / "demo" / "demo-down" / "index.html").is_file()
    assert (site / "runbooks" / "alerts" / "index.html").is_file()


@pytest.mark.site
@pytest.mark.parametrize(
    "present",
    [("protos", "adrs"), ("topology", "rules", "alerts"), ("protos", "topology", "rules", "adrs", "runbooks")],
    ids="-".join,
)
def test_a_new_site_builds_strict_with_some_kinds(tmp_path: Path, present: tuple[str, ...]) -> None:
    """Kinds enabled in sources.toml as a team would: the others off, their pages and nav gone;
    alerts without runbooks and runbooks naming alerts the site does not have are not checked."""
    root = tmp_path / "team-docs"
    scaffold(root, name="Team docs", package="cellsdocs")
    shutil.copytree(MINIMAL, root / "src")
    own = {"adrs": "adr", "runbooks": "runbooks"}  # the new site's own folders, given the minimal content
    for kind, folder in own.items():
        if kind in present:
            shutil.copytree(MINIMAL / MINIMAL_PATHS[kind], root / folder, dirs_exist_ok=True)
    manifest(root, {k: own.get(k, f"src/{MINIMAL_PATHS[k]}") for k in present})
    site = _build_and_check(root)
    expected = {
        "protos": "reference/api",
        "topology": "reference/cells",
        "rules": "reference/routing",
        "adrs": "adr",
        "runbooks": "runbooks",
    }
    for kind, folder in expected.items():
        assert (site / folder / "index.html").is_file() == (kind in present), folder
    on_call = "alerts" in present and "runbooks" in present
    assert (site / "runbooks" / "alerts" / "index.html").is_file() == on_call


def write_scale_corpus(root: Path) -> dict[str, str]:
    """The synthetic organisation of the benchmark's scale corpus (scripts/bench.py, at 1x), from
    src/cellsdocs/synth.py alone: the benchmark adds this repository's own sources, whose
    hand-written records link to this site's guides, which a new site rightly does not have."""
    from cellsdocs.synth import write_adrs, write_alerts_and_runbooks, write_proto_tree, write_rule_sets, write_topology

    write_proto_tree(root / "proto", files=40, messages_per_file=8, rpcs_per_file=5)
    write_topology(root / "config.toml", cells=200)
    write_rule_sets(root / "rules", sets=5, rules_per_set=400)
    write_alerts_and_runbooks(root / "alerts", root / "runbooks", alerts=1000, runbooks=300)
    write_adrs(root / "adr", count=1000, first=100, cells=200, rule_sets=5, services=40)
    return SourceTree(root).env


@pytest.mark.site
def test_a_new_site_builds_strict_against_the_scale_corpus(tmp_path: Path) -> None:
    """1,000 ADRs, 200 cells, 5 rule sets of 400 rules, 1,000 alerts, 300 runbooks and 40 proto
    files, through the CELLS_* variables: strict build and link check."""
    env = write_scale_corpus(tmp_path / "corpus")
    root = tmp_path / "team-docs"
    scaffold(root, name="Scale", package="cellsdocs")
    site = _build_and_check(root, env)
    assert len(list((site / "adr").glob("*-synthetic-decision-*/index.html"))) == 1000
    assert len(list((site / "reference" / "cells").glob("cell-*/index.html"))) == 200
    assert len(list((site / "runbooks").glob("svc-*/book-*/index.html"))) == 300


def test_sources_command_says_which_kinds_are_off(tmp_path: Path) -> None:
    root = tmp_path / "s"
    scaffold(root, name="x", package="cellsdocs")
    result = cli("--root", str(root), "sources")
    assert result.code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    for kind in ("protos", "topology", "rules", "alerts"):
        assert "not used" in lines[kind] and "enabled = false" in lines[kind]
    assert "not used" not in lines["adrs"] and str(root / "adr") in lines["adrs"]
