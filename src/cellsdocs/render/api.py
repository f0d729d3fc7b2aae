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
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cellsdocs.markdown import code, escape_attr, table, text
from cellsdocs.sources.protos.comments import comment_html, comment_summary
from cellsdocs.sources.protos.history import EMPTY_TREE
from cellsdocs.sources.protos.model import (
    Enum,
    Extension,
    Field,
    Message,
    Method,
    Option,
    ProtoFile,
    ProtoModel,
    Service,
)

__all__ = ["SCALARS", "WELL_KNOWN_DOCS", "ApiSite", "package_labels", "render_api"]

BASE = "reference/api"
GENERATOR = "cellsdocs.render.api"

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

    @property
    def nav_labels(self) -> dict[str, str]:
        """Navigation label of each package's folder (``reference/api/<folder>/``): short and
        distinct (:func:`package_labels`); the package's page keeps the full name as its title."""
        labels = package_labels(self.model.packages)
        return {_package_dir(package).rsplit("/", 1)[1]: label for package, label in labels.items()}

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


def package_labels(packages: Iterable[str]) -> dict[str, str]:
    """A short, distinct navigation label per package: what follows the prefix all packages share
    (``claims.v1``), the last component for the package that is the prefix itself
    (``topology_service``), never a bare version (``v1`` keeps its parent: ``claims.v1``); the full
    name wherever two labels would be the same."""
    names = sorted(set(packages))
    if not names:
        return {}
    split = [name.split(".") if name else [] for name in names]
    common = 0
    if len(split) > 1:
        while all(len(parts) > common for parts in split) and len({parts[common] for parts in split}) == 1:
            common += 1
    labels: dict[str, str] = {}
    for name, parts in zip(names, split, strict=True):
        if not parts:
            labels[name] = "(no package)"
            continue
        rest = parts[common:] or parts[-1:]
        if len(rest) == 1 and re.fullmatch(r"v\d+\w*", rest[0]) and len(parts) > 1:
            rest = parts[-2:]
        labels[name] = ".".join(rest)
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {name: (label if seen[label] == 1 else name or "(no package)") for name, label in labels.items()}


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
        '<p class="cells-generated" data-search-exclude>'
        f"Generated at build time from {code(source)} by {code(GENERATOR)}. "
        "Edit the <code>.proto</code> source, not this page.</p>\n\n"
    )


def _description(comments: Any) -> str:
    """A comment for a table cell: one paragraph inline, more as paragraphs and lists (one line)."""
    if not comments:
        return ""
    body = comment_html(comments.text)
    if body.count("<p>") == 1 and body.startswith("<p>") and body.endswith("</p>"):
        return body[3:-4]
    return body


def _summary(comments: Any) -> str:
    """The comment's first paragraph, inline (summary columns)."""
    return comment_summary(comments.text) if comments else ""


