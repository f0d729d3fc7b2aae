"""Incremental rebuilds in the warm server (:mod:`cellsdocs.mkdocs.incremental`): an edited guide,
ADR or runbook re-renders only what it must, the result is byte for byte a fresh strict build, and
every edit whose effects reach other pages (a title, an anchor another page links to, a broken
link) falls back to a full build that reports what a fresh build reports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from cellsdocs.cli.serve import Server

from helpers import SourceTree, minimal_project

pytestmark = pytest.mark.site

GUIDE = """# Guide

Read [the other guide's setup section](other.md#setup). The first cell answers at
{{ cell_address("cell-1") }}.

## Details

Some words.
"""

OTHER = """# Other guide

## Setup

How to set things up.
"""


def _tree(site: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and not path.name.startswith("sitemap.xml"):  # <lastmod> is the build date
            files[path.relative_to(site).as_posix()] = path.read_bytes()
    return files


def _project(tmp_path: Path) -> Path:
    """A private copy of the minimal project (the shared one is used by other tests) with two guides."""
    root = tmp_path / "project"
    shutil.copytree(minimal_project().parent, root, symlinks=True)
    (root / "docs" / "guide.md").write_text(GUIDE)
    (root / "docs" / "other.md").write_text(OTHER)
    return root / "mkdocs.yml"


def _fresh(config: Path, out: Path) -> dict[str, bytes]:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    return _tree(out)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _replace(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def _serve_edits(config: Path, edits: list[Callable[[], object]]) -> tuple[list[str], dict[str, bytes]]:
    """A warm server over *config*: the first build, then each edit and its rebuild. The kind of each
    rebuild (incremental or full) and the site served at the end."""
    server = Server(config.parent, port=0, config=config)
    modes = []
    try:
        assert server.build()
        assert server.last_mode == "full"
        for edit in edits:
            edit()
            assert server.build(), server.error
            modes.append(server.last_mode)
        assert server.current is not None
        return modes, _tree(server.current)
    finally:
        server.close()


def _assert_fresh(config: Path, served: dict[str, bytes], out: Path) -> None:
    """*served* is, file for file and byte for byte, a fresh strict build of the same tree."""
    clean = _fresh(config, out)
    assert sorted(served) == sorted(clean)
    assert [name for name in clean if served[name] != clean[name]] == []


def test_edited_pages_are_re_rendered_alone_and_equal_a_fresh_build(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    config = _project(tmp_path)
    guide = config.parent / "docs" / "guide.md"
    adr = sorted((minimal.root / "adr").glob("0*.md"))[0]
    runbook = sorted((minimal.root / "runbooks").rglob("*.md"))[-1]
    modes, served = _serve_edits(
        config,
        [
            partial(_append, guide, "\nA sentence added while serving.\n"),
            partial(_append, adr, "\nA sentence added to the record while serving.\n"),
            partial(_append, runbook, "\nA sentence added to the runbook while serving.\n"),
            partial(_append, guide, "\n## A new section\n\nWith [a link to the setup](other.md#setup).\n"),
        ],
    )
    assert modes == ["incremental"] * 4
    _assert_fresh(config, served, tmp_path / "fresh")
    assert (
        b"A sentence added to the runbook while serving."
        in served[next(name for name in served if runbook.stem in name and name.endswith("index.html"))]
    )


def test_edits_that_reach_other_pages_take_a_full_build_and_are_caught(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    config = _project(tmp_path)
    server = Server(config.parent, port=0, config=config)
    guide = config.parent / "docs" / "guide.md"
    other = config.parent / "docs" / "other.md"
    try:
        assert server.build()
        # a heading another page links to is renamed: the link breaks, the loop says so
        other.write_text(OTHER.replace("## Setup", "## Installation"))
        assert not server.build()
        assert "setup" in server.error and "guide.md" in server.error
        other.write_text(OTHER)
        assert server.build()
        assert server.last_mode == "full"  # the failed build left nothing to build on
        # a title changes: the navigation of every page shows it
        other.write_text(OTHER.replace("# Other guide", "# Another guide"))
        assert server.build()
        assert server.last_mode == "full"
        # a broken link in the edited page itself: reported as a fresh strict build reports it
        _append(guide, "\nSee [nowhere](missing.md).\n")
        assert not server.build()
        assert "missing.md" in server.error
        guide.write_text(GUIDE)
        assert server.build()
        assert server.current is not None
        served = _tree(server.current)
    finally:
        server.close()
    _assert_fresh(config, served, tmp_path / "fresh")


def test_the_last_build_is_never_written_through(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The new build starts as hard links to the last one: every file it rewrites is replaced, so
    the site being served stays exactly as it was while the new one is made."""
    from cellsdocs.cli.serve_worker import _Capture, build_once
    from cellsdocs.mkdocs.incremental import rebuild

    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    config = _project(tmp_path)
    last = build_once(str(config), str(tmp_path / "one"), _Capture())
    assert last is not None
    before = _tree(tmp_path / "one")
    adr = sorted((minimal.root / "adr").glob("0*.md"))[0]
    _append(adr, "\nA sentence added to the record.\n")
    _append(config.parent / "docs" / "guide.md", "\nA sentence added to the guide.\n")
    assert rebuild(last, [str(adr), str(config.parent / "docs" / "guide.md")], tmp_path / "two")
    assert _tree(tmp_path / "one") == before
    after = _tree(tmp_path / "two")
    assert [name for name in after if after[name] != before.get(name)] != []
    assert last.site_dir == tmp_path / "two"
    # a change that is not a page: no incremental answer, and nothing left behind
    assert rebuild(last, [str(config)], tmp_path / "three") is None
    assert not (tmp_path / "three").exists()
    # the offline bundle rewrites every page after the build: always a full build
    offline = last.config.plugins.get("material/offline") or last.config.plugins.get("offline")
    offline.config.enabled = True
    assert rebuild(last, [str(config.parent / "docs" / "guide.md")], tmp_path / "four") is None


def test_a_changed_source_re_renders_its_dependents_and_equals_a_fresh_build(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A proto comment, a cell's address, a rule and an alert description change: the generated
    pages, the runbook pages and the macro pages follow, and the site is a fresh build's."""
    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    config = _project(tmp_path)
    proto = minimal.root / "proto" / "demo" / "v1" / "demo.proto"
    toml = minimal.root / "config.toml"
    rules = minimal.root / "rules" / "session_prefix.json"
    alerts = minimal.root / "alerts" / "demo.yml"
    edits = [
        (proto, "// Classifies requests.", "// Classifies requests (edited while serving)."),
        (toml, 'address = "cell-1.example.com:443"', 'address = "cell-1.edited.example.com:443"'),
        (rules, '"^_gitlab_session$"', '"^_gitlab_session_edited$"'),
        (alerts, "has been down for 5 minutes.", "has been down for five minutes."),
    ]
    for path, old, _ in edits:
        assert old in path.read_text(), path
    modes, served = _serve_edits(config, [partial(_replace, path, old, new) for path, old, new in edits])
    assert modes == ["incremental"] * 4
    _assert_fresh(config, served, tmp_path / "fresh")
    assert b"cell-1.edited.example.com" in served["reference/cells/cell-1/index.html"]
    assert b"cell-1.edited.example.com" in served["guide/index.html"]  # its macro reads config.toml


def test_an_edited_nav_is_the_nav_of_the_next_warm_build(
    minimal: SourceTree, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """MkDocs keeps the plugin instance across the builds of one process: the nav it fills in is
    the nav of mkdocs.yml as it is now, not as it was at the first build."""
    from cellsdocs.cli.serve_worker import _Capture, build_once

    for key, value in minimal.env.items():
        monkeypatch.setenv(key, value)
    config = _project(tmp_path)
    assert build_once(str(config), str(tmp_path / "one"), _Capture()) is not None
    config.write_text(config.read_text().replace("  - Reference:\n", "  - Start here:\n", 1))
    assert build_once(str(config), str(tmp_path / "two"), _Capture()) is not None
    assert b"Start here" in (tmp_path / "two" / "index.html").read_bytes()
    assert b"Start here" not in (tmp_path / "one" / "index.html").read_bytes()
