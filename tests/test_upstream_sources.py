"""Sources fetched from the repositories that own them: sources.toml, sources.lock, sync, update,
status, offline builds from the cache, drift report mode. Upstreams are local git repositories
made by the tests (``file://``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import MINIMAL, ROOT, Run, build, cli, minimal_project, run

KINDS = {
    "protos": "proto",
    "topology": "config.toml",
    "rules": "rules",
    "alerts": "alerts",
    "adrs": "adr",
    "runbooks": "runbooks",
}
GIT = ["git", "-c", "user.name=Upstream", "-c", "user.email=upstream@example.com", "-c", "commit.gpgsign=false"]
REQUESTS = (
    '{"method": "GET", "path": "/x"}\n{"method": "GET", "path": "/y", "cookies": {"_gitlab_session": "cell_2_abc"}}\n'
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    """One upstream repository holding every source kind (as tests/data/minimal lays them out)."""
    repo = tmp_path / "upstream"
    shutil.copytree(MINIMAL, repo)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    commit_all(repo, "first")
    return repo


@pytest.fixture
def project(tmp_path: Path, upstream: Path) -> Path:
    """A docs project (the minimal one) whose sources.toml points every kind at *upstream*."""
    root = tmp_path / "docs-project"
    shutil.copytree(minimal_project().parent, root, symlinks=True)
    (root / "samples.jsonl").write_text(REQUESTS)
    web = "https://code.example.com/upstream/{path}?at={commit}#L{line}"
    manifest = "".join(
        f'[{kind}]\nrepo = "file://{upstream}"\nref = "main"\npath = "{inner}"\nweb_url = "{web}"\n\n'
        for kind, inner in KINDS.items()
    )
    (root / "sources.toml").write_text(manifest + '[samples]\nrequests = "samples.jsonl"\n')
    return root


def docs(root: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    return cli("--root", str(root), *args, env=env)


def mkdocs(root: Path, site: Path, env: dict[str, str] | None = None) -> Run:
    return build(site, env=env, config=root / "mkdocs.yml")


@pytest.mark.slow  # git fetches from a file:// upstream
def test_sync_locks_and_fetches(project: Path, upstream: Path) -> None:
    result = docs(project, "sources", "sync")
    assert result.code == 0, result.output
    lock = (project / "sources.lock").read_text()
    head = git(upstream, "rev-parse", "HEAD")
    assert lock.count(f'commit = "{head}"') == len(KINDS)
    assert (project / ".cache" / "sources" / "protos" / head / "proto").is_dir()
    assert docs(project, "check").code == 0
    # a second sync with a warm cache needs no upstream at all
    upstream.rename(upstream.with_name("gone"))
    again = docs(project, "sources", "sync")
    assert again.code == 0, again.output
    assert (project / "sources.lock").read_text() == lock


@pytest.mark.slow  # git fetches from a file:// upstream
def test_missing_cache_is_one_line_with_the_fix(project: Path) -> None:
    assert docs(project, "sources", "sync").code == 0
    shutil.rmtree(project / ".cache" / "sources")
    result = docs(project, "check")
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "not in .cache/sources" in lines[0] and "cells-docs sources sync" in lines[0]
    assert "Traceback" not in result.output


def test_unlocked_remote_source_names_the_fix(project: Path) -> None:
    result = docs(project, "check")
    assert result.code == 1
    assert "is not locked" in result.stderr and "sources sync" in result.stderr


@pytest.mark.slow  # git fetches from a file:// upstream
def test_update_reports_a_removed_rpc_as_breaking(project: Path, upstream: Path) -> None:
    assert docs(project, "sources", "sync").code == 0
    old = (project / "sources.lock").read_text()
    proto = next((upstream / "proto").rglob("*.proto"))
    proto.write_text(proto.read_text().replace("rpc Classify(", "rpc ClassifyRequestNow("))
    head = commit_all(upstream, "remove an RPC")
    summary = project / "summary.md"
    result = docs(project, "sources", "update", "--summary", str(summary))
    assert result.code == 0, result.output
    report = summary.read_text()
    assert "**1** breaking" in report and "RPC deleted" in report and "DemoService.Classify<" in report, report
    assert "### Rule sets" not in report  # nothing but the proto changed
    assert f'commit = "{head}"' in (project / "sources.lock").read_text()
    assert (project / "sources.lock").read_text() != old


@pytest.mark.slow  # git fetches from a file:// upstream
def test_update_lists_route_differences_of_a_changed_rule(project: Path, upstream: Path) -> None:
    assert docs(project, "sources", "sync").code == 0
    rules = upstream / "rules" / "session_prefix.json"
    data = json.loads(rules.read_text())
    data.insert(
        0,
        {
            "id": "all-to-first",
            "match": {"type": "path", "regex_value": "^/"},
            "action": "classify",
            "classify": {"type": "FIRST_CELL"},
        },
    )
    rules.write_text(json.dumps(data, indent=2))
    commit_all(upstream, "route everything to the first cell")
    result = docs(project, "sources", "update", "--check")
    assert result.code == 3, result.output  # --check: upstream moved, lock untouched
    assert "Route changes on the sample requests" in result.stdout
    assert "all-to-first" in result.stdout
    status = docs(project, "sources", "status")
    assert "1 commit(s) behind main" in status.stdout, status.output


@pytest.mark.site
def test_offline_build_from_the_cache_and_drift_report(project: Path, upstream: Path, tmp_path: Path) -> None:
    assert docs(project, "sources", "sync").code == 0
    upstream.rename(upstream.with_name("unreachable"))  # the build must need no network
    site = tmp_path / "site"
    result = mkdocs(project, site)
    assert result.code == 0, result.output
    assert json.loads((site / "drift.json").read_text()) == {"findings": [], "mode": "strict"}
    # provenance: generated elements link to their definition upstream at the locked commit and line
    head = git(upstream.with_name("unreachable"), "rev-parse", "HEAD")
    link = 'class="cells-source" href="https://code.example.com/upstream/'
    api = "".join(p.read_text() for p in (site / "reference" / "api").rglob("index.html"))
    assert f"{link}proto/demo/v1/demo.proto?at={head}#L" in api
    cell = (site / "reference" / "cells" / "cell-1" / "index.html").read_text()
    assert f"{link}config.toml?at={head}#L" in cell
    rules = (site / "reference" / "routing" / "session_prefix" / "index.html").read_text()
    assert f"{link}rules/session_prefix.json?at={head}#L" in rules
    runbook = (site / "runbooks" / "demo" / "demo-down" / "index.html").read_text()
    assert f"{link}alerts/demo.yml?at={head}#L" in runbook  # the alert's definition in its rule file


@pytest.mark.site
def test_removed_rpc_fails_strict_and_is_a_finding_in_report_mode(
    project: Path, upstream: Path, tmp_path: Path
) -> None:
    page = project / "docs" / "index.md"
    page.write_text(page.read_text() + "\nThe demo answers {{ rpc('Classify') }}.\n")
    proto = next((upstream / "proto").rglob("*.proto"))
    proto.write_text(proto.read_text().replace("rpc Classify(", "rpc ClassifyNow("))
    commit_all(upstream, "rename an RPC")
    assert docs(project, "sources", "sync").code == 0
    strict = mkdocs(project, tmp_path / "strict")
    assert strict.code == 1
    assert "index.md" in strict.output and "'Classify'" in strict.output
    report = mkdocs(project, tmp_path / "report", env={"CELLS_DRIFT": "report"})
    assert report.code == 0, report.output
    drift = json.loads((tmp_path / "report" / "drift.json").read_text())
    assert drift["mode"] == "report"
    assert any("'Classify'" in f["message"] and f["where"] == "docs/index.md" for f in drift["findings"]), drift
    home = (tmp_path / "report" / "index.html").read_text()
    assert 'class="cells-drift"' in home
    assert "Classify" in (tmp_path / "report" / "reference" / "drift" / "index.html").read_text()


def test_manifest_refuses_option_like_and_escaping_values(tmp_path: Path) -> None:
    cases = {
        '[rules]\nrepo = "--upload-pack=touch /tmp/x"\n': "would be read as an option",
        '[rules]\nrepo = "file:///x"\nref = "--output=/tmp/x"\n': "is not a branch, tag or commit",
        '[rules]\nrepo = "file:///x"\npath = "../../etc"\n': "leaves the repository",
        '[rulez]\npath = "x"\n': "unknown source kind",
        '[rules]\nrepo = "file:///x"\nweb_url = "https://h/{cmd}"\n': "unknown placeholder",
    }
    for text, message in cases.items():
        (tmp_path / "sources.toml").write_text(text)
        result = docs(tmp_path, "check", env={"CELLS_SOURCES": str(tmp_path / "sources.toml")})
        assert result.code == 1, text
        assert message in result.stderr and "Traceback" not in result.output, result.output


def test_environment_variables_override_the_manifest(project: Path) -> None:
    env = {
        "CELLS_" + k: str(MINIMAL / v)
        for k, v in {
            "PROTO_ROOT": "proto",
            "TOPOLOGY_CONFIG": "config.toml",
            "ROUTER_RULES": "rules",
            "ALERT_RULES": "alerts",
            "ADR_DIR": "adr",
            "RUNBOOK_DIR": "runbooks",
        }.items()
    }
    result = docs(project, "check", env=env)  # nothing synced: every kind comes from a variable
    assert result.code == 0, result.output


def test_repository_manifest_is_local() -> None:
    """The repository's own sources.toml reads the in-repo samples: a fresh clone builds offline."""
    result = cli("sources", env={})
    assert result.code == 0
    assert "local" in result.stdout and os.fspath(ROOT / "adr") in result.stdout


