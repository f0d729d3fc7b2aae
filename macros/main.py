"""mkdocs-macros entry point (``module_name: macros/main``): the site's macros and search ranking,
exactly those of :mod:`cellsdocs.mkdocs.macros_module` (which sites made by ``cells-docs new`` load as an
installed module: ``modules: [cellsdocs.mkdocs.macros_module]``).
"""

from __future__ import annotations

from cellsdocs.mkdocs.macros_module import define_env, on_post_page_macros

__all__ = ["define_env", "on_post_page_macros"]
