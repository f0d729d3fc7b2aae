"""The site's macros as an installed mkdocs-macros module (a "pluglet"): ``modules:
[cellsdocs.mkdocs.macros_module]`` under ``macros`` in ``mkdocs.yml``, what ``cells-docs new`` writes.
This repository's ``macros/main.py`` (``module_name: macros/main``) re-exports the same functions.

Each macro is one library function applied to the build's validated sources; see
:mod:`cellsdocs.render.macros` for what each renders.
"""

from __future__ import annotations

from typing import Any

from cellsdocs.mkdocs.macros import register
from cellsdocs.mkdocs.plugin import site_for
from cellsdocs.mkdocs.search import rank_page

__all__ = ["define_env", "on_post_page_macros"]


def define_env(env: Any) -> None:
    register(env)


def on_post_page_macros(env: Any) -> None:
    """Runbooks, ADRs and .proto pages are ranked in search by the build (see cellsdocs.mkdocs.search)."""
    site = site_for(env.conf)
    rank_page(env.page.meta, env.page.file.src_uri, site.pages, set(site.api_site.file_pages.values()))
