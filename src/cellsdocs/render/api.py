"""Render the API reference from the proto model: Markdown pages keyed by site path.

Layout (every element has a stable anchor equal to its fully-qualified name):

- ``reference/api/index.md``: packages, services, counts
- ``reference/api/<package>/index.md``: the package's services and types
- ``reference/api/<package>/<Service>.md``: one page per service, one section per RPC
- ``reference/api/<package>/<file>.md``: the messages, enums and extensions of one file
- ``reference/api/scalars.md``: the scalar types, explained once
- ``reference/api/coverage.md`` and ``changes.md``: reports (:mod:`cellsdocs.render.api_reports`)

This module assembles the pages; where each element lives is :mod:`cellsdocs.render.api_site`,
the section of each element :mod:`cellsdocs.render.api_elements`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from cellsdocs.markdown import code, table, text
from cellsdocs.render.api_elements import (
    badges,
    doc_block,
    doc_summary,
    render_enum,
    render_extensions,
    render_message,
    render_method,
    render_options,
    streaming_kind,
)
from cellsdocs.render.api_reports import element_counts, render_changes, render_coverage, undocumented
from cellsdocs.render.api_site import (
    BASE,
    EDIT_PROTO,
    WELL_KNOWN_DOCS,
    ApiSite,
    build_api_site,
    package_dir,
    package_labels,
)
from cellsdocs.render.page import GeneratedPage
from cellsdocs.sources.protos.elements import ProtoFile, ProtoModel, Service

__all__ = [
    "SCALARS",
    "WELL_KNOWN_DOCS",
    "ApiSite",
    "build_api_site",
    "package_labels",
    "render_api",
    "render_changes",
    "undocumented",
]

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


def render_service_page(site: ApiSite, service: Service) -> tuple[str, str]:
    """A service's page: its RPC table, then one section per RPC."""
    page = site.pages[service.fqn]
    header = GeneratedPage(
        generator=GENERATOR,
        source=code(service.file),
        heading=f"{text(service.name)} {{ #{service.fqn} }}",
        title=service.name,
        edit=EDIT_PROTO,
    )
    out = [header.header()]
    source = site.source(service.file, service.comments)
    out.append(f"{code(service.fqn)} in {code(service.file)} {badges(deprecated=service.deprecated)}{source}\n\n")
    out.append(doc_block(service.comments))
    out.append(site.decisions(service.fqn, page))
    if service.options:
        out.append(f"Options: {render_options(site, service.options, from_page=page)}\n\n")
    rows = []
    for method in service.methods:
        rest = ", ".join(code(f"{b.verb} {b.path}") for b in method.http) or "–"
        first = doc_summary(method.comments)
        rows.append([f"[{code(method.name)}](#{method.fqn})", rest, text(streaming_kind(method)), first])
    out.append("## RPCs\n\n" + table(["RPC", "REST", "Streaming", "Summary"], rows) + "\n")
    for method in service.methods:
        out.append(render_method(site, method, page, service.file))
    return page, "".join(out)


def render_types_page(site: ApiSite, file: ProtoFile) -> tuple[str, str]:
    """A proto file's types page: its messages, enums and extensions."""
    page = site.file_pages[file.name]
    stem = posixpath.basename(file.name)
    header = GeneratedPage(generator=GENERATOR, source=code(file.name), heading=text(stem), title=stem, edit=EDIT_PROTO)
    out = [header.header()]
    out.append(f"Package {code(file.package or '(none)')}, {text(file.syntax)}.\n\n")
    if file.comments:
        out.append(doc_block(file.comments))
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


def render_index(site: ApiSite) -> str:
    """The API's front page: counts, services and packages."""
    model = site.model
    counts = element_counts(model)
    header = GeneratedPage(
        generator=GENERATOR,
        source=site.proto_source,
        heading="Topology Service API",
        title="API reference",
        edit=EDIT_PROTO,
    )
    out = [header.header()]
    out.append(
        f"{counts['services']} services with {counts['rpcs']} RPCs, {counts['messages']} messages "
        f"({counts['fields']} fields) and {counts['enums']} enums in {counts['files']} files, "
        "compiled from the protobuf sources by protoc at every build. Every element has a stable anchor: "
        "its fully-qualified name.\n\n"
    )
    rows = []
    for service in sorted(model.services(), key=lambda s: s.fqn):
        page = site.pages[service.fqn]
        first = doc_summary(service.comments)
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
                f"[{code(package or '(no package)')}]({posixpath.relpath(package_dir(package) + '/index.md', BASE)})",
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
    """A package's page: its services, top-level types and files."""
    page = f"{package_dir(package)}/index.md"
    files = [f for f in site.model.api_files if f.package == package]
    name = package or "(no package)"
    header = GeneratedPage(
        generator=GENERATOR,
        source=code(", ".join(f.name for f in files)),
        heading=text(name),
        title=name,
        edit=EDIT_PROTO,
    )
    out = [header.header()]
    rows = []
    for file in files:
        for service in file.services:
            rows.append(
                [
                    f"[{code(service.name)}]({posixpath.basename(site.pages[service.fqn])})",
                    "service",
                    doc_summary(service.comments),
                ]
            )
    for file in files:
        types_page = posixpath.basename(site.file_pages[file.name])
        for message in file.messages:
            rows.append(
                [
                    f"[{code(message.name)}]({types_page}#{message.fqn})",
                    "message",
                    doc_summary(message.comments),
                ]
            )
        for enum in file.enums:
            rows.append(
                [
                    f"[{code(enum.name)}]({types_page}#{enum.fqn})",
                    "enum",
                    doc_summary(enum.comments),
                ]
            )
    out.append(table(["Name", "Kind", "Summary"], rows) if rows else "_Empty package._\n")
    file_rows = [[f"[{code(f.name)}]({posixpath.basename(site.file_pages[f.name])})", text(f.syntax)] for f in files]
    out.append("\n## Files\n\n" + table(["File", "Syntax"], file_rows))
    return page, "".join(out)


def render_scalars() -> str:
    """The scalar types page, which every scalar field type links to."""
    header = GeneratedPage(
        generator=GENERATOR,
        source=f"the table of protobuf's scalar types ({code('SCALARS')})",
        heading="Scalar types",
        edit="Edit that table, not this page.",
    )
    out = [
        header.header(),
        "The protobuf scalar types used in field tables link here. Every field of a scalar type has a "
        "default (its zero value) on the wire unless declared `optional`.\n\n",
    ]
    rows = [
        [f'<span id="{name}"></span>{code(name)}', text(meaning), text(json), text(default)]
        for name, (meaning, json, default) in SCALARS.items()
    ]
    out.append(table(["Type", "Meaning", "JSON", "Default"], rows))
    return "".join(out)


def render_api(
    model: ProtoModel,
    *,
    source_label: str,
    backlinks: Callable[[str, str], str] | None = None,
    source_link: Callable[[str, int | None], str | None] | None = None,
) -> tuple[ApiSite, dict[str, str]]:
    """Every API reference page: site path -> Markdown."""
    site = build_api_site(model, backlinks, source_link, source_label)
    pages: dict[str, str] = {
        f"{BASE}/index.md": render_index(site),
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
