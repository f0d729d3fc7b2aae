"""Search that answers: questions of newcomers, on-call engineers and adopting teams, each asked in
Chromium through the search link (``?q=``), and the FACT its answer must state. A question passes
when one of the first three results states the fact: in the result's snippet, or in the text of
the page it lands on (the page's content, without what is kept out of the search index: banners,
related-record lists, tag rows). At least 90% must pass.

Each question is asked on a fresh page, so the results read are those of that query alone, never of
a half-typed one still in the search worker's queue; the result list renders in batches, so it is
read until two reads 200 ms apart agree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from cellsdocs.mkdocs.search import ADR_BOOST, PROTO_FILE_BOOST, RUNBOOK_BOOST, rank_page

from conftest import ROOT
from helpers import ARTIFACTS

GLOSSARY = ROOT / "docs" / "glossary.md"
ABBREVIATIONS = ROOT / "docs" / "snippets" / "glossary.md"


@dataclass(frozen=True)
class Question:
    who: str  # newcomer, on-call or adopting team
    question: str
    query: str  # what they type
    fact: str  # what a top-3 result must state (case and spacing aside)


NEW, ONCALL, TEAM = "newcomer", "on-call", "adopting team"

QUESTIONS = [
    # newcomers: words, reasons, the shape of the platform
    Question(NEW, "What is a blast radius?", "blast radius", "set of users an incident can affect"),
    Question(NEW, "What is a cell?", "cell", "complete, independent copy of the application stack"),
    Question(NEW, "What is a session prefix?", "session prefix", "prefix that starts every session ID"),
    Question(NEW, "What is a sequence range?", "sequence range", "never overlap"),
    Question(NEW, "What is a deployment ring?", "deployment ring", "lowest ring first"),
    Question(NEW, "What is a routable token?", "routable token", "non-secret part"),
    Question(NEW, "Which cell is the first cell?", "first cell legacy", "cell-1"),
    Question(NEW, "Why does the platform use cells at all?", "why cells", "blast radius"),
    Question(NEW, "How does the router pick a rule?", "router rule order", "first rule that matches"),
    Question(NEW, "Which cell serves a request with a session cookie?", "session cookie cell", "_gitlab_session"),
    Question(NEW, "Why are sessions not shared between cells?", "shared Redis sessions", "rejected"),
    Question(NEW, "Which rule set is active?", "active rule set", "session_prefix"),
    Question(NEW, "Which cells exist?", "list of cells", "cell-6"),
    Question(NEW, "What are the states of a cell?", "cell state lifecycle", "draining"),
    Question(NEW, "What does classification mean?", "classify", "classification type"),
    Question(NEW, "What does Classify return?", "ClassifyResponse", "cache_ttl_seconds"),
    # on-call: an alert name, or a service and a symptom
    Question(ONCALL, "TopologyServiceDown fired: whom do I page?", "TopologyServiceDown", "incident manager"),
    Question(
        ONCALL,
        "CellSequenceRangeExhausted fired: what now?",
        "CellSequenceRangeExhausted",
        "database on-call at once",
    ),
    Question(
        ONCALL,
        "The Topology Service is down: may I restart cells?",
        "topology service down",
        "Do not restart cells while the service is down",
    ),
    Question(ONCALL, "Router error rate is high", "router error rate", "HttpRouterHighErrorRate"),
    Question(ONCALL, "Replicas lag: when do I page the database?", "replication lag", "database on-call"),
    Question(ONCALL, "Many claims are refused", "claim conflicts", "TopologyServiceClaimConflictsHigh"),
    Question(ONCALL, "The router rejected its rules", "router rejected rule set", "HttpRouterRulesConfigInvalid"),
    Question(ONCALL, "A cell is down", "cell down", "CellDown"),
    Question(ONCALL, "The cell inventory did not reload", "config reload failed", "TopologyServiceConfigReloadFailed"),
    Question(ONCALL, "Classification is slow", "classify slow", "TopologyServiceClassifyLatencyHigh"),
    Question(ONCALL, "Slow classification answers", "classification latency", "TopologyServiceClassifyLatencyHigh"),
    Question(ONCALL, "The router cannot classify", "router classify failures", "HttpRouterClassifyFailures"),
    Question(ONCALL, "Where is the readiness endpoint?", "readiness", "/-/readiness"),
    Question(
        ONCALL, "Topology storage errors: what breaks?", "topology storage errors", "Classify answers from memory"
    ),
    Question(ONCALL, "Which alerts page someone?", "on-call index", "pagerduty"),
    Question(ONCALL, "Which runbooks are overdue for review?", "runbook freshness", "review"),
    # adopting teams: the API, its REST form, making a feature cell-aware, recording a decision
    Question(TEAM, "How do I make my feature cell-aware?", "cell-aware feature", "cell-aware"),
    Question(TEAM, "How do I claim a unique username?", "claim username", "CreateClaim"),
    Question(TEAM, "What is the REST path of CreateClaim?", "CreateClaim REST", "/v1/claims"),
    Question(TEAM, "What is the REST path of GetCellInfo?", "GetCellInfo REST", "/v1/cells/{cell_id}"),
    Question(TEAM, "How do I change a cell's state over HTTP?", "UpdateCellState", "/v1/cells/{cell_id}/state"),
    Question(TEAM, "How do I release a claim?", "release claim", "/v1/claims:release"),
    Question(TEAM, "How do I reserve a sequence range?", "ReserveSequenceRange", "sequence-range:reserve"),
    Question(TEAM, "How do I follow cell changes without polling?", "watch cells stream", "revision"),
    Question(TEAM, "Who may call Classify?", "Classify access caller", "CALLER_HTTP_ROUTER"),
    Question(TEAM, "How do I record a new decision?", "adr new command", "cells-docs adr new"),
    Question(TEAM, "How long may the router cache an answer?", "cache classify answers", "cache_ttl_seconds"),
    Question(TEAM, "How do I try a request against the rules?", "route explainer", "explain"),
    Question(TEAM, "What changed in the API?", "API breaking changes", "breaking"),
]


@dataclass(frozen=True)
class Result:
    href: str  # site path (and anchor) of the page's result
    snippet: str  # the result's title and text as shown
    sections: tuple[str, ...] = ()  # site paths and anchors of the sections shown under it


#: the result count reads "No matching documents", "1 matching document" or "N matching documents"
WORKER_ANSWERED = """() => /matching/i.test(document.querySelector('.md-search-result__meta')?.textContent || '')"""

READ_RESULTS = """items => items.map(item => [
  [...item.querySelectorAll('a')].map(link => link.href),
  item.innerText,
])"""


def ask(browser: Any, site_url: str, query: str) -> list[Result]:
    """The results of *query*, asked on a fresh page through the search link, one per page."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{site_url}?q={quote(query)}")
        page.wait_for_function(WORKER_ANSWERED, timeout=30_000)
        rows: list[list[str]] = []
        for _ in range(40):  # the list renders in batches: read until two reads agree
            page.wait_for_timeout(200)
            current = page.locator(".md-search-result__item").evaluate_all(READ_RESULTS)
            if current == rows:
                break
            rows = current
    finally:
        page.close()
    results = []
    for hrefs, text in rows:
        paths = [_site_path(href, site_url) for href in hrefs] or [""]
        results.append(Result(paths[0], text, tuple(paths[1:])))
    return results