def test_web_links_from_git_urls() -> None:
    from cellsdocs.sources.manifest import SourceSpec, web_link

    sha = "a" * 40
    cases = {
        "https://gitlab.com/gitlab-org/cells/topology-service.git": (
            f"https://gitlab.com/gitlab-org/cells/topology-service/-/blob/{sha}/proto/x.proto#L7"
        ),
        "git@gitlab.com:gitlab-org/cells/topology-service.git": (
            f"https://gitlab.com/gitlab-org/cells/topology-service/-/blob/{sha}/proto/x.proto#L7"
        ),
        "ssh://git@github.com/org/repo": f"https://github.com/org/repo/blob/{sha}/proto/x.proto#L7",
        "file:///srv/repo": None,
    }
    for repo, expected in cases.items():
        assert web_link(SourceSpec(kind="protos", path="proto", repo=repo), sha, "proto/x.proto", 7) == expected


@pytest.mark.slow  # check-jsonschema, a process
def test_preview_template_is_valid_gitlab_ci() -> None:
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert checker
    template = ROOT / "ci" / "upstream-preview.gitlab-ci.yml"
    result = run([checker, "--builtin-schema", "vendor.gitlab-ci", str(template)])
    assert result.code == 0, result.output
    text = template.read_text()
    assert "make -C" in text and "preview" in text and "expose_as" in text


