"""The header every generated page shares: its front matter and the *generated from* banner.

A generated page is never a template (``render_macros: false``), names the module that renders it
and the source it comes from, and tells the reader where to make a change. Each renderer builds
one :class:`GeneratedPage` and prepends :meth:`GeneratedPage.header` to its body, so the header is
written in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cellsdocs.markdown import code


@dataclass(frozen=True)
class GeneratedPage:
    """The shared header of one generated page.

    ``source`` is Markdown that names what the page is generated from (already escaped: build it
    with :func:`cellsdocs.markdown.code`); ``generator`` is the dotted name of the rendering module
    or function, shown so that a reader goes from the page to its code in one hop.
    """

    generator: str
    source: str
    heading: str | None = None  # the H1, Markdown escaped by the caller (None: the body has its own)
    title: str | None = None  # the nav and tab title, when it is not the H1
    edit: str = "Edit the source, not this page."
    when: str | None = None  # shown after "Generated at build time" (e.g. the build date)
    hide_toc: bool = False
    search_boost: int | None = None

    def front_matter(self) -> str:
        lines = ["---", "render_macros: false"]
        if self.search_boost is not None:
            lines += ["search:", f"  boost: {self.search_boost}"]
        if self.title is not None:
            lines.append(f"title: {json.dumps(self.title)}")
        if self.hide_toc:
            lines += ["hide:", "  - toc"]
        return "\n".join(lines) + "\n---\n\n"

    def banner(self) -> str:
        when = f" ({self.when})" if self.when else ""
        edit = f" {self.edit}" if self.edit else ""
        return (
            f'<p class="cells-generated" data-search-exclude>Generated at build time{when} from {self.source} '
            f"by {code(self.generator)}.{edit}</p>\n\n"
        )

    def header(self) -> str:
        heading = f"# {self.heading}\n\n" if self.heading else ""
        return self.front_matter() + heading + self.banner()
