"""The request flow through the active rule set, and the Topology Service API, from the sources."""

from __future__ import annotations

from typing import Any

#: rule sets longer than this are drawn as one box with the rule count
MAX_RULES_DRAWN = 8


def _rule_label(rule: Any) -> str:
    match = rule.match
    what = "any request" if match is None else f"{match.type} {getattr(match.regex_name, 'source', '') or ''}".strip()
    action = f"classify {rule.classify.type}" if rule.classify else "proxy"
    return f"#{rule.number} {rule.id or ''}\n{what}\n→ {action}"


def define(site: Any, kit: Any) -> list[Any]:
    sources = site.sources
    rule_set = sources.rule_set(sources.active_rule_set)
    classify = next((m for s in sources.api.services() for m in s.methods if m.name == "Classify"), None)
    first = min(sources.topology.cells, key=lambda c: c.id)
    rules_page = f"reference/routing/{rule_set.name}.md"

    def flow() -> Any:
        with kit.ModelDiagram("request-flow", direction="TB") as diagram:
            client = kit.Users("Request", nodeid="request")
            router = kit.Nginx("HTTP router", nodeid="router", URL=kit.page_url(rules_page), target="_top")
            client >> router
            previous = router
            with kit.Cluster(kit.safe_label(f"Rule set {rule_set.name} (first match wins)"),
                             graph_attr={"URL": kit.page_url(rules_page), "target": "_top"}):
                if len(rule_set.rules) > MAX_RULES_DRAWN:
                    boxes = [kit.Decision(kit.safe_label(f"{len(rule_set.rules)} rules"), nodeid="rules-all",
                                          URL=kit.page_url(rules_page), target="_top")]
                else:
                    boxes = [
                        kit.Decision(kit.safe_label(_rule_label(rule)), nodeid=f"rule-{rule.number}",
                                     URL=kit.page_url(rules_page, f"{rule_set.name}-rule-{rule.number}"),
                                     target="_top")
                        for rule in rule_set.rules
                    ]
            for box in boxes:
                previous >> kit.Edge(label="no match" if previous is not router else "") >> box
                previous = box
            label = classify.fqn if classify else "Classify"
            url = kit.page_url(site.api_site.pages[classify.fqn], classify.fqn) if classify else None
            service = kit.Router(kit.safe_label(label), nodeid="classify", URL=url, target="_top")
            cell = kit.Rails("Target cell (e.g. first cell)", nodeid="cell",
                             URL=kit.page_url(f"reference/cells/{first.name}.md"), target="_top")
            for box in boxes:
                box >> kit.Edge(label="classify", style="dashed") >> service
            service >> kit.Edge(label="PROXY address") >> cell
        return diagram

    def api() -> Any:
        with kit.ModelDiagram("topology-api", direction="LR", graph_attr={"ranksep": "1.2"}) as diagram:
            messages: dict[str, Any] = {}

            def message(fqn: str) -> Any:
                if fqn not in messages:
                    page = site.api_site.pages.get(fqn)
                    messages[fqn] = kit.Document(kit.safe_label(fqn.rsplit(".", 1)[-1]), nodeid=f"m-{fqn}",
                                                 URL=kit.page_url(page, fqn) if page else None, target="_top",
                                                 tooltip=fqn)
                return messages[fqn]

            for service in sorted(sources.api.services(), key=lambda s: s.fqn):
                page = site.api_site.pages[service.fqn]
                with kit.Cluster(kit.safe_label(service.name),
                                 graph_attr={"URL": kit.page_url(page), "target": "_top"}):
                    rpcs = [kit.Action(kit.safe_label(m.name), nodeid=f"r-{m.fqn}", URL=kit.page_url(page, m.fqn),
                                       target="_top", tooltip=m.fqn) for m in service.methods]
                for method, rpc in zip(service.methods, rpcs, strict=True):
                    message(method.input) >> kit.Edge(label="stream" if method.client_streaming else "") >> rpc
                    rpc >> kit.Edge(label="stream" if method.server_streaming else "") >> message(method.output)
        return diagram

    services = list(sources.api.services())
    return [
        kit.Spec(
            name="request-flow",
            title=f"Request flow through the {rule_set.name} rule set",
            alt=(f"A request enters the HTTP router, which tries the {len(rule_set.rules)} rules of the active rule "
                 f"set {rule_set.name} in order; a matching classify rule calls "
                 f"{classify.fqn if classify else 'Classify'}, whose answer names the cell the request is proxied "
                 "to."),
            sources=(rule_set.source, sources.paths.proto_root.name),
            draw=flow,
        ),
        kit.Spec(
            name="topology-api",
            title="Topology Service API",
            alt=(f"The {len(services)} services of the Topology Service API ("
                 f"{', '.join(s.name for s in services)}) with their "
                 f"{sum(len(s.methods) for s in services)} RPCs, each between its request and response messages."),
            sources=(sources.paths.proto_root.name,),
            draw=api,
        ),
    ]
