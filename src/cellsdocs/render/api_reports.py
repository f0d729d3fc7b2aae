"""The two report pages beside the API reference: documentation coverage (which elements have no
comment) and the API changes since a base revision (breaking and compatible, as ``buf breaking``
classifies them).

- ``reference/api/coverage.md``: :func:`render_coverage`
- ``reference/api/changes.md``: :func:`render_changes`
"""

from __future__ import annotations

from typing import Any

from cellsdocs.markdown import code, table, text
from cellsdocs.render.api_site import BASE, EDIT_PROTO, ApiSite
from cellsdocs.render.page import GeneratedPage
from cellsdocs.sources.protos.elements import ProtoModel
from cellsdocs.sources.protos.history import EMPTY_TREE

__all__ = ["element_counts", "render_changes", "render_coverage", "undocumented"]

GENERATOR = "cellsdocs.render.api_reports"


def element_counts(model: ProtoModel) -> dict[str, int]:
    """How many files, services, RPCs, messages, fields, enums and enum values the API has."""
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
    """The documentation coverage page (``reference/api/coverage.md``)."""
    counts = element_counts(site.model)
    total = (
        counts["services"] + counts["rpcs"] + counts["messages"] + counts["fields"] + counts["enums"] + counts["values"]
    )
    missing = undocumented(site.model)
    documented = total - len(missing)
    share = 100.0 * documented / total if total else 100.0
    header = GeneratedPage(
        generator=GENERATOR, source=site.proto_source, heading="API documentation coverage", edit=EDIT_PROTO
    )
    out = [
        header.header(),
        f"{documented} of {total} API elements ({share:.1f}%) have a comment in the `.proto` source. "
        "Elements without one are listed below; a comment on the line before an element (or at the end "
        "of its line) documents it.\n\n",
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


def render_changes(site: ApiSite, history: Any) -> str:
    """The API change history page (``reference/api/changes.md``)."""
    page = f"{BASE}/changes.md"
    header = GeneratedPage(
        generator=GENERATOR,
        source=f"{site.proto_source} and its git history",
        heading="API changes",
        edit=EDIT_PROTO,
    )
    out = [header.header()]
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
