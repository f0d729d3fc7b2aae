"""Pages for the router's rule sets (Markdown keyed by site path).

- ``reference/routing/index.md``: rule sets, the active one marked;
- ``reference/routing/<ruleset>.md``: the rules of one set in evaluation order;
- ``reference/routing/explain.md``: the route explainer, with the rule sets and cells it runs on
  exported as JSON at build time.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable

from cellsdocs.escaping import url_path
from cellsdocs.markdown import code, escape_attr, table, text
from cellsdocs.render.page import GeneratedPage
from cellsdocs.sources.load import Sources
from cellsdocs.sources.routing import RouteRule, RuleSet

ROUTING = "reference/routing"
GENERATOR = "cellsdocs.render.routing"
#: (key such as ``rule-set:passthrough``, from_page) -> "Decisions: ..." Markdown
Backlinks = Callable[[str, str], str]


def rule_set_page(rule_set: RuleSet) -> str:
    stem = rule_set.name if rule_set.name not in ("index", "explain") else f"{rule_set.name}-rules"
    return f"{ROUTING}/{stem}.md"


def rule_anchor(rule_set: RuleSet, rule: RouteRule) -> str:
    return f"{rule_set.name}-rule-{rule.number}"


def _pattern(regex: object) -> str:
    source = getattr(regex, "source", None)
    return code(source) if source is not None else "–"


def _rule_match(rule: RouteRule) -> str:
    match = rule.match
    if match is None:
        return "any request"
    if match.type == "path":
        return f"path {_pattern(match.regex_value)}"
    return f"{text(match.type)} {_pattern(match.regex_name)}<br>value {_pattern(match.regex_value)}"


def _rule_action(rule: RouteRule) -> str:
    if rule.classify is None:
        return text(rule.action)
    then = f"{text(rule.action)} as {code(rule.classify.type)}"
    if rule.classify.value is not None:
        then += f"<br>with {code(rule.classify.value)}"
    return then


def _header(title: str, source: str, *, heading: str | None = None) -> str:
    return GeneratedPage(
        generator=GENERATOR, source=code(source), title=title, heading=heading or text(title), hide_toc=True
    ).header()


def defined_in(url: str | None, file: str, line: int | None) -> str:
    """Where a fact comes from: file and line, linked upstream at the locked commit when known."""
    label = code(posixpath.basename(file)) + (f" line {line}" if line else "")
    return f'<a class="cells-source" href="{escape_attr(url)}">{label}</a>' if url else label


def render_rules_table(
    rule_set: RuleSet, *, anchors: bool = True, link: Callable[[str, int | None], str | None] | None = None
) -> str:
    """One row per rule, in evaluation order: what it is, what it matches, what it does.

    With *link* (file, line -> upstream URL), each rule's number links to its definition upstream.
    """
    rows = []
    for rule in rule_set.rules:
        number = text(rule.number)
        url = link(rule_set.source, rule.line) if link else None
        if url:
            number = f'<a class="cells-source" href="{escape_attr(url)}" title="Definition upstream">{number}</a>'
        if anchors:
            number = f'<span id="{escape_attr(rule_anchor(rule_set, rule))}"></span>{number}'
        about = code(rule.id) if rule.id else ""
        if rule.description:
            about += ("<br>" if about else "") + text(rule.description)
        rows.append([number, about, _rule_match(rule), _rule_action(rule)])
    return table(["#", "Rule", "Matches", "Then"], rows)


def render_routing_index(sources: Sources, active: str) -> str:
    out = [_header("Routing", ", ".join(r.source for r in sources.rule_sets), heading="Routing rules")]
    out.append(
        "The HTTP router evaluates the rules of its configured rule set in order; the first rule that matches "
        "decides. A `classify` rule asks the Topology Service which cell serves the request; a `proxy` rule "
        "sends it to the default upstream. Try a request in the [route explainer](explain.md).\n\n"
    )
    rows = []
    for rule_set in sources.rule_sets:
        marker = " **(active)**" if rule_set.name == active else ""
        rel = posixpath.basename(rule_set_page(rule_set))
        rows.append([f"[{code(rule_set.name)}]({rel}){marker}", text(len(rule_set.rules)), code(rule_set.source)])
    out.append(table(["Rule set", "Rules", "Source"], rows))
    return "".join(out)


def render_rule_set_page(
    rule_set: RuleSet,
    active: str,
    backlinks: Backlinks | None = None,
    link: Callable[[str, int | None], str | None] | None = None,
) -> str:
    out = [_header(rule_set.name, rule_set.source, heading=f"Rule set {text(rule_set.name)}")]
    if backlinks is not None:
        out.append(backlinks(f"rule-set:{rule_set.name}", rule_set_page(rule_set)))
    if rule_set.name == active:
        out.append('!!! success "Active"\n    The router is configured with this rule set.\n\n')
    else:
        out.append(f"Not the active rule set (the router uses {code(active)}).\n\n")
    out.append("Rules in evaluation order; the first match wins.\n\n")
    out.append(render_rules_table(rule_set, link=link))
    return "".join(out)


EXPLAINER = f"{ROUTING}/explain.md"


def site_link(target: str, from_page: str = EXPLAINER) -> str:
    """The link from *from_page* to *target* (Markdown paths, ``#anchor`` allowed) in the built site,
    with directory URLs (``a/b.md`` is served at ``a/b/``): what raw HTML and JavaScript need."""

    def served(md: str) -> str:
        stem = md.removesuffix(".md")
        return stem.removesuffix("index") if stem == "index" or stem.endswith("/index") else stem + "/"

    path, _, anchor = target.partition("#")
    here = served(from_page)
    rel = posixpath.relpath(served(path) or ".", here or ".")
    rel = "./" if rel == "." else rel + "/"
    return url_path(rel + (f"#{anchor}" if anchor else ""))


def routing_data(sources: Sources, active: str) -> dict[str, object]:
    """What the explainer page needs, exported at build time (plain JSON): the rule sets with each
    rule's link (its row in the rule set's table) and one example request per rule, and the cells
    with their pages' links."""
    from cellsdocs.analysis.examples import examples
    from cellsdocs.render.topology import cell_page  # the cell pages import this module

    def regex(value: object) -> str | None:
        return getattr(value, "source", None)

    return {
        "active": active,
        "cells": [
            {
                "id": c.id,
                "name": c.name,
                "address": c.address,
                "session_prefix": c.session_prefix,
                "region": c.region,
                "href": site_link(cell_page(c)),
            }
            for c in sources.topology.cells
        ],
        "rule_sets": {
            rs.name: {
                "source": rs.source,
                "href": site_link(rule_set_page(rs)),
                "examples": [example.to_data() for example in examples(rs, sources.topology)],
                "rules": [
                    {
                        "number": r.number,
                        "id": r.id,
                        "description": r.description,
                        "action": r.action,
                        "href": site_link(f"{rule_set_page(rs)}#{rule_anchor(rs, r)}"),
                        "match": None
                        if r.match is None
                        else {
                            "type": r.match.type,
                            "regex_name": regex(r.match.regex_name),
                            "regex_value": regex(r.match.regex_value),
                        },
                        "classify": None
                        if r.classify is None
                        else {"type": r.classify.type, "value": r.classify.value},
                    }
                    for r in rs.rules
                ],
            }
            for rs in sources.rule_sets
        },
    }


