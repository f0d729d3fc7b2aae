"""The plugin as MkDocs sees it (entry point, typed options, state on the instance) and the
version guards on the third-party internals it relies on."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

from cellsdocs.errors import SourceError
from cellsdocs.mkdocs.compat import VERIFIED, require, series
from cellsdocs.mkdocs.plugin import CellsPlugin
from cellsdocs.settings import BuildOptions

from helpers import ROOT


def test_registered_as_the_cells_plugin() -> None:
    points = [e for e in importlib.metadata.entry_points(group="mkdocs.plugins") if e.name == "cells"]
    assert [p.value for p in points] == ["cellsdocs.mkdocs.plugin:CellsPlugin"]


def test_mkdocs_yml_uses_the_plugin_and_no_hooks() -> None:
    text = (ROOT / "mkdocs.yml").read_text()
    assert "\nhooks:" not in text
    assert "  - cells:" in text


@pytest.mark.parametrize("distribution", sorted(VERIFIED))
def test_installed_versions_are_the_verified_ones(distribution: str) -> None:
    require(distribution)  # the lock file installs the verified series


@pytest.mark.parametrize("distribution", sorted(VERIFIED))
def test_other_versions_are_refused_in_one_line(distribution: str) -> None:
    verified = VERIFIED[distribution][0]
    major, minor = verified.split(".")
    with pytest.raises(PluginError) as caught:
        require(distribution, installed=f"{major}.{int(minor) + 1}.0")
    message = str(caught.value)
    assert "\n" not in message and f"verified against {verified}.x" in message and "fix:" in message


def test_pyproject_bounds_each_patched_dependency_to_its_verified_series() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    for distribution, (verified, _what, _tests) in VERIFIED.items():
        major, minor = verified.split(".")
        assert f'"{distribution}>={verified},<{major}.{int(minor) + 1}"' in text, distribution
    assert series("1.6.1") == "1.6"


def test_build_options_are_checked() -> None:
    assert BuildOptions.parse({"drift": " Report "}).drift == "report"
    assert BuildOptions.parse({"drift": None, "build_date": ""}) == BuildOptions()
    with pytest.raises(SourceError, match="unknown drift mode"):
        BuildOptions.parse({"drift": "loose"})
    with pytest.raises(SourceError, match="is not a date"):
        BuildOptions.parse({"build_date": "soon"})


def test_plugin_keeps_the_loaded_model_while_the_sources_do_not_change(tmp_path: Path) -> None:
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    plugin = config.plugins["cells"]
    assert isinstance(plugin, CellsPlugin)
    first = plugin.load(config)
    assert plugin.load(config) is first  # unchanged sources: the same model, not loaded again
    plugin.config.drift = "report"
    assert plugin.load(config) is not first  # a different option is a different model


def test_options_from_the_environment_are_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """!ENV reads a value as YAML: a date or an all-digit revision still reaches the plugin as text."""
    monkeypatch.setenv("CELLS_BUILD_DATE", "2026-06-01")
    monkeypatch.setenv("CELLS_API_BASE", "1234567")
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    plugin = config.plugins["cells"]
    assert isinstance(plugin, CellsPlugin)
    assert plugin.config.build_date == "2026-06-01" and plugin.config.api_base == "1234567"
    assert plugin.options().build_date is not None and plugin.options().build_date.isoformat() == "2026-06-01"
