"""The every-field payload test: hostile text in every string field of every source kind.

Each field gets its own marker (``F01Z``...), so a failure names the field that leaked. The
payload carries what each output context would interpret: HTML (``<script>``, ``<img onerror>``),
an attribute breakout (``"'>``), a Jinja expression (``{{ 7*7 }}`` would print ``<marker>49``) and,
in multi-line fields, pymdownx.snippets lines (``--8<-- ".git/config"``, escaped and block forms).
The built site must show all of it as text: no raw payload in any HTML, SVG, JS or JSON file.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import ROOT, SourceTree, build, run

pytestmark = pytest.mark.site

SNIPPET_LINES = '\n--8<-- ".git/config"\n;--8<-- "../../.git/config"\n--8<--\n.git/config\n--8<--\n'
#: what .git/config holds: must never be published
SECRET = re.compile(r"repositoryformatversion|\[core\]")
MARKER = re.compile(r"F\d\dZ")


def payload(tag: str, *, multiline: bool = False) -> str:
    text = f'<script>alert("{tag}")</script>"\'><img src=x onerror={tag}>{tag}{{{{ 7*7 }}}}{{% raw %}}'
    return text + SNIPPET_LINES if multiline else text


def attribute_payload(tag: str) -> str:
    """For names that must also be Markdown headings of a runbook body: harmless as text, an
    attribute breakout where it is written into ``id="..."`` unescaped."""
    return f'{tag}" onmouseover="alert({tag})'


def q(value: str) -> str:
    """A TOML/JSON/YAML double-quoted string."""
    return json.dumps(value)


PROTO = f"""syntax = "proto3";

package demo.v1;

import "google/api/annotations.proto";
import "google/protobuf/timestamp.proto";

option java_package = {q(payload("F07Z"))};

// {payload("F01Z")}
// --8<-- ".git/config"
enum ClassifyType {{
  // {payload("F02Z")}
  UNSPECIFIED = 0;
  FIRST_CELL = 1;
  SESSION_PREFIX = 2;
  CELL_ID = 3;
}}

// {payload("F03Z")}
service DemoService {{
  // {payload("F04Z")}
  // --8<-- ".git/config"
  rpc Classify(ClassifyRequest) returns (ClassifyResponse) {{
    option (google.api.http) = {{post: "/v1/classify" body: "*"}};
  }}
}}

// {payload("F05Z")}
message ClassifyRequest {{
  // {payload("F06Z")}
  ClassifyType type = 1;
  string value = 2 [json_name = "valueF08Z"];
}}

message ClassifyResponse {{
  string address = 1;
  google.protobuf.Timestamp at = 2;
}}
"""

CONFIG = f"""[[cells]]
id = 1
name = "cell-1"
address = "cell-1.example.com:443"
session_prefix = "cell_1_"
sequence_range = [1, 1000]
region = {q(payload("F10Z"))}
owners = [{q(payload("F11Z"))}]

[[cells]]
id = 2
name = "cell-2"
address = "cell-2.example.com:443"
session_prefix = "cell_2_"
sequence_range = [1001, 2000]
"""

RULES = [
    {
        "id": payload("F20Z"),
        "description": payload("F21Z", multiline=True),
        "match": {
            "type": "cookie",
            "regex_name": "^_gitlab_session$|<script>alert(F24Z)</script>",
            "regex_value": "^(?<prefix>cell_\\d+_)|\"'><img src=x onerror=F22Z>",
        },
        "action": "classify",
        "classify": {"type": "SESSION_PREFIX", "value": "${prefix}<script>alert(F23Z)</script>"},
    },
    {"action": "classify", "classify": {"type": "FIRST_CELL"}},
]

ALERT_NAME = attribute_payload("F31Z")
ALERTS = f"""groups:
  - name: {q(payload("F30Z"))}
    rules:
      - alert: DemoDown
        expr: {q('up{job="demo"} == 0 # ' + payload("F32Z", multiline=True))}
        for: 5m
        labels:
          severity: critical
          service: demo
          team: {q(payload("F33Z"))}
        annotations:
          title: {q(payload("F35Z"))}
          description: {q(payload("F36Z", multiline=True))}
          dashboard: {q(payload("F37Z", multiline=True))}
          runbook: runbooks/demo/demo-down/
      - alert: {q(ALERT_NAME)}
        expr: vector(1)
        labels:
          severity: warning
          service: demo
        annotations:
          runbook: runbooks/demo/demo-down/
"""

ADR = f"""---
title: {q(payload("F40Z"))}
status: accepted
date: 2026-01-02
tags: [{q(payload("F41Z"))}]
decision-makers: [{q(payload("F42Z"))}]
consulted: [{q(payload("F43Z"))}]
informed: [{q(payload("F44Z"))}]
description: {q(payload("F45Z"))}
subtitle: {q(payload("F46Z"))}
---

# Use the demo

## Context and Problem Statement

Demo.

## Considered Options

* The demo
* Nothing

## Decision Outcome

Chosen option: "The demo".
"""

ADR_ODD_NAME = "0002-<svg onload=alert(F47Z)>.md"
ADR2 = """---
status: proposed
date: 2026-01-03
relates-to: [1]
---

# Second

## Context and Problem Statement

Demo.

## Considered Options

* One

## Decision Outcome

