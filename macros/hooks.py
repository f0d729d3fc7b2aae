"""MkDocs hooks (see ``hooks:`` in mkdocs.yml): thin wiring to :mod:`cellsdocs.mkdocs_adapter`."""

import time

_started = time.perf_counter()

from cellsdocs import buildclock  # noqa: E402
from cellsdocs.mkdocs_adapter import (  # noqa: E402
    on_config,
    on_env,
    on_files,
    on_page_content,
    on_page_markdown,
    on_post_build,
    on_post_page,
    on_serve,
)

buildclock.add(time.perf_counter() - _started)  # importing the library counts as its cost

__all__ = [
    "on_config",
    "on_env",
    "on_files",
    "on_page_content",
    "on_page_markdown",
    "on_post_build",
    "on_post_page",
    "on_serve",
]
