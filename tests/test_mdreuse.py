"""Markdown extensions built once per build (cellsdocs.mkdocs.mdreuse) render every page exactly as
extensions built per page do, whatever pages came before; front matter is parsed once per text."""

from __future__ import annotations

import markdown
import pytest
from mkdocs.config import load_config

from cellsdocs.errors import SourceError
from cellsdocs.mkdocs.mdreuse import build_extensions_once
from cellsdocs.sources.frontmatter import split_front_matter

from conftest import ROOT

PAGES = [
    "# One\n\nText with a footnote[^a] and HTML.\n\n[^a]: The note.\n\n## Same heading\n\n"
    '!!! note "Admonition"\n    Body.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
    "# Two\n\n## Same heading\n\nAnother footnote[^a], numbered afresh.\n\n[^a]: Another note.\n\n"
    "*[ABC]: An abbreviation of this page only\n\nABC here.\n\n"
    '=== "Tab one"\n\n    One.\n\n=== "Tab two"\n\n    Two.\n\n??? info "Details"\n    Hidden.\n',
    "# Three\n\nABC is no abbreviation here.\n\nTerm\n:   Definition.\n\n- [x] done\n- [ ] open\n\n"
    ":smile: `#!python print(1)`\n\n```python\nprint('fenced')\n```\n\n<div markdown>\n*inside*\n</div>\n",
    "# One\n\nThe first page again: the same output as the first time.[^a]\n\n[^a]: Note.\n",
]


def test_extensions_built_once_render_as_extensions_built_per_page() -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    names = list(config.markdown_extensions)
    configs = config.mdx_configs or {}
    per_page = [markdown.Markdown(extensions=names, extension_configs=configs).convert(p) for p in PAGES]
    build_extensions_once(config)
    assert not any(isinstance(ext, str) for ext in config.markdown_extensions)
    once = [
        markdown.Markdown(extensions=config.markdown_extensions, extension_configs=configs).convert(p) for p in PAGES
    ]
    assert once == per_page
    assert "fnref:a" in once[1] and "An abbreviation" in once[1] and "An abbreviation" not in once[2]
    assert once[0] == per_page[0] and once[3] != once[0]


def test_front_matter_is_parsed_once_per_text() -> None:
    text = "---\nstatus: accepted\n---\n\n# Title\n"
    first = split_front_matter(text, file="a.md")
    assert split_front_matter(text, file="a.md") is first
    assert split_front_matter(text, file="b.md") is not first  # messages name the file
    assert split_front_matter(text.replace("accepted", "proposed"), file="a.md").data["status"] == "proposed"
    for _ in range(2):  # an error is raised every time, never remembered as a result
        with pytest.raises(SourceError, match="never closed"):
            split_front_matter("---\nstatus: x\n", file="a.md")
