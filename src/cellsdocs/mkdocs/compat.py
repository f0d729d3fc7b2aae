"""The places where the site reaches into a third-party package's internals, each refused on a
version it was not verified against (as :mod:`cellsdocs.linkcheck.engine` does for linkchecker).

- mkdocs-macros: its ``env.render`` is replaced by a sandboxed, strict one (:mod:`..macros_env`).
- MkDocs: ``PluginCollection._event_origins`` is read to time our events (:mod:`..buildclock`,
  benchmark only); a page's cached ``title`` is dropped and ``_title_from_render`` read so that
  the title taken from a rendered heading stays escaped (:mod:`.plugin`).

``pyproject.toml`` bounds each dependency to the series named here; raising a bound means
re-running the tests named in ``VERIFIED`` and updating it.
"""

from __future__ import annotations

import importlib.metadata

from mkdocs.exceptions import PluginError

__all__ = ["VERIFIED", "require"]

#: distribution -> (verified series, what relies on it, the tests that verify it)
VERIFIED: dict[str, tuple[str, str, str]] = {
    "mkdocs": ("1.6", "page titles and event timing", "tests/test_compat.py, tests/test_templating.py"),
    "mkdocs-macros-plugin": ("1.5", "the sandboxed page rendering", "tests/test_compat.py, tests/test_templating.py"),
}


def series(version: str) -> str:
    return ".".join(version.split(".")[:2])


def require(distribution: str, *, installed: str | None = None) -> None:
    """Refuse to patch *distribution* when the installed version is not of the verified series."""
    verified, what, tests = VERIFIED[distribution]
    version = installed if installed is not None else importlib.metadata.version(distribution)
    if series(version) != verified:
        raise PluginError(
            f"cellsdocs: {distribution} {version} is installed, but {what} is verified against {verified}.x "
            f"(fix: install {distribution} {verified}.x as uv.lock pins it, or re-verify with {tests} and "
            "update cellsdocs/mkdocs/compat.py)"
        )
