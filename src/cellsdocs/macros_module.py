"""The site's macros as an installed mkdocs-macros module (a "pluglet"), for sites outside this
repository: ``modules: [cellsdocs.macros_module]`` under ``macros`` in ``mkdocs.yml`` (what
``cells-docs new`` writes). This repository's own ``macros/main.py`` registers the same macros.
"""

from __future__ import annotations

from typing import Any

from .macros_env import register

__all__ = ["define_env"]


def define_env(env: Any) -> None:
    register(env)
