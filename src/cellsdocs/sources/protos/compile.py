"""Compile a ``.proto`` tree with the real compiler (``grpc_tools.protoc``, in-process).

Well-known types (``google/protobuf/*.proto``) come from ``grpc_tools``' bundled include folder,
``google/api/*.proto`` from ``googleapis-common-protos``; the user adds neither. Compiler errors
come back as one-line :class:`~cellsdocs.errors.SourceError` with protoc's file:line:column.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from cellsdocs.cachefile import write_atomic
from cellsdocs.errors import SourceError
from cellsdocs.sources.textio import display_path, read_text

__all__ = ["compile_proto_tree", "compiler_stamp", "find_proto_files", "include_dirs"]

_LOCK = threading.Lock()  # protoc writes to the process's stderr: one compilation at a time
_PROTOC_LINE = re.compile(r"^(?P<file>[^:\n]+\.proto):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")


def include_dirs() -> list[Path]:
    """Include folders for the well-known types and the Google API annotations."""
    import google.api  # from googleapis-common-protos
    import grpc_tools

    wkt = Path(grpc_tools.__file__).parent / "_proto"
    gapi = Path(next(iter(google.api.__path__))).parent.parent
    return [wkt, gapi]


def compiler_stamp() -> str:
    """What a compiled tree depends on besides its files: the versions of protoc (grpcio-tools),
    of the bundled includes (googleapis-common-protos) and of the descriptor format (protobuf)."""
    import importlib.metadata

    stamp = []
    for distribution in ("grpcio-tools", "googleapis-common-protos", "protobuf"):
        try:
            stamp.append(f"{distribution}={importlib.metadata.version(distribution)}")
        except importlib.metadata.PackageNotFoundError:
            stamp.append(f"{distribution}=none")
    return ";".join(stamp)


def _cached(path: Path | None) -> descriptor_pb2.FileDescriptorSet | None:
    """A cached descriptor set; None when there is none or it is damaged (then compiled again)."""
    if path is None or not path.is_file():
        return None
    descriptors = descriptor_pb2.FileDescriptorSet()
    try:
        descriptors.ParseFromString(path.read_bytes())
    except (OSError, DecodeError):
        return None
    return descriptors


def find_proto_files(root: Path) -> list[str]:
    """Every ``.proto`` under *root*, as import paths, sorted.

    Anything named ``*.proto`` that is not a folder is listed (FIFOs, devices, symlink loops too):
    :func:`compile_proto_tree` refuses those with one line instead of skipping them silently.
    """
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.proto") if not p.is_dir())


def _check_name(root: Path, name: str) -> None:
    """An import path protoc can only take as a file: no part starts with '-' or '@' (an option, an
    arguments file), no '..' and no control characters."""
    for part in name.split("/"):
        if part.startswith(("-", "@")) or part in ("", ".", "..") or any(ord(ch) < 32 for ch in part):
            raise SourceError(
                f"proto file name {part[:80]!r} cannot be used (it starts with '-' or '@', or is not a plain name)",
                file=display_path(root / name),
                hint="rename the file with letters, digits, '_', '-' and '.', not starting with '-' or '@'",
            )


@contextlib.contextmanager
def _captured_stderr() -> Iterator[list[str]]:
    """Capture what the C++ compiler writes to file descriptor 2."""
    sink: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        saved = os.dup(2)
        try:
            os.dup2(tmp.fileno(), 2)
            yield sink
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            sink.append(tmp.read().decode("utf-8", "replace"))


def _first_error(output: str, root: Path) -> SourceError:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("warning:") and "warning:" not in line[:80]] or lines
    if not lines:
        return SourceError("protoc failed without a message", file=display_path(root))
    first = lines[0]
    more = f" ({len(lines) - 1} more error(s) follow)" if len(lines) > 1 else ""
    match = _PROTOC_LINE.match(first)
    if match:
        file = match.group("file")
        path = root / file
        shown = display_path(path) if path.exists() else file
        return SourceError(
            f"{match.group('msg')} (column {match.group('col')}){more}",
            file=shown,
            line=int(match.group("line")),
            hint="fix the .proto source",
        )
    not_found = re.match(r"^(?P<file>.+?): File not found\.$", first)
    if not_found:
        importer = next((line for line in lines if "Import" in line and "was not found" in line), None)
        imp = _PROTOC_LINE.match(importer) if importer else None
        if imp:
            return SourceError(
                f"import {not_found.group('file')!r} not found under the proto root or the bundled includes",
                file=display_path(root / imp.group("file")),
                line=int(imp.group("line")),
                hint="fix the import path or add the missing file under CELLS_PROTO_ROOT",
            )
        return SourceError(f"{first}{more}", file=display_path(root))
    return SourceError(f"protoc: {first}{more}", file=display_path(root))


def compile_proto_tree(
    root: Path, files: list[str] | None = None, *, cache_dir: Path | None = None
) -> descriptor_pb2.FileDescriptorSet:
    """Compile every ``.proto`` under *root* (or *files*, import paths under it) with source info.

    With *cache_dir* (whole trees only), the result is kept there under a hash of every file's
    import path and content and of :func:`compiler_stamp`: an unchanged tree is not compiled
    again (nor protoc imported). Every file is still checked and read first."""
    whole_tree = files is None
    shown = display_path(root)
    if not root.exists():
        raise SourceError(
            "proto root not found", file=shown, hint="set CELLS_PROTO_ROOT to the import root of the .proto tree"
        )
    if not root.is_dir():
        raise SourceError("proto root is not a folder", file=shown, hint="point CELLS_PROTO_ROOT at a folder")
    files = files if files is not None else find_proto_files(root)
    if not files:
        raise SourceError(
            "no .proto files found (searched recursively)",
            file=shown,
            hint="point CELLS_PROTO_ROOT at the import root of the .proto tree",
        )
    digest = hashlib.sha256(compiler_stamp().encode())
    for name in files:
        _check_name(root, name)
        # a regular file inside the root, UTF-8: protoc never opens a FIFO, a device or a file outside
        data = read_text(root / name, what="proto file", within=root).encode()
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    cache = cache_dir / f"tree-{digest.hexdigest()}.binpb" if cache_dir is not None and whole_tree else None
    cached = _cached(cache)
    if cached is not None:
        return cached
    from grpc_tools import protoc

    absolute = root.resolve()
    with tempfile.TemporaryDirectory(prefix="cells-protoc-") as tmp:
        out = Path(tmp) / "descriptors.binpb"
        args = [
            "protoc",
            f"-I{absolute}",
            *(f"-I{d}" for d in include_dirs()),
            "--include_source_info",
            "--include_imports",
            f"--descriptor_set_out={out}",
            # absolute paths under the -I root: never read as an option, mapped back to import paths
            *(str(absolute / name) for name in files),
        ]
        with _LOCK, _captured_stderr() as captured:
            code = protoc.main(args)
        if code != 0:
            raise _first_error("".join(captured), root)
        compiled = out.read_bytes()
        descriptor_set = descriptor_pb2.FileDescriptorSet()
        descriptor_set.ParseFromString(compiled)
    if cache is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            write_atomic(cache, compiled)
    return descriptor_set