def _para(comments: Any) -> str:
    body = comment_html(comments.text) if comments else ""
    return (
        f'<div class="cells-proto-doc">{body}</div>\n\n'
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


def field_table(site: ApiSite, message: Message, page: str, *, anchors: bool = True) -> str:
    """The fields of *message* as a table; *anchors* gives each row its field's id (once per site:
    only on the message's own page)."""
    rows = []
    for f in message.fields:
        name = code(f.name)
        if anchors:
            name = f'<span id="{escape_attr(f.fqn)}"></span>' + name
        if f.deprecated:
            name += " " + _badges(deprecated=True)
        desc = _description(f.comments)
        if f.default is not None:
            desc += ("<br>" if desc else "") + f"Default: {code(f.default)}"
        if f.options:
            desc += ("<br>" if desc else "") + render_options(site, f.options, from_page=page)
        rows.append([name, str(f.number), _field_type(site, f, page), _field_label(f), desc])
    return table(["Field", "Number", "Type", "Label", "Description"], rows)


def render_message(site: ApiSite, message: Message, page: str, level: int = 3) -> str:
    hashes = "#" * level
    out = [f'{hashes} {text(message.name)} {{ #{message.fqn} data-toc-label="{escape_attr(message.name)}" }}\n\n']
    source = site.source(message.file, message.comments)
    out.append(f"{code(message.fqn)} {_badges(deprecated=message.deprecated)}{source}\n\n")
    out.append(_para(message.comments))
    if message.fields:
        out.append(field_table(site, message, page) + "\n")
    else:
        out.append("_No fields._\n\n")
    if message.oneofs:
        for oneof in message.oneofs:
            members = ", ".join(code(n) for n in oneof.fields)
            doc = comment_html(oneof.comments.text) if oneof.comments else ""
            out.append(
                f'<div id="{escape_attr(oneof.fqn)}" class="cells-oneof"><p>Exactly one of {members} '
                f"(oneof {code(oneof.name)}).</p>{doc}</div>\n\n"
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


_REST_LABEL = '<span class="cells-rpc-rest-label">REST</span> '


def _rest(method: Method) -> str:
    """The RPC's REST mappings (``google.api.http``) as one line each, verb highlighted."""
    if not method.http:
        return '<p class="cells-rpc-rest">' + _REST_LABEL + "not exposed (gRPC only)</p>\n\n"
    lines = []
    for binding in method.http:
        line = f'<span class="cells-http-verb">{text(binding.verb)}</span> {code(binding.path)}'
        if binding.body:
            line += f" body {code(binding.body)}"
        if binding.response_body:
            line += f" response body {code(binding.response_body)}"
        lines.append(line)
    return '<p class="cells-rpc-rest">' + _REST_LABEL + "<br>".join(lines) + "</p>\n\n"


def _indent(markdown: str) -> str:
    return "".join(f"    {line}" if line.strip() else line for line in markdown.splitlines(keepends=True))


def _message_block(site: ApiSite, role: str, type_name: str, stream: bool, page: str) -> str:
    """A collapsible block (open by default) with the fields of an RPC's request or response."""
    short = type_name.rsplit(".", 1)[-1]
    title = f"{role}: {short}" + (" (stream)" if stream else "")
    link = type_link(site, type_name, is_scalar=False, from_page=page)
    element = site.model.find(type_name)
    body = []
    if isinstance(element, Message):
        summary = _summary(element.comments)
        lead = f"{link}{' (a stream)' if stream else ''}" + (f": {summary}" if summary else "")
        body.append(f'<p class="cells-proto-doc">{lead}</p>\n\n')
        if element.fields:
            body.append(field_table(site, element, page, anchors=False))
        else:
            body.append("No fields.\n")
        if element.oneofs:
            groups = "; ".join(
                f"{code(o.name)}: one of " + ", ".join(code(n) for n in o.fields) for o in element.oneofs
            )
            body.append(f"\nOneofs: {groups}.\n")
    else:  # a type from a library file (well-known types): its own documentation
        body.append(f"{link}{' (a stream)' if stream else ''}\n")
    # the title is text (an identifier), escaped for the admonition's inline Markdown
    return f'???+ note "{text(title)}"\n\n' + _indent("".join(body)) + "\n"


def render_method(site: ApiSite, method: Method, page: str, file: str = "") -> str:
    out = [f'### {text(method.name)} {{ #{method.fqn} data-toc-label="{escape_attr(method.name)}" }}\n\n']
    badges = _badges(deprecated=method.deprecated, streaming=_streaming(method))
    signature = (
        f"<code>rpc {text(method.name)}({'stream ' if method.client_streaming else ''}"
        f"{text(method.input.rsplit('.', 1)[-1])}) returns ({'stream ' if method.server_streaming else ''}"
        f"{text(method.output.rsplit('.', 1)[-1])})</code>"
    )
    out.append(f"{signature} {badges}{site.source(file, method.comments) if file else ''}\n\n")
    out.append(_rest(method))
    out.append(_para(method.comments))
    out.append(site.decisions(method.fqn, page))
    out.append(_message_block(site, "Request", method.input, method.client_streaming, page))
    out.append(_message_block(site, "Response", method.output, method.server_streaming, page))
    rows = [["gRPC", code(f"/{method.fqn.rsplit('.', 1)[0]}/{method.name}")]]
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
        first = _summary(method.comments)
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
        first = _summary(service.comments)
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
                    _summary(service.comments),
                ]
            )
    for file in files:
        types_page = posixpath.basename(site.file_pages[file.name])
        for message in file.messages:
            rows.append(
                [
                    f"[{code(message.name)}]({types_page}#{message.fqn})",
                    "message",
                    _summary(message.comments),
                ]
            )
        for enum in file.enums:
            rows.append(
                [
                    f"[{code(enum.name)}]({types_page}#{enum.fqn})",
                    "enum",
                    _summary(enum.comments),
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
    maintainers = (
        '??? info "For maintainers: choosing what this page compares with"\n\n'
        "    The page compares the proto tree of this build with a git revision: `CELLS_API_BASE` when "
        "set, else the latest release tag, else the commit before the last change to the proto tree. "
        "The same comparison runs on the command line for any pair of revisions: "
        "`cells-docs api-diff --base <revision> [--head <revision>]`.\n\n"
    )
    if history.base is None:
        out.append(
            f"There is no earlier version of the API to compare this one with: {text(history.reason)}. "
            "Every service, message and enum of the [API reference](index.md) is as the sources define "
            "it today.\n\n"
        )
        out.append(maintainers)
        return "".join(out)
    counts = f"**{len(history.breaking)} breaking**, {len(history.compatible)} compatible"
    if getattr(history, "is_last_change", False):
        detail = text(history.reason.partition(": ")[2])
        if history.base == EMPTY_TREE:
            out.append(
                f"No release has been tagged yet, so this page shows the most recent change to the proto "
                f"tree instead ({detail}): every element is new ({counts}).\n\n"
            )
        else:
            out.append(
                f"No release has been tagged yet, so this page shows the most recent change to the proto "
                f"tree instead ({detail}), compared with the commit before it, {code(history.base)}, plus "
                f"any change not yet committed: {counts}.\n\n"
            )
    else:
        out.append(f"Changes to the API since {code(history.base)} ({text(history.reason)}): {counts}.\n\n")
    out.append(
        "A change is breaking when `buf breaking` (its default FILE category) would say so, or when it "
        "changes a REST mapping, which breaks REST clients.\n\n"
    )
    out.append(maintainers)

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
