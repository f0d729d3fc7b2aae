"""The typed elements of a compiled proto tree: files, services, RPCs, messages, fields, oneofs,
maps, enums, extensions, options, REST mappings and comments, and :class:`ProtoModel`, which
holds them all and finds any of them by fully-qualified name.

Frozen dataclasses, built by :func:`cellsdocs.sources.protos.model.build_model`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Comments",
    "Enum",
    "EnumValue",
    "Extension",
    "Field",
    "HttpBinding",
    "Message",
    "Method",
    "Oneof",
    "Option",
    "ProtoFile",
    "ProtoModel",
    "Service",
]


@dataclass(frozen=True)
class Comments:
    leading: str = ""
    trailing: str = ""
    detached: tuple[str, ...] = ()
    line: int | None = None  #: 1-based line of the element in its .proto file (provenance links)

    @property
    def text(self) -> str:
        """The description: leading comment, then trailing comment."""
        return "\n\n".join(part for part in (self.leading, self.trailing) if part)

    def __bool__(self) -> bool:
        return bool(self.leading or self.trailing)


@dataclass(frozen=True)
class Option:
    """One option as set in the source: ``name`` is ``deprecated`` or ``(full.extension.name)``."""

    name: str
    value: Any
    is_extension: bool


@dataclass(frozen=True)
class HttpBinding:
    """A REST mapping from ``google.api.http``."""

    verb: str
    path: str
    body: str = ""
    response_body: str = ""


@dataclass(frozen=True, kw_only=True)
class Field:
    name: str
    fqn: str
    number: int
    type: str  # scalar name or fully-qualified message/enum name (no leading dot)
    is_scalar: bool
    label: str  # "", "repeated", "optional", "required", "map"
    map_key: str | None = None
    map_value: str | None = None
    map_value_is_scalar: bool = True
    oneof: str | None = None
    explicit_presence: bool = False  # has_x(): proto2 singular, oneof, proto3 optional, message types
    deprecated: bool = False
    default: str | None = None
    json_name: str = ""
    options: tuple[Option, ...] = ()
    comments: Comments = Comments()


@dataclass(frozen=True, kw_only=True)
class Oneof:
    name: str
    fqn: str
    fields: tuple[str, ...]
    comments: Comments = Comments()


@dataclass(frozen=True, kw_only=True)
class EnumValue:
    name: str
    fqn: str
    number: int
    deprecated: bool = False
    options: tuple[Option, ...] = ()
    comments: Comments = Comments()


@dataclass(frozen=True, kw_only=True)
class Enum:
    name: str
    fqn: str
    file: str
    package: str
    values: tuple[EnumValue, ...]
    reserved_ranges: tuple[tuple[int, int], ...] = ()
    reserved_names: tuple[str, ...] = ()
    deprecated: bool = False
    options: tuple[Option, ...] = ()
    comments: Comments = Comments()
    kind: str = "enum"


@dataclass(frozen=True, kw_only=True)
class Message:
    name: str
    fqn: str
    file: str
    package: str
    fields: tuple[Field, ...]
    oneofs: tuple[Oneof, ...]
    messages: tuple[Message, ...]
    enums: tuple[Enum, ...]
    reserved_ranges: tuple[tuple[int, int], ...] = ()  # inclusive
    reserved_names: tuple[str, ...] = ()
    extension_ranges: tuple[tuple[int, int], ...] = ()
    deprecated: bool = False
    options: tuple[Option, ...] = ()
    comments: Comments = Comments()
    kind: str = "message"


@dataclass(frozen=True, kw_only=True)
class Method:
    name: str
    fqn: str
    input: str
    output: str
    client_streaming: bool
    server_streaming: bool
    http: tuple[HttpBinding, ...] = ()
    deprecated: bool = False
    options: tuple[Option, ...] = ()  # every option except google.api.http and deprecated
    comments: Comments = Comments()
    kind: str = "rpc"


@dataclass(frozen=True, kw_only=True)
class Service:
    name: str
    fqn: str
    file: str
    package: str
    methods: tuple[Method, ...]
    deprecated: bool = False
    options: tuple[Option, ...] = ()
    comments: Comments = Comments()
    kind: str = "service"


@dataclass(frozen=True, kw_only=True)
class Extension:
    name: str
    fqn: str
    extendee: str
    number: int
    type: str
    is_scalar: bool
    label: str
    comments: Comments = Comments()
    kind: str = "extension"


@dataclass(frozen=True, kw_only=True)
class ProtoFile:
    name: str
    package: str
    syntax: str
    imports: tuple[str, ...]
    messages: tuple[Message, ...]
    enums: tuple[Enum, ...]
    services: tuple[Service, ...]
    extensions: tuple[Extension, ...]
    options: tuple[Option, ...] = ()
    comments: Comments = Comments()
    is_library: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)  # identity: hashable, cheap to cache on
class ProtoModel:
    """Every file of the tree (library files such as well-known types marked ``is_library``)."""

    files: tuple[ProtoFile, ...]
    index: Mapping[str, Any] = field(default_factory=dict)  # fqn -> element (message, enum, field, ...)

    @property
    def api_files(self) -> tuple[ProtoFile, ...]:
        return tuple(f for f in self.files if not f.is_library)

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(sorted({f.package for f in self.api_files}))

    def services(self) -> Iterator[Service]:
        for file in self.api_files:
            yield from file.services

    def all_messages(self, *, library: bool = False) -> Iterator[Message]:
        def walk(messages: tuple[Message, ...]) -> Iterator[Message]:
            for message in messages:
                yield message
                yield from walk(message.messages)

        for file in self.files if library else self.api_files:
            yield from walk(file.messages)

    def all_enums(self, *, library: bool = False) -> Iterator[Enum]:
        for file in self.files if library else self.api_files:
            yield from file.enums
        for message in self.all_messages(library=library):
            yield from message.enums

    def find(self, name: str) -> Any | None:
        """Look an element up by fully-qualified name (leading dot optional)."""
        return self.index.get(name.lstrip("."))