def _site_path(href: str, site_url: str) -> str:
    url = urlsplit(href.removeprefix(site_url))
    return unquote(url.path) + (f"#{url.fragment}" if url.fragment else "")


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@cache
def page_text(site: Path, path: str) -> str:
    """The text of a built page's content, without what is kept out of the search index."""
    file = site / path.split("#", 1)[0] / "index.html"
    if not file.is_file():
        return ""
    soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")
    article = soup.select_one("article.md-content__inner")
    if article is None:
        return ""
    # Material removes data-search-exclude="..." from the pages; the classes of those blocks stay
    for excluded in article.select("[data-search-exclude], .cells-generated, .cells-adr-meta, .cells-decisions"):
        excluded.decompose()
    return normal(article.get_text(" "))


def answers(site: Path, result: Result, fact: str) -> bool:
    wanted = normal(fact)
    return wanted in normal(result.snippet) or wanted in page_text(site, result.href)


def test_questions_cover_every_reader() -> None:
    assert len(QUESTIONS) >= 30
    assert {q.who for q in QUESTIONS} == {NEW, ONCALL, TEAM}
    assert len({q.query for q in QUESTIONS}) == len(QUESTIONS), "each question is asked differently"


@pytest.mark.site
@pytest.mark.browser
def test_search_answers_the_questions(browser: Any, site_url: str, built_site: Path) -> None:
    misses = []
    for q in QUESTIONS:
        top = []
        for result in ask(browser, site_url, q.query):
            if result.href.split("#", 1)[0] not in [r.href.split("#", 1)[0] for r in top]:
                top.append(result)
        top = top[:3]
        if not any(answers(built_site, result, q.fact) for result in top):
            misses.append(f"[{q.who}] {q.question} ({q.query!r}) wants {q.fact!r}; top 3: {[r.href for r in top]}")
    rate = 1 - len(misses) / len(QUESTIONS)
    print(f"search pass rate: {rate:.0%} ({len(QUESTIONS) - len(misses)}/{len(QUESTIONS)})")
    for miss in misses:
        print("miss:", miss)
    assert rate >= 0.9, "\n".join(misses)


def runbook_of_each_alert() -> dict[str, str]:
    found = {}
    for book in sorted((ROOT / "runbooks").glob("*/*.md")):
        listed = re.search(r"^alerts: \[(.*)\]", book.read_text(encoding="utf-8"), re.M)
        for alert in listed.group(1).split(",") if listed else []:
            found[alert.strip()] = f"runbooks/{book.parent.name}/{book.stem}/"
    return found


