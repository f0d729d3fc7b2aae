"""linkchecker, with every page fetched and parsed once however many of its anchors are linked.

Run as ``python -m cellsdocs.linkcheck.engine <linkchecker arguments>``. This is the real
linkchecker: its URL queue and cache, URL syntax checks and normalisation, HTTP checks,
redirects, internal/external filtering, recursion, its table of which attributes of which tags
are links (``LinkFinder``), the ``AnchorCheck`` verdicts and their wording, its loggers, counts
and exit codes. Four changes make it fast on a large generated site, and leave what it reports
the same:

1. **One fetch and parse per page.** With ``AnchorCheck`` on, linkchecker keys its cache by the
   URL *with* its fragment, so ``page/#a`` and ``page/#b`` each download and parse ``page/``
   again (upstream issue linkchecker#781, open). Here the first check of a page remembers its
   result and its anchors; every other ``page/#x`` gets a copy of that result plus its own
   anchor verdict, worded by ``AnchorCheck`` itself.
2. **lxml builds the page tree.** linkchecker parses pages into a BeautifulSoup tree, which is
   most of its running time on pages carrying a large nav. Here libxml2 (through lxml) builds it,
   decoded exactly as BeautifulSoup decodes (``UnicodeDammit``), and the three readers of the
   tree (link extraction, anchors, the robots ``<meta>``) walk it. Link names are computed for
   ``<a>`` only, the one tag ``LinkFinder.get_link_name`` uses them for (linkchecker computed
   the text of every element, quadratic in the nesting depth). lxml reports source lines but not
   columns, so a report gives the line of a broken link and no column.
3. **A link already queued is not built again.** linkchecker builds a ``UrlData`` for every link
   on every page (the nav repeats hundreds per page) and only then drops it as already queued;
   here a link whose absolute URL was seen before is dropped first. linkchecker reports each
   failing URL once, at its first occurrence, either way.
4. **Debug logging is skipped** unless ``--debug`` was given (millions of no-op calls otherwise).

These touch linkchecker's internals, so the engine runs only on the version it was verified
against (:data:`VERIFIED`); ``tests/test_linkcheck_engine.py`` checks that it reports exactly
what stock linkchecker reports on a site full of broken links and anchors.
"""

from __future__ import annotations

import copy
import importlib.metadata
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

import linkcheck.log
from bs4.dammit import UnicodeDammit
from linkcheck.checker import httpurl, urlbase
from linkcheck.director import checker
from linkcheck.htmlutil import linkparse
from linkcheck.plugins import anchorcheck
from lxml import etree

__all__ = ["VERIFIED", "Page", "install", "installed_version", "main"]

VERIFIED = "10.6.0"

_upstream_check_url = checker.check_url
_upstream_add_url = urlbase.UrlBase.add_url


class Page:
    """A page parsed by lxml, offering what linkchecker reads of its BeautifulSoup tree: the
    ``original_encoding`` and the elements in document order."""

    __slots__ = ("original_encoding", "root")

    def __init__(self, markup: bytes | str, from_encoding: str | None = None) -> None:
        if isinstance(markup, str):
            text, self.original_encoding = markup, None
        else:  # decoded as BeautifulSoup's html.parser builder decodes
            dammit = UnicodeDammit(
                markup, known_definite_encodings=[from_encoding] if from_encoding else [], is_html=True
            )
            text = dammit.unicode_markup if dammit.unicode_markup is not None else markup.decode("latin-1")
            self.original_encoding = dammit.original_encoding
        parser = etree.HTMLParser(recover=True, huge_tree=True)  # huge_tree: no nesting-depth limit
        try:
            self.root = etree.fromstring(text, parser)
        except ValueError:  # an XML declaration naming an encoding inside a str
            self.root = etree.fromstring(text.encode("utf-8"), etree.HTMLParser(encoding="utf-8", huge_tree=True))

    def elements(self) -> Iterator[Any]:
        if self.root is not None:
            for element in self.root.iter():
                if isinstance(element.tag, str):  # not a comment or processing instruction
                    yield element

    def anchors(self) -> frozenset[str]:
        """What ``AnchorCheck`` collects (``linkparse.AnchorTags``): every ``id``, and ``name`` on ``<a>``."""
        found: set[str] = set()
        for element in self.elements():
            attrs = element.attrib
            if "id" in attrs:
                found.add(attrs["id"])
            if element.tag == "a" and "name" in attrs:
                found.add(attrs["name"])
        return frozenset(found)


