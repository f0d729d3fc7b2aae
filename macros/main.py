"""mkdocs-macros entry point (``module_name: macros/main``): registers library functions as macros.

Each macro is one library function applied to the build's validated sources; see
:mod:`cellsdocs.macros_lib` for what each renders.
"""

from __future__ import annotations

from typing import Any

from cellsdocs.macros_env import register


def define_env(env: Any) -> None:
    register(env)