@pytest.mark.site
def test_preview_of_an_upstream_merge_request(tmp_path: Path) -> None:
    """What `make preview` runs in an upstream MR: the summary, then a report-mode build."""
    project = tmp_path / "docs-project"
    shutil.copytree(minimal_project().parent, project, symlinks=True)
    tree = tmp_path / "tree"
    shutil.copytree(MINIMAL, tree)
    (project / "samples.jsonl").write_text(REQUESTS)
    (project / "sources.toml").write_text(
        "".join(f'[{kind}]\npath = "{tree / inner}"\n\n' for kind, inner in KINDS.items())
        + '[samples]\nrequests = "samples.jsonl"\n'
    )
    merge_request = tmp_path / "mr-rules"
    shutil.copytree(MINIMAL / "rules", merge_request)
    rules = merge_request / "session_prefix.json"
    data = json.loads(rules.read_text())
    data.insert(0, {"id": "y-first", "match": {"type": "path", "regex_value": "^/y"}, "action": "proxy"})
    rules.write_text(json.dumps(data))
    summary = tmp_path / "summary.md"
    site = tmp_path / "preview-site"
    result = docs(
        project, "sources", "preview", "rules", str(merge_request), "--summary", str(summary), "--build", str(site)
    )
    assert result.code == 0, result.output
    assert "Route changes on the sample requests" in summary.read_text()
    assert json.loads((site / "drift.json").read_text())["mode"] == "report"


