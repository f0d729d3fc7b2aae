"""API change classification, checked against ``buf breaking`` (the oracle, test-only)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cellsdocs.sources.protos.compile import compile_proto_tree
from cellsdocs.sources.protos.diff import diff_models
from cellsdocs.sources.protos.model import build_model

from helpers import ROOT

BUF = ROOT / "node_modules" / "@bufbuild" / "buf-linux-x64" / "bin" / "buf"

BASE = """\
syntax = "proto3";
package t.v1;
option go_package = "example.com/t/v1";
import "google/protobuf/timestamp.proto";

// A message.
message M {
  // a
  string a = 1;
  // b
  int32 b = 2;
  // choice
  oneof pick {
    string x = 3;
    string y = 4;
  }
  repeated string tags = 5;
  map<string, int64> counts = 6;
  google.protobuf.Timestamp at = 7;
  reserved 10 to 12;
  reserved "legacy";
  // nested
  message Inner { string v = 1; }
}

// Another.
message N { M m = 1; }

// An enum.
enum E {
  E_UNSPECIFIED = 0;
  E_ONE = 1;
  E_TWO = 2;
  reserved 9;
}

// A service.
service S {
  // Get.
  rpc Get(M) returns (N);
  // Watch.
  rpc Watch(M) returns (stream N);
}
"""

# name -> (after text, expected to be breaking)
PAIRS: dict[str, tuple[str, bool]] = {
    "field-deleted": (BASE.replace("  int32 b = 2;\n", ""), True),
    "field-renumbered": (BASE.replace("int32 b = 2;", "int32 b = 8;"), True),
    "field-renamed": (BASE.replace("int32 b = 2;", "int32 bee = 2;"), True),
    "field-type-changed": (BASE.replace("int32 b = 2;", "int64 b = 2;"), True),
    "field-to-repeated": (BASE.replace("int32 b = 2;", "repeated int32 b = 2;"), True),
    "field-into-oneof": (
        BASE.replace("    string y = 4;\n", "    string y = 4;\n    int32 b = 2;\n").replace(
            "  // b\n  int32 b = 2;\n", ""
        ),
        True,
    ),
    "map-value-type-changed": (BASE.replace("map<string, int64>", "map<string, int32>"), True),
    "message-deleted": (
        BASE.replace("// Another.\nmessage N { M m = 1; }\n", "")
        .replace("returns (N)", "returns (M)")
        .replace("returns (stream N)", "returns (stream M)"),
        True,
    ),
    "nested-message-deleted": (BASE.replace("  message Inner { string v = 1; }\n", ""), True),
    "enum-value-deleted": (BASE.replace("  E_TWO = 2;\n", ""), True),
    "enum-value-renamed": (BASE.replace("E_TWO = 2;", "E_DEUX = 2;"), True),
    "enum-deleted": (
        BASE.replace("// An enum.\nenum E {\n  E_UNSPECIFIED = 0;\n  E_ONE = 1;\n  E_TWO = 2;\n  reserved 9;\n}\n", ""),
        True,
    ),
    "rpc-deleted": (BASE.replace("  // Watch.\n  rpc Watch(M) returns (stream N);\n", ""), True),
    "rpc-request-changed": (BASE.replace("rpc Get(M) returns (N);", "rpc Get(N) returns (N);"), True),
    "rpc-streaming-changed": (BASE.replace("rpc Get(M) returns (N);", "rpc Get(M) returns (stream N);"), True),
    "service-deleted": (BASE.split("// A service.", maxsplit=1)[0], True),
    "reserved-removed": (BASE.replace('  reserved "legacy";\n', ""), True),
    "enum-reserved-removed": (BASE.replace("  reserved 9;\n", ""), True),
    "package-changed": (BASE.replace("package t.v1;", "package t.v2;"), True),
    "go-package-changed": (BASE.replace("example.com/t/v1", "example.com/t/v1beta"), True),
    "oneof-deleted": (
        BASE.replace(
            "  oneof pick {\n    string x = 3;\n    string y = 4;\n  }\n", "  string x = 3;\n  string y = 4;\n"
        ),
        True,
    ),
    "field-added": (BASE.replace("  int32 b = 2;\n", "  int32 b = 2;\n  // c\n  string c = 8;\n"), False),
    "message-added": (BASE + "\n// New.\nmessage O { string s = 1; }\n", False),
    "enum-value-added": (BASE.replace("  E_TWO = 2;\n", "  E_TWO = 2;\n  E_THREE = 3;\n"), False),
    "rpc-added": (BASE.replace("  // Get.\n", "  // List.\n  rpc List(M) returns (N);\n  // Get.\n"), False),
    "comment-changed": (BASE.replace("// A message.", "// A better message."), False),
    "field-deprecated": (BASE.replace("int32 b = 2;", "int32 b = 2 [deprecated = true];"), False),
    "reserved-added": (BASE.replace("  reserved 10 to 12;\n", "  reserved 10 to 12, 20;\n"), False),
    "unchanged": (BASE, False),
}


def tree(root: Path, text: str) -> Path:
    (root / "t" / "v1").mkdir(parents=True)
    (root / "t" / "v1" / "x.proto").write_text(text)
    return root


def buf_rules(before: Path, after: Path) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [str(BUF), "breaking", str(after), "--against", str(before), "--error-format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 100), proc.stderr
    rules = {json.loads(line)["type"] for line in proc.stdout.splitlines() if line.strip()}
    return proc.returncode, rules


@pytest.mark.slow  # buf, a process per pair
@pytest.mark.skipif(not BUF.exists(), reason="buf (npm @bufbuild/buf) is installed by make setup-test")
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_classification_agrees_with_buf(name: str, tmp_path: Path) -> None:
    after_text, expect_breaking = PAIRS[name]
    before = tree(tmp_path / "before", BASE)
    after = tree(tmp_path / "after", after_text)
    changes = diff_models(build_model(compile_proto_tree(before)), build_model(compile_proto_tree(after)))
    ours = {c.rule for c in changes if c.breaking and c.rule != "HTTP_SAME_MAPPING"}
    code, theirs = buf_rules(before, after)
    assert (code == 100) == expect_breaking, theirs
    assert ours == theirs, f"ours={sorted(ours)} buf={sorted(theirs)}"
    if not expect_breaking and name != "unchanged":
        assert changes, "a compatible change is still listed"


def test_http_mapping_change_is_breaking_for_rest(tmp_path: Path) -> None:
    base = (
        'syntax = "proto3";\npackage t.v1;\nimport "google/api/annotations.proto";\nmessage M {}\n'
        'service S {\n  rpc Get(M) returns (M) { option (google.api.http) = {get: "/v1/m"}; }\n}\n'
    )
    before = tree(tmp_path / "before", base)
    after = tree(tmp_path / "after", base.replace("/v1/m", "/v2/m"))
    changes = diff_models(build_model(compile_proto_tree(before)), build_model(compile_proto_tree(after)))
    (change,) = changes
    assert change.breaking and change.rule == "HTTP_SAME_MAPPING"
    assert "GET /v1/m -> GET /v2/m" in change.message