class _Pages:
    """Per page (its URL without fragment): the result of its check without any anchor verdict,
    and the anchors it defines."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[Any, frozenset[str]]] = {}

    def get(self, key: str) -> tuple[Any, frozenset[str]] | None:
        return self._pages.get(key)

    def remember(self, key: str, result: Any, anchors: frozenset[str]) -> None:
        with self._lock:
            self._pages.setdefault(key, (result, anchors))


_pages = _Pages()
_queued: set[str] = set()


def _get_content(self: Any, encoding: str | None = None) -> str:
    """``UrlBase.get_content``, with the page parsed by lxml (:class:`Page`)."""
    if self.text is None:
        self.get_raw_content()
        self.soup = Page(self.data, encoding)
        # linkchecker's fallback: any byte string decodes as ISO-8859-1
        self.content_encoding = self.soup.original_encoding or "ISO-8859-1"
        self.text = self.data.decode(self.content_encoding)
    text: str = self.text
    return text


def _find_links(page: Page, callback: Any, tags: Any) -> None:
    """``linkparse.find_links`` over a :class:`Page`, the link name computed for ``<a>`` only."""
    finder = linkparse.LinkFinder(callback, tags)
    for element in page.elements():
        tag = element.tag
        finder.html_element(
            tag,
            dict(element.attrib),
            "".join(element.itertext()).strip() if tag == "a" else "",
            element.sourceline,
            None,
        )


def _content_allows_robots(self: Any) -> bool:
    """``HttpUrl.content_allows_robots``: no ``<meta name="robots" content="...nofollow...">``."""
    if not self.is_html():
        return True
    return not any(
        element.tag == "meta"
        and element.get("name") == "robots"
        and httpurl.nofollow_re.search(element.get("content") or "")
        for element in self.get_soup().elements()
    )


def _anchor_verdict(url_data: Any, anchors: frozenset[str]) -> None:
    """Add AnchorCheck's own warning when the URL's anchor is not among *anchors*."""
    check = anchorcheck.UrlAnchorCheck()
    check.anchors = [(name, None, None, None, None) for name in sorted(anchors)]
    check.check_anchor(url_data)


def _anchor_check(self: Any, url_data: Any) -> None:
    """``AnchorCheck.check``, noting the page's warnings before the verdict, and its anchors."""
    anchors = url_data.get_soup().anchors()
    url_data.cells_page = (list(url_data.warnings), anchors)
    _anchor_verdict(url_data, anchors)


def _check_url(url_data: Any, logger: Any) -> None:
    """``checker.check_url``, answering ``page#anchor`` from the page when it was checked before."""
    if url_data.has_result or not url_data.cache_url:
        _upstream_check_url(url_data, logger)
        return
    key = urllib.parse.urldefrag(url_data.cache_url)[0]
    known = _pages.get(key)
    if known is None or not url_data.anchor:
        own = list(url_data.warnings)  # syntax warnings of this URL, not of the page
        _upstream_check_url(url_data, logger)
        _remember(key, url_data, own)
        return
    page, anchors = known
    result = copy.copy(page)
    result.url = url_data.url
    result.cache_url = url_data.cache_url
    result.parent_url = url_data.parent_url
    result.base_ref = url_data.base_ref or ""
    result.base_url = url_data.base_url or ""
    result.line = url_data.line
    result.column = url_data.column
    result.level = url_data.recursion_level
    result.name = url_data.name
    result.info = list(page.info)
    url_data.warnings.extend(w for w in page.warnings if w not in url_data.warnings)
    _anchor_verdict(url_data, anchors)
    result.warnings = url_data.warnings
    url_data.aggregate.result_cache.add_result(url_data.cache_url, result)
    logger.log_url(result)


def _remember(key: str, url_data: Any, own: list[Any]) -> None:
    noted = getattr(url_data, "cells_page", None)
    if noted is not None:
        warnings, anchors = noted
    elif isinstance(url_data.soup, Page) and url_data.valid and url_data.is_html():
        warnings, anchors = list(url_data.warnings), url_data.soup.anchors()
    else:
        return  # not an HTML page whose content was read: nothing to answer anchors from
    result = url_data.to_wire()
    result.warnings = [w for w in warnings if w not in own]
    _pages.remember(key, result, anchors)


def _add_url(  # noqa: PLR0917 (linkchecker's own signature)
    self: Any,
    url: str | None,
    line: int = 0,
    column: int = 0,
    page: int = 0,
    name: str = "",
    base: str | None = None,
    parent: str | None = None,
) -> None:
    """``UrlBase.add_url``, dropping a link whose absolute URL was queued before."""
    if url:
        parent_url = self.url if parent is None else parent
        absolute = urllib.parse.urljoin(urllib.parse.urljoin(parent_url, base) if base else parent_url, url)
        if absolute in _queued:
            return
        _queued.add(absolute)
    _upstream_add_url(self, url, line, column, page, name, base, parent)


def _no_debug(*args: object, **kwargs: object) -> None:
    pass


def installed_version() -> str:
    return importlib.metadata.version("LinkChecker")


def install(*, debug: bool = False) -> None:
    """Apply the changes to the imported linkchecker (refused on a version not verified)."""
    if (version := installed_version()) != VERIFIED:
        raise SystemExit(
            f"cellsdocs.linkcheck.engine: linkchecker {version} is installed, but the engine "
            f"was verified against {VERIFIED} (fix: install linkchecker=={VERIFIED} with make setup, or "
            "re-run tests/test_linkcheck_engine.py against the new version and update VERIFIED)"
        )
    checker.check_url = _check_url
    urlbase.UrlBase.get_content = _get_content
    urlbase.UrlBase.add_url = _add_url
    httpurl.HttpUrl.content_allows_robots = _content_allows_robots
    linkparse.find_links = _find_links
    anchorcheck.AnchorCheck.check = _anchor_check
    if not debug:
        linkcheck.log.debug = _no_debug


def main() -> None:
    from linkcheck.command.linkchecker import linkchecker

    install(debug=any(arg.startswith(("-D", "--debug")) for arg in sys.argv[1:]))
    linkchecker()


if __name__ == "__main__":
    main()