def render_explainer_page(sources: Sources, active: str) -> str:
    from cellsdocs.markdown import escape_json_for_html

    payload = escape_json_for_html(json.dumps(routing_data(sources, active), sort_keys=True))
    methods = "".join(f'<option value="{m}">{m}</option>' for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"))
    return (
        _header("Route explainer", ", ".join([sources.topology.source, *(r.source for r in sources.rule_sets)]))
        + "Type a request, or pick an example: the explainer shows the rule that matches, what it captures, how "
        "the request is classified and which cell serves it, and for every rule tried before it, which "
        "condition failed. It runs in your browser on the rule sets and cells exported at build time, with the "
        "same semantics as `cells-docs explain` on the command line. The request is kept in the address bar, "
        "so a result can be shared as a link.\n\n"
        '<div class="cells-explainer">\n'
        '<div id="cells-explainer-presets" class="cells-explainer__presets"></div>\n'
        '<form id="cells-explainer-form" autocomplete="off">\n'
        '<label>Rule set <select name="ruleset"></select></label>\n'
        f'<label>Method <select name="method">{methods}</select></label>\n'
        '<label class="cells-explainer__wide">Path '
        '<input name="path" type="text" value="/" spellcheck="false"></label>\n'
        '<label class="cells-explainer__wide"><span>Headers, one per line: <code>Name: value</code></span>'
        '<textarea name="headers" rows="3" spellcheck="false"></textarea></label>\n'
        '<label class="cells-explainer__wide"><span>Cookies, one per line: <code>name=value</code>, '
        "or paste a browser&#39;s <code>Cookie:</code> header</span>"
        '<textarea name="cookies" rows="3" spellcheck="false"></textarea></label>\n'
        "</form>\n"
        '<p class="cells-explainer__share"><a id="cells-explainer-share" href="./">Link to this request</a> '
        '<button type="button" id="cells-explainer-copy" class="md-button" hidden>Copy link</button></p>\n'
        '<output id="cells-explainer-result" aria-live="polite" for="cells-explainer-form"></output>\n'
        "</div>\n\n"
        f'<script type="application/json" id="cells-routing-data">{payload}</script>\n'
    )
