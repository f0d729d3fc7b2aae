"""Where each element of the API reference lives, and how a page links to it.

:class:`ApiSite` maps every fully-qualified name to the page that defines it (its anchor is the
name itself); :func:`build_api_site` lays the pages out (``reference/api/<package>/``: one page
per service and one types page per proto file); :func:`type_link` links a field's type to our own
page, to the documentation of a well-known type, or to the scalar table.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cellsdocs.markdown import code, escape_attr, text
from cellsdocs.sources.protos.elements import Enum, Message, ProtoFile, ProtoModel

__all__ = [
    "BASE",
    "EDIT_PROTO",
    "WELL_KNOWN_DOCS",
    "ApiSite",
    "build_api_site",
    "package_dir",
    "package_labels",
    "type_link",
]

BASE = "reference/api"
EDIT_PROTO = "Edit the <code>.proto</code> source, not this page."  # the banner's advice on every API page

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
    source_label: str = ""  # where the proto tree is read from (``sources/.../proto``), for banners

    @property
    def nav_labels(self) -> dict[str, str]:
        """Navigation label of each package's folder (``reference/api/<folder>/``): short and
        distinct (:func:`package_labels`); the package's page keeps the full name as its title."""
        labels = package_labels(self.model.packages)
        return {package_dir(package).rsplit("/", 1)[1]: label for package, label in labels.items()}

    @property
    def proto_source(self) -> str:
        """The proto tree the pages are generated from, as Markdown for the page banners."""
        return code(self.source_label) if self.source_label else "the <code>.proto</code> sources"

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


def package_dir(package: str) -> str:
    """The folder of a package's pages (``reference/api/<package>``; ``_default`` for none)."""
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
    source_label: str = "",
) -> ApiSite:
    """Lay the API out: the page of every element, and the types page of every proto file."""
    pages: dict[str, str] = {}
    file_pages: dict[str, str] = {}
    slugs = _file_slugs(model.api_files)
    service_names = {s.fqn: s.name for s in model.services()}
    for file in model.api_files:
        folder = package_dir(file.package)
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
    return ApiSite(
        model=model,
        pages=pages,
        file_pages=file_pages,
        backlinks=backlinks,
        source_link=source_link,
        source_label=source_label,
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
