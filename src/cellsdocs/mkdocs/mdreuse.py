"""Each Markdown extension of ``mkdocs.yml`` built once per build, not once per page.

MkDocs creates a ``markdown.Markdown`` for every page from the extension *names* of the config,
and Python-Markdown builds every named extension anew each time (an entry-point lookup, an import
and its configuration: about a tenth of the Markdown time of a page in the profile of a 1,000-ADR
build). Given extension *instances*, it uses them as they are and only registers them with the
page's ``Markdown``, whose ``reset`` clears each extension's per-document state. So, once the
config is final (``on_nav``, run last: every ``on_config`` has run, no page is rendered yet), the
names are replaced by instances built the way Python-Markdown builds them. The built site is byte
for byte the same (``tests/test_mdreuse.py``; a full build compared before and after).
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_extensions_once"]


def build_extensions_once(config: Any) -> None:
    """Replace the extension names of *config* (``MkDocsConfig``) by extensions built once."""
    import markdown

    builder = markdown.Markdown()
    configs = config.mdx_configs or {}
    config.markdown_extensions = [
        builder.build_extension(ext, configs.get(ext, {})) if isinstance(ext, str) else ext
        for ext in config.markdown_extensions
    ]
