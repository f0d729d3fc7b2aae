from __future__ import annotations

from pathlib import Path

import pytest

from cellsdocs.errors import SourceError
from cellsdocs.sources.protos.compile import compile_proto_tree

from helpers import MINIMAL


def test_compiles_with_well_known_types_and_google_api() -> None:
    descriptors = compile_proto_tree(MINIMAL / "proto")
    names = {f.name for f in descriptors.file}
    assert "demo/v1/demo.proto" in names
    assert "google/api/annotations.proto" in names
    assert "google/protobuf/timestamp.proto" in names
    demo = next(f for f in descriptors.file if f.name == "demo/v1/demo.proto")
    assert demo.source_code_info.location  # comments kept


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_syntax_error_gives_file_line_column(tmp_path: Path) -> None:
    write(tmp_path, "a/b.proto", 'syntax = "proto3";\npackage a;\nmessage M {\n  string x = 1\n}\n')
    with pytest.raises(SourceError) as info:
        compile_proto_tree(tmp_path)
    message = str(info.value)
    assert message.startswith(f'{tmp_path}/a/b.proto:5: Expected ";". (column 1)')
    assert "\n" not in message


def test_missing_import_names_importer_and_path(tmp_path: Path) -> None:
    write(tmp_path, "x.proto", 'syntax = "proto3";\npackage x;\nimport "nope/missing.proto";\n')
    with pytest.raises(SourceError) as info:
        compile_proto_tree(tmp_path)
    message = str(info.value)
    assert f"{tmp_path}/x.proto:3:" in message
    assert "'nope/missing.proto' not found" in message


def test_empty_tree_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=rf"^{tmp_path}: no \.proto files found"):
        compile_proto_tree(tmp_path)


def test_missing_root(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"proto root not found.*CELLS_PROTO_ROOT"):
        compile_proto_tree(tmp_path / "absent")


def test_non_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "bad.proto").write_bytes(b'syntax = "proto3";\n// \xff\xfe\n')
    with pytest.raises(SourceError, match=r"bad\.proto:2: proto file is not valid UTF-8"):
        compile_proto_tree(tmp_path)
