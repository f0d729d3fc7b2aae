"""API pages for readers: comments as safe Markdown, fields inline under each RPC with its REST
mapping, short distinct package labels, and a change history on a clone without tags."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import markdown
import pytest

from cellsdocs.render.api import package_labels, render_api, render_changes
from cellsdocs.sources.protos.comments import comment_html, comment_summary, safe_url
from cellsdocs.sources.protos.compile import compile_proto_tree
from cellsdocs.sources.protos.history import EMPTY_TREE, compare_revisions, default_base
from cellsdocs.sources.protos.model import build_model

from helpers import ROOT

PROTO_ROOT = ROOT / "sources" / "topology-service" / "proto"

# --- comments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("The prefix `cell_2_`.", "<p>The prefix <code>cell&#95;2&#95;</code>.</p>"),
        ("``a ` b``", "<p><code>a &#96; b</code></p>"),
        ("**bold** and *em* and _em_", "<p><strong>bold</strong> and <em>em</em> and <em>em</em></p>"),
        ("snake_case_name stays", "<p>snake&#95;case&#95;name stays</p>"),
        ("2 * 3 * 4", "<p>2 &#42; 3 &#42; 4</p>"),
        ("One:\n- a\n- `b`\n\nAfter.", "<p>One&#58;</p><ul><li>a</li><li><code>b</code></li></ul><p>After.</p>"),
        ("1. first\n2. second", "<ol><li>first</li><li>second</li></ol>"),
        ("- item\n  continued", "<ul><li>item continued</li></ul>"),
        ("line one\nline two\n\nnext", "<p>line one line two</p><p>next</p>"),
        ("see 2. below", "<p>see 2. below</p>"),
    ],
)
def test_comment_markdown_subset(comment: str, expected: str) -> None:
    assert comment_html(comment) == expected


def test_links_only_http_and_https() -> None:
    html = comment_html("[docs](https://example.com/a_b?x=1&y=2) and https://gitlab.com/x.")
    assert '<a href="https&#58;//example.com/a&#95;b?x&#61;1&amp;y&#61;2" rel="nofollow">docs</a>' in html
    assert '<a href="https&#58;//gitlab.com/x" rel="nofollow">' in html and html.endswith("</a>.</p>")
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example", "file:///etc/passwd", "vbscript:x"):
        out = comment_html(f"[x]({bad})")
        assert "<a " not in out, out
    assert safe_url("https://example.com") and not safe_url("https://exa mple.com") and not safe_url("http://")


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "{{ 7*7 }} {% raw %} {# c #}",
    '--8<-- ".git/config"',
    ';--8<-- "../../.git/config"',
    "--8<--\n.git/config\n--8<--",
    '[x](https://e.com/"onmouseover="alert(1))',
    "[`<b>`](https://e.com/`x`)",
    "**<script>x</script>** _{{ 1 }}_ `{{ 2 }}` [{{3}}](https://e.com/{{4}})",
    "- <iframe src=x>\n- {% include 'x' %}",
    "| a | b |\n|---|---|",
    "`" * 50 + "x",
    "*" * 3000 + "a",
    "[" * 500 + "](" * 500,
]


@pytest.mark.parametrize("comment", HOSTILE)
def test_hostile_comments_stay_text(comment: str) -> None:
    for out in (comment_html(comment), comment_summary(comment)):
        assert "\n" not in out  # one line: never starts a Markdown line, never a snippet line
        tags = re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", out)
        assert set(tags) <= {"p", "ul", "ol", "li", "code", "em", "strong", "a"}, out
        assert "{{" not in out and "{%" not in out and "{#" not in out and "8<" not in out
        assert "|" not in out and "`" not in out
        for attrs in re.findall(r"<a ([^>]*)>", out):
            assert re.fullmatch(r'href="https?&#58;//[^"\s<>]*" rel="nofollow"', attrs), attrs
        # what the browser would get after Python-Markdown: no element the comment did not ask for
        html = markdown.markdown(out, extensions=["tables", "md_in_html"])
        assert not re.search(r"<(script|img|iframe|b)[\s>]", html), html
        assert "onmouseover=" not in html.replace("onmouseover&#61;", "")


def test_summary_is_first_paragraph_inline() -> None:
    assert comment_summary("First `x`.\n\nSecond.") == "First <code>x</code>."
    assert comment_summary("") == ""


# --- the API pages ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> tuple[object, dict[str, str]]:
    return render_api(build_model(compile_proto_tree(PROTO_ROOT)), source_label="proto")


def test_rpc_shows_fields_inline_and_rest_mapping(api: tuple[object, dict[str, str]]) -> None:
    _site, pages = api
    page = pages["reference/api/gitlab.cells.topology_service/ClassifyService.md"]
    section = page.split("### Classify ", 1)[1]
    rest = section.index('<p class="cells-rpc-rest">')
    assert '<span class="cells-http-verb">POST</span> <code>/v1/classify</code> body <code>&#42;</code>' in section
    assert rest < section.index('???+ note "Request&#58; ClassifyRequest"') < section.index('???+ note "Response')
    request = section.split('???+ note "Request', 1)[1].split('???+ note "Response', 1)[0]
    body = [line for line in request.splitlines()[1:] if line.strip()]
    assert all(line.startswith("    ") for line in body), body  # inside the collapsible block
    for field in ("type", "value", "rule_id"):
        assert f"| <code>{field.replace('_', '&#95;')}</code> |" in request
    assert "session prefix <code>cell&#95;2&#95;</code>" in request  # the comment's code span, rendered
    assert 'id="' not in request  # field anchors stay on the message's own page
    # the rendered page: details blocks with tables inside
    html = markdown.markdown(
        page.split("---\n", 2)[2], extensions=["attr_list", "tables", "md_in_html", "pymdownx.details"]
    )
    summary = "<summary>Request&#58; ClassifyRequest</summary>"  # the browser shows "Request: ClassifyRequest"
    assert re.search(r'<details class="note" open="open">\s*' + summary, html)
    assert "<table>" in html.split(summary, 1)[1].split("</details>", 1)[0]


def test_rpc_without_rest_mapping_says_so(api: tuple[object, dict[str, str]]) -> None:
    _site, pages = api
    page = pages["reference/api/gitlab.cells.topology_service/HealthService.md"]
    assert page.count('<p class="cells-rpc-rest">') == page.count("\n### ")


def test_no_raw_backticks_in_api_pages(api: tuple[object, dict[str, str]]) -> None:
    _site, pages = api
    for uri, page in pages.items():
        if uri.endswith(("scalars.md", "coverage.md", "changes.md")):
            continue
        for line in page.splitlines():
            if line.startswith("|") or "cells-proto-doc" in line:
                assert "`" not in line, (uri, line)


@pytest.mark.parametrize(
    ("packages", "expected"),
    [
        (
            [
                "gitlab.cells.topology_service",
                "gitlab.cells.topology_service.claims.v1",
                "gitlab.cells.topology_service.access.v1",
                "gitlab.cells.topology_service.types.v1",
            ],
            ["topology_service", "claims.v1", "access.v1", "types.v1"],
        ),
        (["demo.v1"], ["demo.v1"]),
        (["a.b.v1", "a.b.v2"], ["b.v1", "b.v2"]),
        (["x.one.v1", "y.one.v1"], ["x.one.v1", "y.one.v1"]),
        (["", "a"], ["(no package)", "a"]),
    ],
)
def test_package_labels_short_and_distinct(packages: list[str], expected: list[str]) -> None:
    labels = package_labels(packages)
    assert [labels[p] for p in packages] == expected
    assert len(set(labels.values())) == len(labels)


def test_package_nav_labels_fit_and_pages_keep_full_names(api: tuple[object, dict[str, str]]) -> None:
    site, pages = api
    labels = site.nav_labels  # type: ignore[attr-defined]
    assert labels["gitlab.cells.topology_service.claims.v1"] == "claims.v1"
    assert len(set(labels.values())) == len(labels) and all(len(v) <= 20 for v in labels.values())
    page = pages["reference/api/gitlab.cells.topology_service.claims.v1/index.md"]
    assert 'title: "gitlab.cells.topology_service.claims.v1"' in page


# --- history without tags ---------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


A1 = 'syntax = "proto3";\npackage a;\nmessage M { string x = 1; string y = 2; }\n'
A2 = 'syntax = "proto3";\npackage a;\nmessage M { string x = 1; string z = 3; }\n'


def test_history_without_tag_compares_with_commit_before_last_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CELLS_API_BASE", raising=False)
    repo = tmp_path / "repo"
    proto = repo / "proto"
    proto.mkdir(parents=True)
    (proto / "a.proto").write_text(A1)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    first = git(repo, "rev-parse", "HEAD")
    (proto / "a.proto").write_text(A2)
    git(repo, "commit", "-qam", "drop y <script>{{ 1 }}</script>")
    (repo / "README").write_text("not the proto tree")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "unrelated")
    base, reason = default_base(proto)
    assert base == first[:12]
    assert reason.startswith("last change: commit ") and "drop y" in reason
    current = build_model(compile_proto_tree(proto))
    history = compare_revisions(proto, current)
    assert history.is_last_change
    assert [c.rule for c in history.breaking] == ["FIELD_NO_DELETE"]
    assert [c.rule for c in history.compatible] == ["FIELD_ADDED"]
    site, _pages = render_api(current, source_label="proto")
    page = render_changes(site, history)
    assert "No release has been tagged yet" in page and f"<code>{first[:12]}</code>" in page
    assert "<script>" not in page and "{{" not in page
    assert "FIELD&#95;NO&#95;DELETE" in page or "FIELD_NO_DELETE" in page
    git(repo, "tag", "v1", first)  # with a tag, the tag wins
    assert default_base(proto) == ("v1", "the previous tag")


def test_history_when_the_tree_was_created_by_the_only_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CELLS_API_BASE", raising=False)
    repo = tmp_path / "repo"
    (repo / "proto").mkdir(parents=True)
    (repo / "proto" / "a.proto").write_text(A1)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    current = build_model(compile_proto_tree(repo / "proto"))
    history = compare_revisions(repo / "proto", current)
    assert history.base == EMPTY_TREE and history.is_last_change
    assert {c.rule for c in history.changes} and not history.breaking
    page = render_changes(render_api(current, source_label="p")[0], history)
    assert "every element is new" in page


def test_history_outside_git_says_why_for_readers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CELLS_API_BASE", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "a.proto").write_text(A1)
    current = build_model(compile_proto_tree(tmp_path))
    history = compare_revisions(tmp_path, current)
    assert history.base is None
    page = render_changes(render_api(current, source_label="p")[0], history)
    reader_part = page.split("??? info", 1)[0]
    assert "There is no earlier version of the API" in reader_part
    assert "CELLS_API_BASE" not in reader_part  # the setup text is for maintainers, folded away
