"""The base revision's compiled proto tree is kept in .cache by content hash: the same model, and
no archive or protoc on the next build; a changed tree or a damaged entry is compiled afresh."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cellsdocs.errors import SourceError
from cellsdocs.sources.protos import history
from cellsdocs.sources.protos.compile import compile_proto_tree
from cellsdocs.sources.protos.elements import ProtoModel
from cellsdocs.sources.protos.model import build_model


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


def same(a: ProtoModel | None, b: ProtoModel | None) -> bool:
    return a is not None and b is not None and a.files == b.files and a.index == b.index


def test_base_tree_compiled_once_and_kept_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    proto = repo / "proto"
    proto.mkdir(parents=True)
    (proto / "a.proto").write_text('syntax = "proto3";\npackage a;\nmessage M { string x = 1; }\n')
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    fresh = history.model_at_revision(proto, "HEAD")
    assert same(fresh, history.model_at_revision(proto, "HEAD", cache_dir=cache))
    (entry,) = cache.glob("*.binpb")
    compiled = []
    monkeypatch.setattr(history, "compile_proto_tree", lambda root: compiled.append(root) or compile_proto_tree(root))
    assert same(history.model_at_revision(proto, "HEAD", cache_dir=cache), fresh) and not compiled  # cached
    (proto / "a.proto").write_text('syntax = "proto3";\npackage a;\nmessage M { string y = 2; }\n')
    git(repo, "commit", "-qam", "v2")
    changed = history.model_at_revision(proto, "HEAD", cache_dir=cache)
    assert same(changed, build_model(compile_proto_tree(proto))) and not same(changed, fresh) and len(compiled) == 1
    assert len(list(cache.glob("*.binpb"))) == 2
    entry.write_bytes(b"\xff\xff not a descriptor set")  # damaged: compiled again, never an error
    assert same(history.model_at_revision(proto, "HEAD~1", cache_dir=cache), fresh) and len(compiled) == 2


def test_current_tree_compiled_once_per_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grpc_tools import protoc

    root, cache = tmp_path / "proto", tmp_path / "cache"
    root.mkdir()
    (root / "a.proto").write_text('syntax = "proto3";\npackage a;\nmessage M { string x = 1; }\n')
    runs: list[int] = []
    real = protoc.main
    monkeypatch.setattr(protoc, "main", lambda args: runs.append(1) or real(args))
    first = compile_proto_tree(root, cache_dir=cache)
    assert compile_proto_tree(root, cache_dir=cache) == first and len(runs) == 1  # unchanged: from the cache
    assert compile_proto_tree(root) == first and len(runs) == 2  # no cache asked for
    (root / "a.proto").write_text('syntax = "proto3";\npackage a;\nmessage M { string y = 2; }\n')
    assert compile_proto_tree(root, cache_dir=cache) != first and len(runs) == 3  # changed: compiled
    compile_proto_tree(root, ["a.proto"], cache_dir=cache)  # a chosen subset is never cached
    assert len(runs) == 4 and len(list(cache.glob("tree-*.binpb"))) == 2
    os.mkfifo(root / "b.proto")  # still checked before the cache is looked at
    with pytest.raises(SourceError, match="not a regular file"):
        compile_proto_tree(root, cache_dir=cache)
    (root / "b.proto").unlink()
    (tmp_path / "file").write_text("")  # a cache that cannot be written (under a file) is only slower
    (root / "a.proto").write_text('syntax = "proto3";\npackage a;\nmessage N { string z = 3; }\n')
    assert compile_proto_tree(root, cache_dir=tmp_path / "file" / "cache").file[0].message_type[0].name == "N"
