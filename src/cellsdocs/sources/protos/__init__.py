"""The Topology Service API: compile ``.proto`` trees with the real protoc into a typed model."""

from __future__ import annotations

from cellsdocs.sources.protos.compile import compile_proto_tree, include_dirs

__all__ = ["compile_proto_tree", "include_dirs"]
