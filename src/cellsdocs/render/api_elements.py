"""The sections of the API reference, one per proto element: messages (with their field
tables), enums, extensions and RPCs (with their REST mappings and request and response blocks),
and the comment, option and badge pieces they are made of.

Every section gives its element the anchor of its fully-qualified name; the pages that hold them
are assembled in :mod:`cellsdocs.render.api`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cellsdocs.markdown import code, escape_attr, table, text
from cellsdocs.render.api_site import ApiSite, type_link
from cellsdocs.sources.protos.comments import comment_html, comment_summary
from cellsdocs.sources.protos.elements import Enum, Extension, Field, Message, Method, Option

__all__ = [
    "badges",
    "doc_block",
    "doc_cell",
    "doc_summary",
    "field_table",
    "render_enum",
    "render_extensions",
    "render_message",
    "render_method",
    "render_options",
    "streaming_kind",
]


def doc_cell(comments: Any) -> str:
    """A comment for a table cell: one paragraph inline, more as paragraphs and lists (one line)."""
    if not comments:
        return ""
    body = comment_html(comments.text)
    if body.count("<p>") == 1 and body.startswith("<p>") and body.endswith("</p>"):
        return body[3:-4]
    return body


def doc_summary(comments: Any) -> str:
    """The comment's first paragraph, inline (summary columns)."""
    return comment_summary(comments.text) if comments else ""


def doc_block(comments: Any) -> str:
    """The comment as a block under an element's heading (or a "No description." note)."""
    body = comment_html(comments.text) if comments else ""
    return (
        f'<div class="cells-proto-doc">{body}</div>\n\n'
        if body
        else '<p class="cells-proto-undocumented">No description.</p>\n\n'
    )


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


def badges(*, deprecated: bool = False, streaming: str = "") -> str:
    """The deprecated and streaming badges shown after an element's name."""
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
            name += " " + badges(deprecated=True)
        desc = doc_cell(f.comments)
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
    out.append(f"{code(message.fqn)} {badges(deprecated=message.deprecated)}{source}\n\n")
    out.append(doc_block(message.comments))
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
    out.append(f"{code(enum.fqn)} (enum) {badges(deprecated=enum.deprecated)}{source}\n\n")
    out.append(doc_block(enum.comments))
    rows = []
    for value in enum.values:
        name = f'<span id="{escape_attr(value.fqn)}"></span>{code(value.name)}'
        if value.deprecated:
            name += " " + badges(deprecated=True)
        desc = doc_cell(value.comments)
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
                doc_cell(ext.comments),
            ]
        )
    return "## Extensions\n\n" + table(["Extension", "Number", "Type", "Extends", "Label", "Description"], rows)


def streaming_kind(method: Method) -> str:
    """Which way the RPC streams, in words (empty for a unary RPC)."""
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
        summary = doc_summary(element.comments)
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
    marks = badges(deprecated=method.deprecated, streaming=streaming_kind(method))
    signature = (
        f"<code>rpc {text(method.name)}({'stream ' if method.client_streaming else ''}"
        f"{text(method.input.rsplit('.', 1)[-1])}) returns ({'stream ' if method.server_streaming else ''}"
        f"{text(method.output.rsplit('.', 1)[-1])})</code>"
    )
    out.append(f"{signature} {marks}{site.source(file, method.comments) if file else ''}\n\n")
    out.append(_rest(method))
    out.append(doc_block(method.comments))
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
