"""mkdocs-macros entry point (``module_name: macros/main``): registers library functions as macros.

Each macro is one library function applied to the build's validated sources; see
:mod:`cellsdocs.macros_lib` for what each renders.
"""

from __future__ import annotations

from typing import Any

from cellsdocs.macros_env import register
from cellsdocs.mkdocs.plugin import site_for
from cellsdocs.search import rank_page


def define_env(env: Any) -> None:
    register(env)


def on_post_page_macros(env: Any) -> None:
    """Runbooks, ADRs and .proto pages are ranked in search by the build (see cellsdocs.search)."""
    site = site_for(env.conf)
    rank_page(env.page.meta, env.page.file.src_uri, site.pages, set(site.api_site.file_pages.values()))