@pytest.mark.site
@pytest.mark.browser
def test_an_alert_name_lands_on_its_runbook_first(browser: Any, site_url: str) -> None:
    """On call, an alert's name is pasted whole: its runbook is the first result."""
    alerts = runbook_of_each_alert()
    assert len(alerts) >= 10
    wrong = {}
    for alert, runbook in alerts.items():
        results = ask(browser, site_url, alert)
        first = results[0].href.split("#", 1)[0] if results else None
        if first != runbook:
            wrong[alert] = first
    assert not wrong, wrong


@pytest.mark.site
@pytest.mark.browser
def test_a_glossary_term_lands_on_its_definition(browser: Any, site_url: str) -> None:
    results = ask(browser, site_url, "blast radius")
    assert "glossary/#blast-radius" in [link for r in results[:3] for link in (r.href, *r.sections)], results[:3]


@pytest.mark.site
@pytest.mark.browser
def test_search_results_page_screenshot(browser: Any, site_url: str) -> None:
    """What a reader sees: the result list of an on-call query, at desktop width."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site_url}?q={quote('topology service down')}")
    page.wait_for_function(WORKER_ANSWERED, timeout=30_000)
    page.locator(".md-search-result__item").first.wait_for(timeout=30_000)
    page.wait_for_timeout(400)
    snippets = page.locator(".md-search-result__item").all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-results-1280.png"))
    page.close()
    assert not [s for s in snippets if "Generated at build time" in s], snippets


# -- what goes into the index, and how it is ranked (no browser) --


def test_runbooks_and_records_are_ranked_by_the_build() -> None:
    hostile = {"search": {"boost": 1e9, "exclude": True}, "title": "x"}
    runbook = dict(hostile)
    rank_page(runbook, "runbooks/cell/cell-down.md", generated=set())
    assert runbook["search"] == {"boost": RUNBOOK_BOOST}
    record = dict(hostile)
    rank_page(record, "adr/0007-claim.md", generated=set())
    assert record["search"] == {"boost": ADR_BOOST}
    proto = dict(hostile)
    rank_page(
        proto,
        "reference/api/x/cell_info.md",
        generated={"reference/api/x/cell_info.md"},
        proto_files={"reference/api/x/cell_info.md"},
    )
    assert proto["search"] == {"boost": PROTO_FILE_BOOST}
    assert RUNBOOK_BOOST > 1 > ADR_BOOST


def test_other_pages_keep_their_own_ranking() -> None:
    for uri in ("guides/why-cells.md", "glossary.md", "runbooks/alerts.md", "adr/index.md", "runbooks/cell/index.md"):
        meta: dict[str, Any] = {"search": {"boost": 2}}
        rank_page(meta, uri, generated={"runbooks/alerts.md", "adr/index.md", "runbooks/cell/index.md"})
        assert meta == {"search": {"boost": 2}}, uri


def glossary_terms() -> list[str]:
    return re.findall(r"^## (.+)$", GLOSSARY.read_text(encoding="utf-8"), re.M)


def abbreviations() -> list[str]:
    return re.findall(r"^\*\[([^\]]+)\]:", ABBREVIATIONS.read_text(encoding="utf-8"), re.M)


def test_every_abbreviation_has_a_definition_in_the_glossary() -> None:
    """Each word explained on hover (docs/snippets/glossary.md) is defined in the glossary, under
    its own heading (so search lands on it), as a plural of one, or in bold inside one."""
    text = GLOSSARY.read_text(encoding="utf-8").casefold()
    terms = {t.casefold() for t in glossary_terms()}
    missing = [
        word
        for word in abbreviations()
        if word.casefold() not in terms
        and word.casefold().removesuffix("s") not in terms
        and f"**{word.casefold()}**" not in text
    ]
    assert abbreviations() and not missing, missing


@pytest.mark.site
def test_every_glossary_term_is_a_search_result(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = {doc["location"]: doc for doc in index["docs"]}
    for term in glossary_terms():
        anchor = "glossary/#" + re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")
        assert anchor in entries, f"no search entry {anchor} for the glossary term {term!r}"
        assert entries[anchor]["text"], anchor


@pytest.mark.site
def test_the_index_holds_content_not_chrome(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    chrome = ("Generated at build time", "Decisions: ADR-", "Related: ADR-", "Supersedes: ADR-", "Tags: <code>")
    found = [(doc["location"], c) for doc in index["docs"] for c in chrome if c in doc["text"]]
    assert not found, found[:10]
    tags = index["config"]["fields"]["tags"]["boost"]
    assert tags <= index["config"]["fields"]["text"]["boost"], "a tag row outranks the text"
    boosts = {doc["location"].split("#")[0]: doc.get("boost") for doc in index["docs"]}
    assert boosts["runbooks/topology-service/service-down/"] == RUNBOOK_BOOST
    assert boosts["adr/0005-route-by-the-session-cookies-cell-prefix/"] == ADR_BOOST