HANDBOOK_ADR = """---
stage: enablement
group: Tenant Scale
title: 'Cells ADR 007: Route by session prefix'
status: ongoing
creation-date: "2024-05-02"
authors: ["@someone"]
---

## Context

Requests must reach the cell that holds the session; see [the routing design](../design/routing.md#cookies)
and [the demo runbook](../runbooks/demo/demo-down.md).

## Decision

Route by the session prefix.

## Pros

- Cheap.

## Cons

- Needs the prefix in every cookie.
"""


@pytest.mark.site
def test_real_upstream_formats_build_strict(project: Path, upstream: Path, tmp_path: Path) -> None:
    """Handbook ADRs linking to sibling design documents, rule files without ids, recording rules
    only, a sequence range from 0: valid upstream input builds strict."""
    (upstream / "adr" / "007_route_by_session_prefix.md").write_text(HANDBOOK_ADR)
    (upstream / "design").mkdir()
    (upstream / "design" / "routing.md").write_text("# Routing design\n")
    (upstream / "alerts" / "recording.yml").write_text(
        "groups:\n  - name: rec\n    rules:\n      - record: job:up:sum\n        expr: sum(up)\n"
    )
    config = upstream / "config.toml"
    config.write_text(re.sub(r"sequence_range = \[\d+,", "sequence_range = [0,", config.read_text(), count=1))
    head = commit_all(upstream, "real formats")
    assert docs(project, "sources", "sync").code == 0
    site = tmp_path / "site"
    result = mkdocs(project, site)
    assert result.code == 0, result.output
    page = (site / "adr" / "007_route_by_session_prefix" / "index.html").read_text()
    assert f'href="https://code.example.com/upstream/design/routing.md?at={head}#L1#cookies"' not in page
    assert f"https://code.example.com/upstream/design/routing.md?at={head}" in page
    assert "Route by session prefix" in page


def test_handbook_adr_is_not_linted_as_madr() -> None:
    from cellsdocs.sources.adrs import parse_adr

    adr = parse_adr(HANDBOOK_ADR, file="adr/007.md", stem="007_route_by_session_prefix")
    assert (adr.style, adr.status, adr.number, str(adr.date)) == ("handbook", "accepted", 7, "2024-05-02")
    assert adr.title == "Route by session prefix"


def test_outside_links_are_rewritten_and_the_rest_left_alone(tmp_path: Path) -> None:
    from cellsdocs.sources.outside_links import rewrite_outside_links

    folder = tmp_path / "repo" / "adr"
    text = (
        "[a](../design/x.md#sec) [b](0002-other.md) [c](https://e.com/x) [d](#top) ![i](../img/p.png)\n"
        "```\n[e](../design/in-code.md)\n```\n[ref]: ../design/y.md\n"
    )
    out = rewrite_outside_links(
        text,
        page=folder / "0001-x.md",
        folder=folder,
        web_url=lambda p: f"https://w/{p.relative_to(tmp_path / 'repo')}",
    )
    assert "[a](https://w/design/x.md)" in out
    assert "[b](0002-other.md)" in out and "[c](https://e.com/x)" in out and "[d](#top)" in out
    assert "![i](https://w/img/p.png)" in out
    assert "[e](../design/in-code.md)" in out
    assert "[ref]: https://w/design/y.md" in out
