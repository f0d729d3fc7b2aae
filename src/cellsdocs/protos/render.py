"""Render the API reference from the proto model: Markdown pages keyed by site path.

Layout (every element has a stable anchor equal to its fully-qualified name):

- ``reference/api/index.md``: packages, services, counts
- ``reference/api/<package>/index.md``: the package's services and types
- ``reference/api/<package>/<Service>.md``: one page per service, one section per RPC
- ``reference/api/<package>/<file>.md``: the messages, enums and extensions of one file
- ``reference/api/scalars.md``: the scalar types, explained once
- ``reference/api/coverage.md``: elements without a comment
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..markdown import code, escape_attr, table, text
from .model import Enum, Extension, Field, Message, Method, Option, ProtoFile, ProtoModel, Service

__all__ = ["SCALARS", "WELL_KNOWN_DOCS", "ApiSite", "render_api"]

BASE = "reference/api"
GENERATOR = "cellsdocs.protos.render"

SCALARS: dict[str, tuple[str, str, str]] = {
    # name: (meaning, JSON mapping, default)
    "double": ("64-bit IEEE 754 floating point", 'number, or "NaN"/"Infinity"', "0"),
    "float": ("32-bit IEEE 754 floating point", 'number, or "NaN"/"Infinity"', "0"),
    "int32": ("signed 32-bit integer, varint; inefficient for negative numbers", "number", "0"),
    "int64": ("signed 64-bit integer, varint; inefficient for negative numbers", "string (decimal)", "0"),
    "uint32": ("unsigned 32-bit integer, varint", "number", "0"),
    "uint64": ("unsigned 64-bit integer, varint", "string (decimal)", "0"),
    "sint32": ("signed 32-bit integer, zigzag varint; efficient for negative numbers", "number", "0"),
    "sint64": ("signed 64-bit integer, zigzag varint; efficient for negative numbers", "string (decimal)", "0"),
    "fixed32": ("unsigned 32-bit integer, always 4 bytes; efficient for values above 2^28", "number", "0"),
    "fixed64": ("unsigned 64-bit integer, always 8 bytes; efficient for values above 2^56", "string (decimal)", "0"),
    "sfixed32": ("signed 32-bit integer, always 4 bytes", "number", "0"),
    "sfixed64": ("signed 64-bit integer, always 8 bytes", "string (decimal)", "0"),
    "bool": ("true or false", "true/false", "false"),
    "string": ("UTF-8 or 7-bit ASCII text, at most 2^32 bytes", "string", "empty string"),
    "bytes": ("arbitrary bytes, at most 2^32", "string (base64)", "empty bytes"),
}

_WKT = "https://protobuf.dev/reference/protobuf/google.protobuf/#"
WELL_KNOWN_DOCS: dict[str, str] = {
    f"google.protobuf.{name}": _WKT + anchor
    for name, anchor in {
        "Any": "any",
        "Api": "api",
        "BoolValue": "bool-value",
        "BytesValue": "bytes-value",
        "DoubleValue": "double-value",
        "Duration": "duration",
        "Empty": "empty",
        "Enum": "enum",
        "EnumValue": "enum-value",
        "Field": "field",
        "FieldMask": "field-mask",
        "FloatValue": "float-value",
        "Int32Value": "int32-value",
        "Int64Value": "int64-value",
        "ListValue": "list-value",
        "Method": "method",
        "Mixin": "mixin",
        "NullValue": "null-value",
        "Option": "option",
        "SourceContext": "source-context",
        "StringValue": "string-value",
        "Struct": "struct",
        "Syntax": "syntax",
        "Timestamp": "timestamp",
        "Type": "type",
        "UInt32Value": "uint32-value",
        "UInt64Value": "uint64-value",
        "Value": "value",
    }.items()
}
_GOOGLEAPIS = "https://github.com/googleapis/googleapis/blob/master/"
_PROTOBUF = "https://github.com/protocolbuffers/protobuf/blob/main/"


@dataclass(frozen=True)
class ApiSite:
    """Where every element lives: fqn -> site path of its page (anchor = fqn)."""

    model: ProtoModel
    pages: dict[str, str]  # fqn -> src_uri
    file_pages: dict[str, str]  # proto file name -> src_uri of its types page
    backlinks: Callable[[str, str], str] | None = None  # (fqn, from_page) -> "Decisions: ..." Markdown

    #: (proto file name, line) -> the definition's upstream web URL at the locked commit, if known
    source_link: Callable[[str, int | None], str | None] | None = None

    def decisions(self, fqn: str, page: str) -> str:
        return self.backlinks(fqn, page) if self.backlinks is not None else ""

    def source(self, file: str, comments: Any) -> str:
        """A link to where the element is defined upstream (empty when no web URL is known)."""
        url = self.source_link(file, getattr(comments, "line", None)) if self.source_link else None
        if not url:
            return ""
        title = "Definition upstream, at the locked commit"
        return f' <a class="cells-source" href="{escape_attr(url)}" title="{title}">source</a>'

    def href(self, fqn: str, *, from_page: str) -> str | None:
        """Relative link from *from_page* (a src_uri) to the element, or None if not in the API."""
        page = self.pages.get(fqn)
        if page is None:
            return None
        rel = posixpath.relpath(page, posixpath.dirname(from_page) or ".")
        return f"{rel}#{fqn}"


def _package_dir(package: str) -> str:
    return f"{BASE}/{package or '_default'}"


def _file_slugs(files: Iterable[ProtoFile]) -> dict[str, str]:
    """Proto file -> page stem, unique within its package."""
    by_package: dict[str, list[ProtoFile]] = {}
    for file in files:
        by_package.setdefault(file.package, []).append(file)
    out: dict[str, str] = {}
    for package_files in by_package.values():
        stems = [posixpath.basename(f.name).removesuffix(".proto") for f in package_files]
        for file, stem in zip(package_files, stems, strict=True):
            unique = stems.count(stem) == 1 and stem != "index"
            out[file.name] = stem if unique else file.name.removesuffix(".proto").replace("/", "-")
    return out


def build_api_site(
    model: ProtoModel,
    backlinks: Callable[[str, str], str] | None = None,
    source_link: Callable[[str, int | None], str | None] | None = None,
) -> ApiSite:
    pages: dict[str, str] = {}
    file_pages: dict[str, str] = {}
    slugs = _file_slugs(model.api_files)
    service_names = {s.fqn: s.name for s in model.services()}
    for file in model.api_files:
        folder = _package_dir(file.package)
        stem = slugs[file.name]
        if stem in {service_names[s.fqn] for s in file.services} or any(
            stem == name for fqn, name in service_names.items() if fqn.startswith(file.package)
        ):
            stem += "-types"
        types_page = f"{folder}/{stem}.md"
        file_pages[file.name] = types_page
        for service in file.services:
            service_page = f"{folder}/{service.name}.md"
            pages[service.fqn] = service_page
            for method in service.methods:
                pages[method.fqn] = service_page

        def add_message(message: Message, page: str = types_page) -> None:
            pages[message.fqn] = page
            for f in message.fields:
                pages[f.fqn] = page
            for oneof in message.oneofs:
                pages[oneof.fqn] = page
            for nested in message.messages:
                add_message(nested, page)
            for enum in message.enums:
                add_enum(enum, page)

        def add_enum(enum: Enum, page: str = types_page) -> None:
            pages[enum.fqn] = page
            for value in enum.values:
                pages[value.fqn] = page

        for message in file.messages:
            add_message(message)
        for enum in file.enums:
            add_enum(enum)
        for ext in file.extensions:
            pages[ext.fqn] = types_page
    return ApiSite(model=model, pages=pages, file_pages=file_pages, backlinks=backlinks, source_link=source_link)


# --- pieces -----------------------------------------------------------------------------------


def _front(title: str, source: str) -> str:
    return (
        f"---\nrender_macros: false\ntitle: {json.dumps(title)}\n---\n\n"
        f'<p class="cells-generated">Generated at build time from {code(source)} by {code(GENERATOR)}. '
        "Edit the <code>.proto</code> source, not this page.</p>\n\n"
    )


def _description(comments: Any) -> str:
    body = text(comments.text, multiline=True) if comments else ""
    return body.replace("<br><br>", "</p><p>") if body else ""


def _para(comments: Any) -> str:
    body = _description(comments)
    return (
        f'<p class="cells-proto-doc">{body}</p>\n\n'
        if body
        else '<p class="cells-proto-undocumented">No description.</p>\n\n'
    )


def type_link(site: ApiSite, type_name: str, *, is_scalar: bool, from_page: str) -> str:
    """A link to a type: our own types by anchor, well-known types to their docs, scalars to the table."""
    if is_scalar:
        rel = posixpath.relpath(f"{BASE}/scalars.md", posixpath.dirname(from_page))
        return f"[{code(type_name)}]({rel}#{type_name})"
    href = site.href(type_name, from_page=from_page)
    short = type_name.rsplit(".", 1)[-1]
    if href:
        return f'[{code(short)}]({href} "{escape_attr(type_name)}")'
    external = WELL_KNOWN_DOCS.get(type_name)
    if external is None:
        element = site.model.find(type_name)
        file = getattr(element, "file", None)
        if isinstance(file, str) and file.startswith("google/protobuf/"):
            external = _PROTOBUF + "src/" + file
        elif isinstance(file, str) and file.startswith("google/"):
            external = _GOOGLEAPIS + file
    if external:
        return f'<a href="{escape_attr(external)}" title="{escape_attr(type_name)}"><code>{text(type_name)}</code></a>'
    return code(type_name)


def _option_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_option_value(v) for v in value) if value else "none"
    if isinstance(value, dict):
        parts = [f"{text(str(k).replace('_', ' '))}: {_option_value(v)}" for k, v in value.items()]
        return "; ".join(parts) if parts else "empty"
    return code(value)


def render_options(site: ApiSite, options: Iterable[Option], *, from_page: str) -> str:
    """Options as readable ``name: value`` text; extension names link to their definition."""
    out = []
    for option in options:
        if option.is_extension:
            fqn = option.name.strip("()")
            href = site.href(fqn, from_page=from_page)
            label = code(f"({fqn.rsplit('.', 1)[-1]})")
            name = f'[{label}]({href} "{escape_attr(fqn)}")' if href else code(option.name)
        else:
            name = code(option.name)
        out.append(f"{name} {_option_value(option.value)}")
    return "<br>".join(out)


def _badges(*, deprecated: bool = False, streaming: str = "") -> str:
    parts = []
    if deprecated:
        parts.append('<span class="cells-badge cells-badge--deprecated">deprecated</span>')
    if streaming:
        parts.append(f'<span class="cells-badge">{streaming}</span>')
    return " ".join(parts)


def _field_label(f: Field) -> str:
    if f.label == "map":
        return "map"
    if f.oneof:
        return f"oneof {code(f.oneof)}"
    return text(f.label)


def _field_type(site: ApiSite, f: Field, page: str) -> str:
    if f.label == "map":
        key = type_link(site, f.map_key or "", is_scalar=True, from_page=page)
        value = type_link(site, f.map_value or "", is_scalar=f.map_value_is_scalar, from_page=page)
        return f"map&lt;{key}, {value}&gt;"
    return type_link(site, f.type, is_scalar=f.is_scalar, from_page=page)


def _ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return ", ".join(str(a) if a == b else f"{a} to {'max' if b >= 536870911 else b}" for a, b in ranges)


def render_message(site: ApiSite, message: Message, page: str, level: int = 3) -> str:
    hashes = "#" * level
    out = [f'{hashes} {text(message.name)} {{ #{message.fqn} data-toc-label="{escape_attr(message.name)}" }}\n\n']
    source = site.source(message.file, message.comments)
    out.append(f"{code(message.fqn)} {_badges(deprecated=message.deprecated)}{source}\n\n")
    out.append(_para(message.comments))
    if message.fields:
        rows = []
        for f in message.fields:
            name = f'<span id="{escape_attr(f.fqn)}"></span>{code(f.name)}'
            if f.deprecated:
                name += " " + _badges(deprecated=True)
            desc = _description(f.comments)
            if f.default is not None:
                desc += ("<br>" if desc else "") + f"Default: {code(f.default)}"
            if f.options:
                desc += ("<br>" if desc else "") + render_options(site, f.options, from_page=page)
            rows.append([name, str(f.number), _field_type(site, f, page), _field_label(f), desc])
        out.append(table(["Field", "Number", "Type", "Label", "Description"], rows) + "\n")
    else:
        out.append("_No fields._\n\n")
    if message.oneofs:
        for oneof in message.oneofs:
            members = ", ".join(code(n) for n in oneof.fields)
            doc = _description(oneof.comments)
            out.append(
                f'<p id="{escape_attr(oneof.fqn)}">Exactly one of {members} '
                f"(oneof {code(oneof.name)}){': ' + doc if doc else ''}.</p>\n\n"
            )
    if message.reserved_ranges or message.reserved_names:
        parts = []
        if message.reserved_ranges:
            parts.append("numbers " + text(_ranges(message.reserved_ranges)))
        if message.reserved_names:
            parts.append("names " + ", ".join(code(n) for n in message.reserved_names))
        out.append(f"Reserved: {'; '.join(parts)}. These may never be reused.\n\n")
    if message.extension_ranges:
        out.append(f"Extension numbers: {text(_ranges(message.extension_ranges))}.\n\n")
    if message.options:
        out.append(f"Options: {render_options(site, message.options, from_page=page)}\n\n")
    for nested in message.messages:
        out.append(render_message(site, nested, page, min(level + 1, 6)))
    for enum in message.enums:
        out.append(render_enum(site, enum, page, min(level + 1, 6)))
    return "".join(out)


def render_enum(site: ApiSite, enum: Enum, page: str, level: int = 3) -> str:
    hashes = "#" * level
    out = [f'{hashes} {text(enum.name)} {{ #{enum.fqn} data-toc-label="{escape_attr(enum.name)}" }}\n\n']
    source = site.source(enum.file, enum.comments)
    out.append(f"{code(enum.fqn)} (enum) {_badges(deprecated=enum.deprecated)}{source}\n\n")
    out.append(_para(enum.comments))
    rows = []
    for value in enum.values:
        name = f'<span id="{escape_attr(value.fqn)}"></span>{code(value.name)}'
        if value.deprecated:
            name += " " + _badges(deprecated=True)
        desc = _description(value.comments)
        if value.options:
            desc += ("<br>" if desc else "") + render_options(site, value.options, from_page=page)
        rows.append([name, str(value.number), desc])
    out.append(table(["Value", "Number", "Description"], rows) + "\n")
    if enum.reserved_ranges or enum.reserved_names:
        parts = []
        if enum.reserved_ranges:
            parts.append("numbers " + text(_ranges(enum.reserved_ranges)))
        if enum.reserved_names:
            parts.append("names " + ", ".join(code(n) for n in enum.reserved_names))
        out.append(f"Reserved: {'; '.join(parts)}.\n\n")
    if enum.options:
        out.append(f"Options: {render_options(site, enum.options, from_page=page)}\n\n")
    return "".join(out)


def render_extensions(site: ApiSite, extensions: Iterable[Extension], page: str) -> str:
    rows = []
    for ext in extensions:
        name = f'<span id="{escape_attr(ext.fqn)}"></span>{code(ext.name)}'
        extendee = type_link(site, ext.extendee, is_scalar=False, from_page=page)
        rows.append(
            [
                name,
                str(ext.number),
                type_link(site, ext.type, is_scalar=ext.is_scalar, from_page=page),
                extendee,
                text(ext.label),
                _description(ext.comments),
            ]
        )
    return "## Extensions\n\n" + table(["Extension", "Number", "Type", "Extends", "Label", "Description"], rows)


def _streaming(method: Method) -> str:
    if method.client_streaming and method.server_streaming:
        return "bidirectional streaming"
    if method.client_streaming:
        return "client streaming"
    if method.server_streaming:
        return "server streaming"
    return ""


def render_method(site: ApiSite, method: Method, page: str, file: str = "") -> str:
    out = [f'### {text(method.name)} {{ #{method.fqn} data-toc-label="{escape_attr(method.name)}" }}\n\n']
    badges = _badges(deprecated=method.deprecated, streaming=_streaming(method))
    signature = (
        f"<code>rpc {text(method.name)}({'stream ' if method.client_streaming else ''}"
        f"{text(method.input.rsplit('.', 1)[-1])}) returns ({'stream ' if method.server_streaming else ''}"
        f"{text(method.output.rsplit('.', 1)[-1])})</code>"
    )
    out.append(f"{signature} {badges}{site.source(file, method.comments) if file else ''}\n\n")
    out.append(_para(method.comments))
    out.append(site.decisions(method.fqn, page))
    stream_in = " (stream)" if method.client_streaming else ""
    stream_out = " (stream)" if method.server_streaming else ""
    rows = [
        ["Request", type_link(site, method.input, is_scalar=False, from_page=page) + stream_in],
        ["Response", type_link(site, method.output, is_scalar=False, from_page=page) + stream_out],
        ["gRPC", code(f"/{method.fqn.rsplit('.', 1)[0]}/{method.name}")],
    ]
    for binding in method.http:
        rest = f"{code(binding.verb + ' ' + binding.path)}"
        if binding.body:
            rest += f" body {code(binding.body)}"
        if binding.response_body:
            rest += f" response body {code(binding.response_body)}"
        rows.append(["REST", rest])
    if not method.http:
        rows.append(["REST", "not exposed"])
    if method.options:
        rows.append(["Options", render_options(site, method.options, from_page=page)])
    if method.deprecated:
        rows.append(["Deprecated", "yes: do not use in new code"])
    out.append("".join(f"- **{label}**: {value}\n" for label, value in rows) + "\n")
    return "".join(out)


def render_service_page(site: ApiSite, service: Service) -> tuple[str, str]:
    page = site.pages[service.fqn]
    out = [_front(f"{service.name}", service.file)]
    out.append(f"# {text(service.name)} {{ #{service.fqn} }}\n\n")
    source = site.source(service.file, service.comments)
    out.append(f"{code(service.fqn)} in {code(service.file)} {_badges(deprecated=service.deprecated)}{source}\n\n")
    out.append(_para(service.comments))
    out.append(site.decisions(service.fqn, page))
    if service.options:
        out.append(f"Options: {render_options(site, service.options, from_page=page)}\n\n")
    rows = []
    for method in service.methods:
        rest = ", ".join(code(f"{b.verb} {b.path}") for b in method.http) or "–"
        first = text(method.comments.text.split("\n\n")[0]) if method.comments else ""
        rows.append([f"[{code(method.name)}](#{method.fqn})", rest, text(_streaming(method)), first])
    out.append("## RPCs\n\n" + table(["RPC", "REST", "Streaming", "Summary"], rows) + "\n")
    for method in service.methods:
        out.append(render_method(site, method, page, service.file))
    return page, "".join(out)


def render_types_page(site: ApiSite, file: ProtoFile) -> tuple[str, str]:
    page = site.file_pages[file.name]
    stem = posixpath.basename(file.name)
    out = [_front(stem, file.name)]
    out.append(f"# {text(stem)}\n\n")
    out.append(f"Package {code(file.package or '(none)')}, {text(file.syntax)}.\n\n")
    if file.comments:
        out.append(_para(file.comments))
    if file.imports:
        imports = []
        for name in file.imports:
            target = site.file_pages.get(name)
            if target:
                rel = posixpath.relpath(target, posixpath.dirname(page))
                imports.append(f"[{code(name)}]({rel})")
            else:
                imports.append(code(name))
        out.append("Imports: " + ", ".join(imports) + "\n\n")
    if file.options:
        out.append(f"Options: {render_options(site, file.options, from_page=page)}\n\n")
    services = list(file.services)
    if services:
        links = ", ".join(
            f"[{code(s.name)}]({posixpath.relpath(site.pages[s.fqn], posixpath.dirname(page))})" for s in services
        )
        out.append(f"Services defined here: {links}\n\n")
    if file.messages:
        out.append("## Messages\n\n")
        for message in file.messages:
            out.append(render_message(site, message, page))
    if file.enums:
        out.append("## Enums\n\n")
        for enum in file.enums:
            out.append(render_enum(site, enum, page))
    if file.extensions:
        out.append(render_extensions(site, file.extensions, page))
    if not (file.messages or file.enums or file.extensions):
        out.append("_This file defines no types._\n")
    return page, "".join(out)


def _count(model: ProtoModel) -> dict[str, int]:
    messages = list(model.all_messages())
    enums = list(model.all_enums())
    return {
        "files": len(model.api_files),
        "services": sum(1 for _ in model.services()),
        "rpcs": sum(len(s.methods) for s in model.services()),
        "messages": len(messages),
        "fields": sum(len(m.fields) for m in messages),
        "enums": len(enums),
        "values": sum(len(e.values) for e in enums),
    }


def render_index(site: ApiSite, root_label: str) -> str:
    model = site.model
    counts = _count(model)
    out = [_front("API reference", root_label)]
    out.append("# Topology Service API\n\n")
    out.append(
        f"{counts['services']} services with {counts['rpcs']} RPCs, {counts['messages']} messages "
        f"({counts['fields']} fields) and {counts['enums']} enums in {counts['files']} files, "
        "compiled from the protobuf sources by protoc at every build. Every element has a stable anchor: "
        "its fully-qualified name.\n\n"
    )
    rows = []
    for service in sorted(model.services(), key=lambda s: s.fqn):
        page = site.pages[service.fqn]
        first = text(service.comments.text.split("\n\n")[0]) if service.comments else ""
        rows.append(
            [
                f"[{code(service.name)}]({posixpath.relpath(page, BASE)})",
                code(service.package),
                str(len(service.methods)),
                first,
            ]
        )
    out.append("## Services\n\n" + (table(["Service", "Package", "RPCs", "Summary"], rows) if rows else "_None._\n"))
    rows = []
    for package in model.packages:
        files = [f for f in model.api_files if f.package == package]
        rows.append(
            [
                f"[{code(package or '(no package)')}]({posixpath.relpath(_package_dir(package) + '/index.md', BASE)})",
                str(len(files)),
                str(sum(len(f.services) for f in files)),
                str(sum(len(f.messages) for f in files)),
                str(sum(len(f.enums) for f in files)),
            ]
        )
    out.append("\n## Packages\n\n" + table(["Package", "Files", "Services", "Messages", "Enums"], rows))
    out.append("\nSee also: [scalar types](scalars.md), [documentation coverage](coverage.md).\n")
    return "".join(out)


def render_package_index(site: ApiSite, package: str) -> tuple[str, str]:
    page = f"{_package_dir(package)}/index.md"
    files = [f for f in site.model.api_files if f.package == package]
    out = [_front(package or "(no package)", ", ".join(f.name for f in files))]
    out.append(f"# {text(package or '(no package)')}\n\n")
    rows = []
    for file in files:
        for service in file.services:
            rows.append(
                [
                    f"[{code(service.name)}]({posixpath.basename(site.pages[service.fqn])})",
                    "service",
                    text(service.comments.text.split(chr(10) * 2)[0]) if service.comments else "",
                ]
            )
    for file in files:
        types_page = posixpath.basename(site.file_pages[file.name])
        for message in file.messages:
            rows.append(
                [
                    f"[{code(message.name)}]({types_page}#{message.fqn})",
                    "message",
                    text(message.comments.text.split(chr(10) * 2)[0]) if message.comments else "",
                ]
            )
        for enum in file.enums:
            rows.append(
                [
                    f"[{code(enum.name)}]({types_page}#{enum.fqn})",
                    "enum",
                    text(enum.comments.text.split(chr(10) * 2)[0]) if enum.comments else "",
                ]
            )
    out.append(table(["Name", "Kind", "Summary"], rows) if rows else "_Empty package._\n")
    file_rows = [[f"[{code(f.name)}]({posixpath.basename(site.file_pages[f.name])})", text(f.syntax)] for f in files]
    out.append("\n## Files\n\n" + table(["File", "Syntax"], file_rows))
    return page, "".join(out)


def render_scalars() -> str:
    out = [
        "---\nrender_macros: false\n---\n\n# Scalar types\n\n"
        "The protobuf scalar types used in field tables link here. Every field of a scalar type has a "
        "default (its zero value) on the wire unless declared `optional`.\n\n"
    ]
    rows = [
        [f'<span id="{name}"></span>{code(name)}', text(meaning), text(json), text(default)]
        for name, (meaning, json, default) in SCALARS.items()
    ]
    out.append(table(["Type", "Meaning", "JSON", "Default"], rows))
    return "".join(out)


def undocumented(model: ProtoModel) -> list[tuple[str, str, str]]:
    """(kind, fqn, file) of every API element without a comment."""
    missing: list[tuple[str, str, str]] = []
    for service in model.services():
        if not service.comments:
            missing.append(("service", service.fqn, service.file))
        for method in service.methods:
            if not method.comments:
                missing.append(("rpc", method.fqn, service.file))
    for message in model.all_messages():
        if not message.comments:
            missing.append(("message", message.fqn, message.file))
        for f in message.fields:
            if not f.comments:
                missing.append(("field", f.fqn, message.file))
    for enum in model.all_enums():
        if not enum.comments:
            missing.append(("enum", enum.fqn, enum.file))
        for value in enum.values:
            if not value.comments:
                missing.append(("enum value", value.fqn, enum.file))
    return missing


def render_coverage(site: ApiSite) -> str:
    counts = _count(site.model)
    total = (
        counts["services"] + counts["rpcs"] + counts["messages"] + counts["fields"] + counts["enums"] + counts["values"]
    )
    missing = undocumented(site.model)
    documented = total - len(missing)
    share = 100.0 * documented / total if total else 100.0
    out = [
        "---\nrender_macros: false\n---\n\n# API documentation coverage\n\n"
        f"{documented} of {total} API elements ({share:.1f}%) have a comment in the `.proto` source. "
        "Elements without one are listed below; a comment on the line before an element (or at the end "
        "of its line) documents it.\n\n"
    ]
    if missing:
        rows = []
        for kind, fqn, file in missing:
            href = site.href(fqn, from_page=f"{BASE}/coverage.md")
            rows.append([text(kind), f"[{code(fqn)}]({href})" if href else code(fqn), code(file)])
        out.append(table(["Kind", "Element", "File"], rows))
    else:
        out.append("Every service, RPC, message, field, enum and enum value is documented.\n")
    return "".join(out)


def render_api(
    model: ProtoModel,
    *,
    source_label: str,
    backlinks: Callable[[str, str], str] | None = None,
    source_link: Callable[[str, int | None], str | None] | None = None,
) -> tuple[ApiSite, dict[str, str]]:
    """Every API reference page: site path -> Markdown."""
    site = build_api_site(model, backlinks, source_link)
    pages: dict[str, str] = {
        f"{BASE}/index.md": render_index(site, source_label),
        f"{BASE}/scalars.md": render_scalars(),
        f"{BASE}/coverage.md": render_coverage(site),
    }
    for package in model.packages:
        uri, content = render_package_index(site, package)
        pages[uri] = content
    for file in model.api_files:
        uri, content = render_types_page(site, file)
        pages[uri] = content
        for service in file.services:
            uri, content = render_service_page(site, service)
            pages[uri] = content
    return site, pages


def render_changes(site: ApiSite, history: Any) -> str:
    """The API change history page (``reference/api/changes.md``)."""
    page = f"{BASE}/changes.md"
    out = ["---\nrender_macros: false\n---\n\n# API changes\n\n"]
    if history.base is None:
        out.append(
            f"No base revision to compare with: {text(history.reason)}. Tag a release, or set "
            "`CELLS_API_BASE` to a git revision, to see what changed since. The same comparison runs "
            "on the command line: `cells-docs api-diff --base <revision>`.\n"
        )
        return "".join(out)
    out.append(
        f"Changes to the API since {code(history.base)} ({text(history.reason)}): "
        f"**{len(history.breaking)} breaking**, {len(history.compatible)} compatible. Breaking rules follow "
        "`buf breaking`'s default (FILE) category, plus REST mapping changes, which break REST clients. "
        "Run `cells-docs api-diff --base <revision>` for any other pair of revisions.\n\n"
    )

    def rows(changes: Any) -> list[list[str]]:
        result = []
        for change in changes:
            href = site.href(change.element, from_page=page)
            element = f"[{code(change.element)}]({href})" if href else code(change.element)
            result.append([element, text(change.message), code(change.rule), code(change.file)])
        return result

    headers = ["Element", "Change", "Rule", "File"]
    out.append("## Breaking\n\n" + (table(headers, rows(history.breaking)) if history.breaking else "None.\n"))
    out.append("\n## Compatible\n\n" + (table(headers, rows(history.compatible)) if history.compatible else "None.\n"))
    return "".join(out)
