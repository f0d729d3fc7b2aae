"""Classify the changes between two revisions of a proto tree as breaking or compatible.

Breaking rules follow ``buf breaking``'s FILE category (the default), and carry buf's rule names
so that the test suite can check every verdict against buf itself. This module adds one rule buf
does not have, ``HTTP_SAME_MAPPING``: a changed ``google.api.http`` mapping breaks REST clients.
Compatible changes (additions, comment and deprecation changes) are listed too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cellsdocs.sources.protos.elements import Enum, Field, Message, Method, ProtoFile, ProtoModel, Service

__all__ = ["Change", "diff_models"]

_FILE_OPTIONS = {
    "go_package": "FILE_SAME_GO_PACKAGE",
    "java_package": "FILE_SAME_JAVA_PACKAGE",
    "java_outer_classname": "FILE_SAME_JAVA_OUTER_CLASSNAME",
    "java_multiple_files": "FILE_SAME_JAVA_MULTIPLE_FILES",
    "csharp_namespace": "FILE_SAME_CSHARP_NAMESPACE",
    "objc_class_prefix": "FILE_SAME_OBJC_CLASS_PREFIX",
    "php_namespace": "FILE_SAME_PHP_NAMESPACE",
    "php_metadata_namespace": "FILE_SAME_PHP_METADATA_NAMESPACE",
    "ruby_package": "FILE_SAME_RUBY_PACKAGE",
    "swift_prefix": "FILE_SAME_SWIFT_PREFIX",
    "optimize_for": "FILE_SAME_OPTIMIZE_FOR",
    "cc_enable_arenas": "FILE_SAME_CC_ENABLE_ARENAS",
    "cc_generic_services": "FILE_SAME_CC_GENERIC_SERVICES",
    "java_generic_services": "FILE_SAME_JAVA_GENERIC_SERVICES",
    "py_generic_services": "FILE_SAME_PY_GENERIC_SERVICES",
    "java_string_check_utf8": "FILE_SAME_JAVA_STRING_CHECK_UTF8",
}


@dataclass(frozen=True, order=True)
class Change:
    """One difference: ``rule`` names the check (buf's name for breaking ones)."""

    breaking: bool
    rule: str
    element: str  # fully-qualified name (or file name)
    message: str
    file: str = ""


def _opt(options: Any, name: str) -> Any:
    return next((o.value for o in options if o.name == name), None)


def _relative(fqn: str, package: str) -> str:
    return fqn[len(package) + 1 :] if package and fqn.startswith(package + ".") else fqn


def _messages(files: tuple[ProtoFile, ...]) -> dict[tuple[str, str], Message]:
    """(file, name relative to the package) -> message: buf compares per file (FILE category)."""
    out: dict[tuple[str, str], Message] = {}

    def walk(file: ProtoFile, message: Message) -> None:
        out[(file.name, _relative(message.fqn, file.package))] = message
        for nested in message.messages:
            walk(file, nested)

    for file in files:
        for message in file.messages:
            walk(file, message)
    return out


def _enums(files: tuple[ProtoFile, ...]) -> dict[tuple[str, str], Enum]:
    out: dict[tuple[str, str], Enum] = {}
    packages = {f.name: f.package for f in files}
    for file in files:
        for enum in file.enums:
            out[(file.name, _relative(enum.fqn, file.package))] = enum
    for (file_name, _rel), message in _messages(files).items():
        for enum in message.enums:
            out[(file_name, _relative(enum.fqn, packages[file_name]))] = enum
    return out


def _field_type(f: Field, package: str = "") -> str:
    """The field's type; with *package*, names in that package are written relative to it."""
    if f.label == "map":
        return f"map<{f.map_key}, {_relative(f.map_value or '', package)}>"
    return _relative(f.type, package)


def _cardinality(f: Field) -> str:
    if f.label in ("map", "repeated", "required"):
        return "repeated" if f.label == "map" else f.label
    return "optional" if f.explicit_presence else "implicit"


def _diff_fields(old: Message, new: Message, file: str, packages: tuple[str, str]) -> Iterator[Change]:
    before = {f.number: f for f in old.fields}
    after = {f.number: f for f in new.fields}
    after_by_name = {f.name: f for f in new.fields}
    for number, f in before.items():
        g = after.get(number)
        if g is None:
            moved = after_by_name.get(f.name)
            extra = f" (now number {moved.number})" if moved else ""
            yield Change(True, "FIELD_NO_DELETE", f.fqn, f"field {number} {f.name!r} deleted{extra}", file)
            continue
        if g.name != f.name:
            yield Change(True, "FIELD_SAME_NAME", f.fqn, f"field {number} renamed from {f.name!r} to {g.name!r}", file)
        if g.json_name != f.json_name:
            yield Change(
                True,
                "FIELD_SAME_JSON_NAME",
                f.fqn,
                f"field {number} JSON name {f.json_name!r} -> {g.json_name!r}",
                file,
            )
        if _field_type(g, packages[1]) != _field_type(f, packages[0]):
            yield Change(
                True,
                "FIELD_SAME_TYPE",
                f.fqn,
                f"field {number} {f.name!r} type {_field_type(f)} -> {_field_type(g)}",
                file,
            )
        if _cardinality(g) != _cardinality(f):
            yield Change(
                True,
                "FIELD_SAME_CARDINALITY",
                f.fqn,
                f"field {number} {f.name!r} cardinality {_cardinality(f)} -> {_cardinality(g)}",
                file,
            )
        if (g.oneof or "") != (f.oneof or ""):
            yield Change(
                True,
                "FIELD_SAME_ONEOF",
                f.fqn,
                f"field {number} {f.name!r} oneof {f.oneof or '(none)'} -> {g.oneof or '(none)'}",
                file,
            )
        if g.default != f.default:
            yield Change(
                True, "FIELD_SAME_DEFAULT", f.fqn, f"field {number} default {f.default!r} -> {g.default!r}", file
            )
        if g.deprecated != f.deprecated:
            yield Change(
                False,
                "FIELD_DEPRECATION",
                f.fqn,
                f"field {number} {g.name!r} {'deprecated' if g.deprecated else 'no longer deprecated'}",
                file,
            )
        if g.comments.text != f.comments.text:
            yield Change(False, "COMMENT", f.fqn, f"comment on field {g.name!r} changed", file)
    for number, g in after.items():
        if number not in before:
            yield Change(False, "FIELD_ADDED", g.fqn, f"field {number} {g.name!r} ({_field_type(g)}) added", file)
    old_oneofs = {o.name for o in old.oneofs}
    new_oneofs = {o.name for o in new.oneofs}
    for name in sorted(old_oneofs - new_oneofs):
        yield Change(True, "ONEOF_NO_DELETE", f"{old.fqn}.{name}", f"oneof {name!r} deleted", file)
    old_reserved = {n for a, b in old.reserved_ranges for n in range(a, min(b, a + 10_000) + 1)}
    new_reserved = {n for a, b in new.reserved_ranges for n in range(a, min(b, a + 10_000) + 1)}
    if not old_reserved <= new_reserved or not set(old.reserved_names) <= set(new.reserved_names):
        yield Change(True, "RESERVED_MESSAGE_NO_DELETE", old.fqn, "reserved numbers or names removed", file)
    elif old_reserved != new_reserved or set(old.reserved_names) != set(new.reserved_names):
        yield Change(False, "RESERVED_ADDED", old.fqn, "numbers or names reserved", file)


def _diff_enum(old: Enum, new: Enum, file: str) -> Iterator[Change]:
    before: dict[int, set[str]] = {}
    for v in old.values:
        before.setdefault(v.number, set()).add(v.name)
    after: dict[int, set[str]] = {}
    for v in new.values:
        after.setdefault(v.number, set()).add(v.name)
    for number, names in before.items():
        if number not in after:
            yield Change(
                True,
                "ENUM_VALUE_NO_DELETE",
                f"{old.fqn}",
                f"enum value {number} ({', '.join(sorted(names))}) deleted",
                file,
            )
        elif not names <= after[number]:
            yield Change(
                True,
                "ENUM_VALUE_SAME_NAME",
                f"{old.fqn}",
                f"enum value {number} renamed from {', '.join(sorted(names))} to {', '.join(sorted(after[number]))}",
                file,
            )
    for number, names in after.items():
        if number not in before:
            yield Change(
                False, "ENUM_VALUE_ADDED", new.fqn, f"enum value {number} ({', '.join(sorted(names))}) added", file
            )
    old_reserved = {n for a, b in old.reserved_ranges for n in range(a, min(b, a + 10_000) + 1)}
    new_reserved = {n for a, b in new.reserved_ranges for n in range(a, min(b, a + 10_000) + 1)}
    if not old_reserved <= new_reserved or not set(old.reserved_names) <= set(new.reserved_names):
        yield Change(True, "RESERVED_ENUM_NO_DELETE", old.fqn, "reserved numbers or names removed", file)
    elif old_reserved != new_reserved or set(old.reserved_names) != set(new.reserved_names):
        yield Change(False, "RESERVED_ADDED", old.fqn, "numbers or names reserved", file)


def _diff_method(old: Method, new: Method, file: str, packages: tuple[str, str]) -> Iterator[Change]:
    if _relative(new.input, packages[1]) != _relative(old.input, packages[0]):
        yield Change(True, "RPC_SAME_REQUEST_TYPE", old.fqn, f"request type {old.input} -> {new.input}", file)
    if _relative(new.output, packages[1]) != _relative(old.output, packages[0]):
        yield Change(True, "RPC_SAME_RESPONSE_TYPE", old.fqn, f"response type {old.output} -> {new.output}", file)
    if new.client_streaming != old.client_streaming:
        yield Change(
            True,
            "RPC_SAME_CLIENT_STREAMING",
            old.fqn,
            f"client streaming {old.client_streaming} -> {new.client_streaming}",
            file,
        )
    if new.server_streaming != old.server_streaming:
        yield Change(
            True,
            "RPC_SAME_SERVER_STREAMING",
            old.fqn,
            f"server streaming {old.server_streaming} -> {new.server_streaming}",
            file,
        )
    if _opt(new.options, "idempotency_level") != _opt(old.options, "idempotency_level"):
        yield Change(True, "RPC_SAME_IDEMPOTENCY_LEVEL", old.fqn, "idempotency level changed", file)
    if new.http != old.http:

        def show(m: Method) -> str:
            return ", ".join(f"{b.verb} {b.path}" for b in m.http) or "none"

        yield Change(bool(old.http), "HTTP_SAME_MAPPING", old.fqn, f"REST mapping {show(old)} -> {show(new)}", file)
    if new.deprecated != old.deprecated:
        yield Change(
            False, "RPC_DEPRECATION", old.fqn, "deprecated" if new.deprecated else "no longer deprecated", file
        )
    if new.comments.text != old.comments.text:
        yield Change(False, "COMMENT", old.fqn, "comment changed", file)
    if tuple(o for o in new.options if o.name != "idempotency_level") != tuple(
        o for o in old.options if o.name != "idempotency_level"
    ):
        yield Change(False, "RPC_OPTIONS", old.fqn, "options changed", file)


def diff_models(old: ProtoModel, new: ProtoModel) -> list[Change]:
    """Every change from *old* to *new*, breaking first, then by element."""
    changes: list[Change] = []
    old_files = {f.name: f for f in old.api_files}
    new_files = {f.name: f for f in new.api_files}
    for name, f in old_files.items():
        g = new_files.get(name)
        if g is None:
            changes.append(Change(True, "FILE_NO_DELETE", name, "file deleted", name))
            continue
        if g.package != f.package:
            changes.append(Change(True, "FILE_SAME_PACKAGE", name, f"package {f.package!r} -> {g.package!r}", name))
        if g.syntax != f.syntax:
            changes.append(Change(True, "FILE_SAME_SYNTAX", name, f"syntax {f.syntax} -> {g.syntax}", name))
        for option, rule in _FILE_OPTIONS.items():
            if _opt(f.options, option) != _opt(g.options, option):
                changes.append(
                    Change(
                        True,
                        rule,
                        name,
                        f"option {option} {_opt(f.options, option)!r} -> {_opt(g.options, option)!r}",
                        name,
                    )
                )
    for name in new_files.keys() - old_files.keys():
        changes.append(Change(False, "FILE_ADDED", name, "file added", name))

    old_messages, new_messages = _messages(old.api_files), _messages(new.api_files)
    for key, message in old_messages.items():
        file = key[0]
        found_message = new_messages.get(key)
        if found_message is None:
            if file in new_files:
                changes.append(Change(True, "MESSAGE_NO_DELETE", message.fqn, "message deleted", file))
            continue
        changes.extend(_diff_fields(message, found_message, file, (old_files[file].package, new_files[file].package)))
        if found_message.comments.text != message.comments.text:
            changes.append(Change(False, "COMMENT", message.fqn, "comment changed", file))
    for key, message in new_messages.items():
        if key not in old_messages:
            changes.append(Change(False, "MESSAGE_ADDED", message.fqn, "message added", key[0]))

    old_enums, new_enums = _enums(old.api_files), _enums(new.api_files)
    for key, enum in old_enums.items():
        found_enum = new_enums.get(key)
        if found_enum is None:
            if key[0] in new_files:
                changes.append(Change(True, "ENUM_NO_DELETE", enum.fqn, "enum deleted", key[0]))
            continue
        changes.extend(_diff_enum(enum, found_enum, key[0]))
    for key, enum in new_enums.items():
        if key not in old_enums:
            changes.append(Change(False, "ENUM_ADDED", enum.fqn, "enum added", key[0]))

    def service_key(service: Service) -> tuple[str, str]:
        return (service.file, _relative(service.fqn, service.package))

    old_services: dict[tuple[str, str], Service] = {service_key(s): s for s in old.services()}
    new_services: dict[tuple[str, str], Service] = {service_key(s): s for s in new.services()}
    for key, service in old_services.items():
        file = key[0]
        found_service = new_services.get(key)
        if found_service is None:
            if file in new_files:
                changes.append(Change(True, "SERVICE_NO_DELETE", service.fqn, "service deleted", file))
            continue
        new_methods = {m.name: m for m in found_service.methods}
        for method in service.methods:
            if method.name not in new_methods:
                changes.append(Change(True, "RPC_NO_DELETE", method.fqn, "RPC deleted", file))
            else:
                changes.extend(
                    _diff_method(
                        method, new_methods[method.name], file, (old_files[file].package, new_files[file].package)
                    )
                )
        old_names = {m.name for m in service.methods}
        for method in found_service.methods:
            if method.name not in old_names:
                changes.append(Change(False, "RPC_ADDED", method.fqn, "RPC added", file))
    for key, service in new_services.items():
        if key not in old_services:
            changes.append(Change(False, "SERVICE_ADDED", service.fqn, "service added", key[0]))

    old_ext = {(f.name, _relative(x.fqn, f.package)): x.fqn for f in old.api_files for x in f.extensions}
    new_ext = {(f.name, _relative(x.fqn, f.package)) for f in new.api_files for x in f.extensions}
    for key, fqn in old_ext.items():
        if key not in new_ext and key[0] in new_files:
            changes.append(Change(True, "EXTENSION_NO_DELETE", fqn, "extension deleted", key[0]))
    return sorted(changes, key=lambda c: (not c.breaking, c.file, c.element, c.rule))