Chosen option: "One".
"""

RUNBOOK = f"""---
title: {q(payload("F50Z"))}
service: demo
alerts: [DemoDown, {q(ALERT_NAME)}]
severity: critical
owner: {q(payload("F51Z"))}
last_reviewed: 2020-01-01
review_every: 90d
description: {q(payload("F52Z"))}
subtitle: {q(payload("F53Z"))}
escalation:
  pager: https://pd.example.com/F54Z?a=1&b=2
  chat: "#f55z"
---

# Demo down

## First five minutes

- **Check:** the health endpoint.
- **First safe action:** restart it.
- **Do not:** delete the database.
- **Page:** the demo team.

## Summary

The demo is down; check `{{{{ $labels.instance }}}}`.

## Symptoms

### DemoDown

Every request fails.

### {ALERT_NAME}

Fires always.

## Diagnosis

Look.

## Mitigation

Restart it.

## Escalation

Page the demo team.

## Related

- [Cells](../../reference/cells/index.md)
"""


def title_walk(marker: Path) -> str:
    """An ADR whose front-matter title tries to run a command when rendered as a template."""
    walk = "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
    return ADR2.replace("status: proposed", f"title: {q(walk)}\nstatus: proposed").replace(
        "relates-to: [1]", "relates-to: [2]"
    )


def hostile_tree(tree: SourceTree, marker: Path) -> None:
    tree.write("adr/0003-title-walk.md", title_walk(marker))
    tree.write("proto/demo/v1/demo.proto", PROTO)
    tree.write("config.toml", CONFIG)
    tree.write("rules/session_prefix.json", json.dumps(RULES, indent=1))
    tree.write("alerts/demo.yml", ALERTS)
    tree.write("adr/0001-use-demo.md", ADR)
    tree.write(f"adr/{ADR_ODD_NAME}", ADR2)
    tree.write("runbooks/demo/demo-down.md", RUNBOOK)


class _Elements(HTMLParser):
    """Every element the browser would create, with its attributes and script text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and values.get("src") == "x":
            self.found.append(f"<img src=x> element {attrs}")
        for name, value in attrs:
            if name.startswith("on") and value and MARKER.search(value + name):
                self.found.append(f"event handler attribute {name}={value!r} on <{tag}>")
            if name.startswith("on") and MARKER.search(name):
                self.found.append(f"attribute {name!r} on <{tag}>")
        if tag == "svg" and "onload" in values:
            self.found.append(f"<svg onload> element {attrs}")
        # a data block (``type="application/json"``) is not run; anything else in <script> is
        self._in_script = tag == "script" and values.get("type") in (None, "", "text/javascript", "module")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and re.search(r"alert\(\"?F\d\dZ", data):
            self.found.append(f"script element running {data[:80]!r}")


def leaks(site: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".svg", ".js", ".json", ".xml"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        where = str(path.relative_to(site))
        for raw in ("<script>alert(", "<img src=x", "<svg onload="):
            if raw in text:
                at = text.index(raw)
                found.append(f"{where}: raw {raw!r}: {text[max(0, at - 60) : at + 60]!r}")
        for match in re.finditer(r"F\d\dZ49", text):
            found.append(f"{where}: template evaluated: {match.group(0)}")
        if SECRET.search(text):
            found.append(f"{where}: .git/config published")
        if path.suffix in (".html", ".svg"):
            parser = _Elements()
            parser.feed(text)
            found.extend(f"{where}: {problem}" for problem in parser.found)
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    base = tmp_path_factory.mktemp("payload")
    shutil.copytree(ROOT / "tests" / "data" / "minimal", base / "sources")
    tree = SourceTree(base / "sources")
    hostile_tree(tree, base / "pwned")
    checked = run([str(ROOT / ".venv" / "bin" / "cells-docs"), "check"], env=tree.env)
    assert checked.code == 0, checked.output
    site = base / "site"
    result = build(site, env=tree.env)
    assert result.code == 0, result.output
    return site


def test_no_raw_payload_in_any_file_of_the_site(hostile_site: Path) -> None:
    assert leaks(hostile_site) == []


def test_every_field_reaches_the_site_as_text(hostile_site: Path) -> None:
    """The payload is shown (escaped), not dropped: the test would pass vacuously otherwise."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in hostile_site.rglob("*.html"))
    shown = set(re.findall(r"F\d\dZ", text))
    expected = {"F01Z", "F03Z", "F04Z", "F05Z", "F10Z", "F20Z", "F21Z", "F31Z", "F32Z", "F35Z", "F36Z"}
    expected |= {"F40Z", "F41Z", "F42Z", "F50Z", "F51Z"}
    assert expected <= shown, sorted(expected - shown)


def test_a_front_matter_title_runs_nothing(hostile_site: Path) -> None:
    assert not (hostile_site.parent / "pwned").exists()
    page = (hostile_site / "adr" / "0003-title-walk" / "index.html").read_text(encoding="utf-8")
    assert "&#123;&#123; cycler.__init__.__globals__.os.popen(" in page  # the title, shown as text


def test_snippet_lines_in_an_alert_description_stay_text(hostile_site: Path) -> None:
    page = (hostile_site / "runbooks" / "demo" / "demo-down" / "index.html").read_text(encoding="utf-8")
    assert not SECRET.search(page)
    text = re.sub(r"<[^>]+>", "", page)
    assert '\n--8&lt;-- ".git/config"\n;--8&lt;-- "../../.git/config"\n--8&lt;--\n.git/config\n' in text
