"""The generated API reference: complete, linked, escaped, and fast on a large tree."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cellsdocs.errors import CellsDocsError
from cellsdocs.render.api import render_api, undocumented
from cellsdocs.sources.protos.compile import compile_proto_tree
from cellsdocs.sources.protos.elements import ProtoModel
from cellsdocs.sources.protos.history import compare_revisions
from cellsdocs.sources.protos.model import build_model
from cellsdocs.sources.protos.refs import resolve
from cellsdocs.synth import write_proto_tree

from helpers import MINIMAL


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProtoModel, dict[str, int]]:
    root = tmp_path_factory.mktemp("large")
    counts = write_proto_tree(root)
    return build_model(compile_proto_tree(root)), counts


def test_large_tree_has_every_construct(large: tuple[ProtoModel, dict[str, int]]) -> None:
    model, counts = large
    assert counts["files"] >= 20 and counts["messages"] >= 300 and counts["rpcs"] >= 100
    assert len(model.api_files) == counts["files"]
    assert len(list(model.all_messages())) == counts["messages"]
    assert sum(len(s.methods) for s in model.services()) == counts["rpcs"]
    fields = [f for m in model.all_messages() for f in m.fields]
    assert any(f.label == "map" for f in fields)
    assert any(f.oneof for f in fields)
    assert any(f.label == "optional" for f in fields)
    assert any(f.deprecated for f in fields)
    methods = [m for s in model.services() for m in s.methods]
    assert any(m.client_streaming for m in methods) and any(m.server_streaming for m in methods)
    assert any(m.deprecated for m in methods)
    assert {f.syntax for f in model.api_files} == {"proto2", "proto3"}


def test_every_element_is_on_a_page_with_its_anchor(large: tuple[ProtoModel, dict[str, int]]) -> None:
    """Coverage: each service, RPC, message, field, enum and value of the descriptor set is rendered."""
    model, _ = large
    site, pages = render_api(model, source_label="synth")
    ids: dict[str, set[str]] = {}
    for uri, markdown in pages.items():
        ids[uri] = set(re.findall(r"\{ #([^\s}]+)", markdown)) | set(re.findall(r'id="([^"]+)"', markdown))
    expected: list[str] = []
    for service in model.services():
        expected += [service.fqn, *(m.fqn for m in service.methods)]
    for message in model.all_messages():
        expected += [message.fqn, *(f.fqn for f in message.fields)]
    for enum in model.all_enums():
        expected += [enum.fqn, *(v.fqn for v in enum.values)]
    missing = [fqn for fqn in expected if fqn not in ids.get(site.pages.get(fqn, ""), set())]
    assert not missing, missing[:10]


def test_custom_options_render_as_readable_values(large: tuple[ProtoModel, dict[str, int]]) -> None:
    model, _ = large
    method = model.find("synth.p0.v1.S0.Call1")
    (access,) = [o for o in method.options if o.name == "(synth.options.access)"]
    assert access.value == {"callers": ["a", "b"], "read_only": True}
    _site, pages = render_api(model, source_label="synth")
    service_page = pages["reference/api/synth.p0.v1/S0.md"]
    assert "callers: <code>a</code>, <code>b</code>; read only: yes" in service_page
    assert "(synth.options.access)" not in service_page.split("Options")[1][:200] or "access" in service_page
    file_options = model.api_files[1].options
    assert any(o.name == "(synth.options.owner)" for o in file_options)
    fields = {f.name: f for f in model.find("synth.p0.v1.M0x0").fields}
    assert fields["id"].options[0].name == "(synth.options.sensitive)"


HOSTILE = """syntax = "proto3";
package h.v1;
// <script>alert(1)</script> | pipe | `tick` {{ jinja }} {% block %} *star* [link](http://x)
message M {
  // a | b `c` <img src=x onerror=alert(1)>
  string f = 1;
}
"""


def test_hostile_comments_render_as_text(tmp_path: Path) -> None:
    (tmp_path / "h.proto").write_text(HOSTILE)
    _site, pages = render_api(build_model(compile_proto_tree(tmp_path)), source_label="h")
    page = pages["reference/api/h.v1/h.md"]
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert "{{" not in page and "{%" not in page
    row = next(line for line in page.splitlines() if "h.v1.M.f" in line)
    assert row.count("|") == 6, row  # the comment's pipes did not add cells


def test_documentation_coverage_lists_undocumented(tmp_path: Path) -> None:
    (tmp_path / "u.proto").write_text('syntax = "proto3";\npackage u;\nmessage M { string f = 1; }\n')
    model = build_model(compile_proto_tree(tmp_path))
    assert ("message", "u.M", "u.proto") in undocumented(model)
    assert ("field", "u.M.f", "u.proto") in undocumented(model)


def test_names_resolve_by_suffix_and_fail_clearly() -> None:
    model = build_model(compile_proto_tree(MINIMAL / "proto"))
    assert resolve(model, "Classify", "rpc").fqn == "demo.v1.DemoService.Classify"
    assert resolve(model, "ClassifyRequest.type").fqn == "demo.v1.ClassifyRequest.type"
    assert resolve(model, "FIRST_CELL", "enum value").fqn == "demo.v1.ClassifyType.FIRST_CELL"
    with pytest.raises(CellsDocsError, match=r"no RPC named 'Clasify'.*did you mean Classify"):
        resolve(model, "Clasify", "rpc")
    with pytest.raises(CellsDocsError, match="no message named 'Classify'"):
        resolve(model, "Classify", "message")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def test_change_history_between_git_revisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CELLS_API_BASE", raising=False)
    repo = tmp_path / "repo"
    proto = repo / "proto"
    proto.mkdir(parents=True)
    (proto / "a.proto").write_text('syntax = "proto3";\npackage a;\nmessage M { string x = 1; string y = 2; }\n')
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    git(repo, "tag", "v1.0.0")
    (proto / "a.proto").write_text('syntax = "proto3";\npackage a;\nmessage M { string x = 1; string z = 3; }\n')
    current = build_model(compile_proto_tree(proto))
    history = compare_revisions(proto, current)
    assert history.base == "v1.0.0" and history.reason == "the previous tag"
    assert [c.rule for c in history.breaking] == ["FIELD_NO_DELETE"]
    assert [c.rule for c in history.compatible] == ["FIELD_ADDED"]
    monkeypatch.setenv("CELLS_API_BASE", "HEAD")
    assert compare_revisions(proto, current).base == "HEAD"
