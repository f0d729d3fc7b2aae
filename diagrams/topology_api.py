"""The Topology Service API: every service of the protos with its RPCs, their request and response
messages and, where the access rule says, who may call them. Grouped by proto package.

Drawn from the compiled protos only. Each service is a table whose cells link to the RPC and
message references.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagrams.programming.language import Go

from cellsdocs.drawing.api import (
    TABLE_NODE,
    Cell,
    DiagramSpec,
    Drawing,
    api_link,
    cluster,
    ident,
    label,
    linked,
    page_link,
    table,
)
from diagrams import Edge, Node

ICON = {"width": "1.0", "height": "1.2", "fontsize": "11"}

if TYPE_CHECKING:
    from cellsdocs.site import SiteModel


def _callers(method: Any) -> list[str]:
    """Who may call *method*: the ``allowed_callers`` of its access rule (an option), shortened."""
    for option in method.options:
        if isinstance(option.value, dict) and "allowed_callers" in option.value:
            return [str(c).removeprefix("CALLER_").lower().replace("_", " ") for c in option.value["allowed_callers"]]
    return []


def _summary(comment: str, limit: int = 90) -> str:
    """The first sentence of a comment, shortened."""
    first = " ".join(comment.split()).split(". ")[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _message(site: SiteModel, fqn: str, streaming: bool) -> Cell:
    short = fqn.rsplit(".", 1)[-1]
    return Cell(text=("stream " if streaming else "") + short, href=api_link(site, fqn), tip=fqn)


def build(site: SiteModel) -> DiagramSpec:
    api = site.sources.api
    services = sorted(api.services(), key=lambda s: (s.package, s.name))
    with_callers = any(_callers(m) for s in services for m in s.methods)
    packages: dict[str, list[Any]] = {}
    for service in services:
        packages.setdefault(service.package, []).append(service)
    rpc_count = sum(len(s.methods) for s in services)
    with Drawing("Topology Service API", direction="LR", graph_attr={"ranksep": "0.7", "nodesep": "0.25"}) as drawing:
        hub = Go(
            label("Topology Service", f"{len(services)} services, {rpc_count} RPCs", small_rest=True),
            nodeid="topology-service",
            **ICON,
            **linked(page_link(site, "reference/api/index.md"), "API reference"),
        )
        for package, members in packages.items():
            with cluster(
                package or "(no package)",
                nodeid=ident("package", package),
                graph_attr={"bgcolor": "#F4F6F8"},
            ):
                for service in members:
                    rows = []
                    if with_callers and service.methods:
                        heads = ("RPC", "request", "", "response", "who may call")
                        rows.append([Cell(text=head, muted=True) for head in heads])
                    for method in service.methods:
                        row = [
                            Cell(text=method.name, bold=True, href=api_link(site, method.fqn), tip=method.fqn),
                            _message(site, method.input, method.client_streaming),
                            Cell(text="→", muted=True),
                            _message(site, method.output, method.server_streaming),
                        ]
                        if with_callers:
                            row.append(Cell(text=", ".join(_callers(method)) or "–", muted=True))
                        rows.append(row)
                    if not rows:
                        rows.append([Cell(text="no RPCs", muted=True)])
                    node = Node(
                        table(
                            (service.name, _summary(service.comments.text)),
                            rows,
                            href=api_link(site, service.fqn),
                            tip=service.fqn,
                        ),
                        nodeid=ident("service", service.fqn),
                        **TABLE_NODE,
                        **linked(None, service.fqn),
                    )
                    (
                        hub
                        >> Edge(label=label(f"{len(service.methods)} RPC{'s' if len(service.methods) != 1 else ''}"))
                        >> node
                    )
    listed = "; ".join(
        f"{s.name} ({s.fqn}) with "
        + ", ".join(f"{m.name}({m.input.rsplit('.', 1)[-1]}) returns {m.output.rsplit('.', 1)[-1]}" for m in s.methods)
        for s in services
    )
    callers = " Each RPC also shows who may call it." if with_callers else ""
    alt = (
        f"Topology Service API: {len(services)} services with {rpc_count} RPCs, grouped by package: {listed}.{callers}"
    )
    return DiagramSpec(drawing=drawing, alt=alt, sources=(site.sources.paths.proto_root,))
