"""Build the typed model of a compiled proto tree (:mod:`cellsdocs.sources.protos.elements`)
from the ``FileDescriptorSet`` protoc produced, never from the ``.proto`` text.

Options are decoded through a descriptor pool that holds every file of the set, so custom
extensions (such as an access-control ``MethodOptions`` extension) come out as named, typed
values. The element types (``ProtoModel`` and its parts) are imported from
:mod:`cellsdocs.sources.protos.elements`.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.message import Message as ProtoMessage

from cellsdocs.sources.protos.elements import (
    Comments,
    Enum,
    EnumValue,
    Extension,
    Field,
    HttpBinding,
    Message,
    Method,
    Oneof,
    Option,
    ProtoFile,
    ProtoModel,
    Service,
)

__all__ = ["LIBRARY_PREFIXES", "build_model"]

#: files that are infrastructure, not the documented API
LIBRARY_PREFIXES = ("google/protobuf/", "google/api/", "google/rpc/", "google/type/", "grpc/")

_SCALARS = {
    descriptor_pb2.FieldDescriptorProto.TYPE_DOUBLE: "double",
    descriptor_pb2.FieldDescriptorProto.TYPE_FLOAT: "float",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT64: "int64",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT64: "uint64",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT32: "int32",
    descriptor_pb2.FieldDescriptorProto.TYPE_FIXED64: "fixed64",
    descriptor_pb2.FieldDescriptorProto.TYPE_FIXED32: "fixed32",
    descriptor_pb2.FieldDescriptorProto.TYPE_BOOL: "bool",
    descriptor_pb2.FieldDescriptorProto.TYPE_STRING: "string",
    descriptor_pb2.FieldDescriptorProto.TYPE_BYTES: "bytes",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT32: "uint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SFIXED32: "sfixed32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SFIXED64: "sfixed64",
    descriptor_pb2.FieldDescriptorProto.TYPE_SINT32: "sint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SINT64: "sint64",
}
_HTTP_VERBS = ("get", "put", "post", "delete", "patch")


def _clean_comment(text: str) -> str:
    lines = text.split("\n")
    # protoc keeps the single space after // ; strip one leading space per line, then trailing blanks
    stripped = [line[1:] if line.startswith(" ") else line for line in lines]
    return "\n".join(stripped).strip("\n").rstrip()


class _Builder:
    def __init__(self, descriptor_set: descriptor_pb2.FileDescriptorSet) -> None:
        self.set = descriptor_set
        self.pool = descriptor_pool.DescriptorPool()
        names = {f.name for f in descriptor_set.file}
        if "google/protobuf/descriptor.proto" not in names:
            proto = descriptor_pb2.FileDescriptorProto()
            descriptor_pb2.DESCRIPTOR.CopyToProto(proto)
            self.pool.Add(proto)
        for file in descriptor_set.file:  # --include_imports orders dependencies first
            self.pool.Add(file)
        self.index: dict[str, Any] = {}
        self.comments: dict[tuple[int, ...], descriptor_pb2.SourceCodeInfo.Location] = {}
        self.syntax = "proto3"

    def options(self, options: ProtoMessage, full_name: str, *, skip: tuple[str, ...] = ()) -> tuple[Option, ...]:
        if not options.ByteSize():
            return ()
        cls = message_factory.GetMessageClass(self.pool.FindMessageTypeByName(full_name))
        decoded = cls.FromString(options.SerializeToString())
        out: list[Option] = []
        for descriptor, value in decoded.ListFields():
            name = f"({descriptor.full_name})" if descriptor.is_extension else descriptor.name
            if name in skip:
                continue
            out.append(Option(name=name, value=_plain(descriptor, value), is_extension=descriptor.is_extension))
        return tuple(out)

    def comment(self, path: tuple[int, ...]) -> Comments:
        location = self.comments.get(path)
        if location is None:
            return Comments()
        return Comments(
            leading=_clean_comment(location.leading_comments),
            trailing=_clean_comment(location.trailing_comments),
            detached=tuple(_clean_comment(d) for d in location.leading_detached_comments),
            line=location.span[0] + 1 if location.span else None,
        )

    def build(self) -> ProtoModel:
        files = [self.file(f) for f in self.set.file]
        return ProtoModel(files=tuple(files), index=self.index)

    def file(self, proto: descriptor_pb2.FileDescriptorProto) -> ProtoFile:
        self.comments = {tuple(loc.path): loc for loc in proto.source_code_info.location}
        self.syntax = proto.syntax or "proto2"
        package = proto.package
        prefix = f"{package}." if package else ""
        messages = tuple(
            self.message(m, prefix, (4, i), file=proto.name, package=package) for i, m in enumerate(proto.message_type)
        )
        enums = tuple(
            self.enum(e, prefix, (5, i), file=proto.name, package=package) for i, e in enumerate(proto.enum_type)
        )
        services = tuple(
            self.service(s, prefix, (6, i), file=proto.name, package=package) for i, s in enumerate(proto.service)
        )
        extensions = tuple(self.extension(x, prefix, (7, i)) for i, x in enumerate(proto.extension))
        syntax = proto.syntax or "proto2"
        return ProtoFile(
            name=proto.name,
            package=package,
            syntax=syntax,
            imports=tuple(proto.dependency),
            messages=messages,
            enums=enums,
            services=services,
            extensions=extensions,
            options=self.options(proto.options, "google.protobuf.FileOptions"),
            comments=self.comment((12,)) or self.comment((2,)),  # the comment on syntax or package
            is_library=proto.name.startswith(LIBRARY_PREFIXES),
        )

    def message(
        self, proto: descriptor_pb2.DescriptorProto, prefix: str, path: tuple[int, ...], *, file: str, package: str
    ) -> Message:
        fqn = prefix + proto.name
        maps = {nested.name: nested for nested in proto.nested_type if nested.options.map_entry}
        fields = []
        real_oneofs: dict[int, list[str]] = {}
        for i, f in enumerate(proto.field):
            fields.append(self.field(f, fqn, (*path, 2, i), maps, proto))
            if f.HasField("oneof_index") and not f.proto3_optional:
                real_oneofs.setdefault(f.oneof_index, []).append(f.name)
        oneofs = tuple(
            Oneof(
                name=o.name, fqn=f"{fqn}.{o.name}", fields=tuple(real_oneofs[i]), comments=self.comment((*path, 8, i))
            )
            for i, o in enumerate(proto.oneof_decl)
            if i in real_oneofs
        )
        nested = tuple(
            self.message(m, fqn + ".", (*path, 3, i), file=file, package=package)
            for i, m in enumerate(proto.nested_type)
            if not m.options.map_entry
        )
        enums = tuple(
            self.enum(e, fqn + ".", (*path, 4, i), file=file, package=package) for i, e in enumerate(proto.enum_type)
        )
        message = Message(
            name=proto.name,
            fqn=fqn,
            file=file,
            package=package,
            fields=tuple(fields),
            oneofs=oneofs,
            messages=nested,
            enums=enums,
            reserved_ranges=tuple((r.start, r.end - 1) for r in proto.reserved_range),
            reserved_names=tuple(proto.reserved_name),
            extension_ranges=tuple((r.start, r.end - 1) for r in proto.extension_range),
            deprecated=proto.options.deprecated,
            options=self.options(proto.options, "google.protobuf.MessageOptions", skip=("deprecated",)),
            comments=self.comment(path),
        )
        self.index[fqn] = message
        for item in oneofs:
            self.index[item.fqn] = item
        return message

    def type_name(self, f: descriptor_pb2.FieldDescriptorProto) -> tuple[str, bool]:
        if f.type in _SCALARS:
            return _SCALARS[f.type], True
        return f.type_name.lstrip("."), False

    def field(
        self,
        f: descriptor_pb2.FieldDescriptorProto,
        parent: str,
        path: tuple[int, ...],
        maps: dict[str, descriptor_pb2.DescriptorProto],
        message: descriptor_pb2.DescriptorProto,
    ) -> Field:
        type_name, is_scalar = self.type_name(f)
        label = ""
        map_key = map_value = None
        map_value_is_scalar = True
        entry_name = type_name.rsplit(".", 1)[-1]
        if f.label == f.LABEL_REPEATED and not is_scalar and entry_name in maps and type_name.startswith(parent + "."):
            entry = maps[entry_name]
            key, value = entry.field[0], entry.field[1]
            map_key = self.type_name(key)[0]
            map_value, map_value_is_scalar = self.type_name(value)
            label = "map"
        elif f.label == f.LABEL_REPEATED:
            label = "repeated"
        elif f.proto3_optional:
            label = "optional"
        elif f.label == f.LABEL_REQUIRED:
            label = "required"
        elif f.label == f.LABEL_OPTIONAL and not f.HasField("oneof_index") and self.syntax == "proto2":
            label = "optional"
        oneof = None
        if f.HasField("oneof_index") and not f.proto3_optional:
            oneof = message.oneof_decl[f.oneof_index].name
        result = Field(
            name=f.name,
            fqn=f"{parent}.{f.name}",
            number=f.number,
            type=type_name,
            is_scalar=is_scalar,
            label=label,
            map_key=map_key,
            map_value=map_value,
            map_value_is_scalar=map_value_is_scalar,
            oneof=oneof,
            explicit_presence=f.label != f.LABEL_REPEATED
            and (self.syntax == "proto2" or f.HasField("oneof_index") or not is_scalar),
            deprecated=f.options.deprecated,
            default=f.default_value if f.HasField("default_value") else None,
            json_name=f.json_name,
            options=self.options(f.options, "google.protobuf.FieldOptions", skip=("deprecated",)),
            comments=self.comment(path),
        )
        self.index[result.fqn] = result
        return result

    def enum(
        self, proto: descriptor_pb2.EnumDescriptorProto, prefix: str, path: tuple[int, ...], *, file: str, package: str
    ) -> Enum:
        fqn = prefix + proto.name
        # enum values are scoped like siblings of the enum (C++ scoping rules)
        scope = fqn.rsplit(".", 1)[0] + "." if "." in fqn else ""
        values = []
        for i, v in enumerate(proto.value):
            value = EnumValue(
                name=v.name,
                fqn=f"{fqn}.{v.name}",
                number=v.number,
                deprecated=v.options.deprecated,
                options=self.options(v.options, "google.protobuf.EnumValueOptions", skip=("deprecated",)),
                comments=self.comment((*path, 2, i)),
            )
            values.append(value)
            self.index[value.fqn] = value
            self.index.setdefault(scope + v.name, value)
        enum = Enum(
            name=proto.name,
            fqn=fqn,
            file=file,
            package=package,
            values=tuple(values),
            reserved_ranges=tuple((r.start, r.end) for r in proto.reserved_range),  # enum ranges are inclusive
            reserved_names=tuple(proto.reserved_name),
            deprecated=proto.options.deprecated,
            options=self.options(proto.options, "google.protobuf.EnumOptions", skip=("deprecated",)),
            comments=self.comment(path),
        )
        self.index[fqn] = enum
        return enum

    def service(
        self,
        proto: descriptor_pb2.ServiceDescriptorProto,
        prefix: str,
        path: tuple[int, ...],
        *,
        file: str,
        package: str,
    ) -> Service:
        fqn = prefix + proto.name
        methods = []
        for i, m in enumerate(proto.method):
            options = self.options(m.options, "google.protobuf.MethodOptions", skip=("deprecated",))
            http = tuple(b for o in options if o.name == "(google.api.http)" for b in _http_bindings(o.value))
            method = Method(
                name=m.name,
                fqn=f"{fqn}.{m.name}",
                input=m.input_type.lstrip("."),
                output=m.output_type.lstrip("."),
                client_streaming=m.client_streaming,
                server_streaming=m.server_streaming,
                http=http,
                deprecated=m.options.deprecated,
                options=tuple(o for o in options if o.name != "(google.api.http)"),
                comments=self.comment((*path, 2, i)),
            )
            methods.append(method)
            self.index[method.fqn] = method
        service = Service(
            name=proto.name,
            fqn=fqn,
            file=file,
            package=package,
            methods=tuple(methods),
            deprecated=proto.options.deprecated,
            options=self.options(proto.options, "google.protobuf.ServiceOptions", skip=("deprecated",)),
            comments=self.comment(path),
        )
        self.index[fqn] = service
        return service

    def extension(self, x: descriptor_pb2.FieldDescriptorProto, prefix: str, path: tuple[int, ...]) -> Extension:
        type_name, is_scalar = self.type_name(x)
        ext = Extension(
            name=x.name,
            fqn=prefix + x.name,
            extendee=x.extendee.lstrip("."),
            number=x.number,
            type=type_name,
            is_scalar=is_scalar,
            label="repeated" if x.label == x.LABEL_REPEATED else "",
            comments=self.comment(path),
        )
        self.index.setdefault(ext.fqn, ext)
        return ext


def _plain(descriptor: Any, value: Any) -> Any:
    """An option value as plain Python: messages as dicts, enums by name, repeated as lists."""
    if descriptor.is_repeated:
        return [_plain_single(descriptor, v) for v in value]
    return _plain_single(descriptor, value)


def _plain_single(descriptor: Any, value: Any) -> Any:
    if descriptor.type == descriptor.TYPE_MESSAGE:
        return json_format.MessageToDict(value, preserving_proto_field_name=True)
    if descriptor.type == descriptor.TYPE_ENUM:
        enum_value = descriptor.enum_type.values_by_number.get(value)
        return enum_value.name if enum_value is not None else value
    if descriptor.type == descriptor.TYPE_BYTES:
        return value.hex()
    return value


def _http_bindings(rule: Any) -> list[HttpBinding]:
    if not isinstance(rule, dict):
        return []
    bindings = []
    for verb in _HTTP_VERBS:
        if verb in rule:
            bindings.append(
                HttpBinding(
                    verb=verb.upper(),
                    path=rule[verb],
                    body=rule.get("body", ""),
                    response_body=rule.get("response_body", ""),
                )
            )
    if "custom" in rule:
        custom = rule["custom"]
        bindings.append(
            HttpBinding(
                verb=custom.get("kind", "CUSTOM").upper(),
                path=custom.get("path", ""),
                body=rule.get("body", ""),
                response_body=rule.get("response_body", ""),
            )
        )
    for extra in rule.get("additional_bindings", []):
        bindings.extend(_http_bindings(extra))
    return bindings


def build_model(descriptor_set: descriptor_pb2.FileDescriptorSet) -> ProtoModel:
    """Build the typed model of every file in *descriptor_set*."""
    return _Builder(descriptor_set).build()
