"""Benchmark only (``CELLS_DUMP_MARKDOWN=<folder>``): save what a plain MkDocs build of the same
site needs (every page's final Markdown, the expanded nav, every non-page file), so
``scripts/bench.py`` can compare the full build with MkDocs alone. Never imported by a normal build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

__all__ = ["dump_assets", "dump_nav", "dump_page"]


def _target() -> Path:
    return Path(os.environ["CELLS_DUMP_MARKDOWN"])


def dump_nav(config: MkDocsConfig) -> None:
    target = _target()
    target.mkdir(parents=True, exist_ok=True)
    (target / "_nav.json").write_text(json.dumps(config.nav), encoding="utf-8")


def dump_page(page: Page) -> None:
    meta = {k: (str(v) if isinstance(v, str) else v) for k, v in page.meta.items() if k != "render_macros"}
    front = f"---\n{yaml.safe_dump(meta, sort_keys=True)}---\n\n" if meta else ""
    path = _target() / page.file.src_uri
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front + (page.markdown or ""), encoding="utf-8")


def dump_assets(config: MkDocsConfig, files: Files) -> None:
    theme_dirs = [str(Path(d).resolve()) for d in config.theme.dirs]
    for file in files:
        from_theme = file.abs_src_path and any(file.abs_src_path.startswith(d) for d in theme_dirs)
        if not file.is_documentation_page() and not from_theme:
            path = _target() / file.src_uri
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file.content_bytes)
