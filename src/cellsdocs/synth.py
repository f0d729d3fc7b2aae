"""Synthetic source trees for tests and benchmarks (deterministic: same arguments, same files)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_proto_tree"]


def write_proto_tree(
    root: Path,
    *,
    files: int = 24,
    messages_per_file: int = 13,
    rpcs_per_file: int = 5,
    packages: int = 4,
    classify_enum: bool = True,
) -> dict[str, int]:
    """Write a proto3/proto2 tree exercising every construct; return element counts.

    Each file has a service, messages with nested types, maps, oneofs, proto3 ``optional``,
    deprecated and reserved elements, imports from the previous package, and custom options
    (file, message, field, method) defined in ``synth/options.proto``.
    """
    root.mkdir(parents=True, exist_ok=True)
    opts = root / "synth" / "options.proto"
    opts.parent.mkdir(parents=True, exist_ok=True)
    opts.write_text(
        'syntax = "proto3";\npackage synth.options;\nimport "google/protobuf/descriptor.proto";\n\n'
        "// Who may call an RPC.\nmessage Access {\n  // Allowed callers.\n  repeated string callers = 1;\n"
        "  // Read-only RPC.\n  bool read_only = 2;\n}\n\n"
        "extend google.protobuf.FileOptions {\n  // Owning team.\n  string owner = 50001;\n}\n"
        "extend google.protobuf.MessageOptions {\n  // Storage table.\n  string table = 50002;\n}\n"
        "extend google.protobuf.FieldOptions {\n  // Sensitive data.\n  bool sensitive = 50003;\n}\n"
        "extend google.protobuf.MethodOptions {\n  // Access rule.\n  Access access = 50004;\n}\n\n"
        + (
            "// Classification types (so that router rule sets validate against this tree).\n"
            "enum ClassifyType {\n  // Unset.\n  UNSPECIFIED = 0;\n  // First cell.\n  FIRST_CELL = 1;\n"
            "  // Session prefix.\n  SESSION_PREFIX = 2;\n  // Cell id.\n  CELL_ID = 3;\n"
            "  // Routable token.\n  ROUTABLE_TOKEN = 4;\n}\n"
            if classify_enum
            else ""
        )
    )
    counts = {"files": 1, "messages": 1, "rpcs": 0, "services": 0, "enums": 0}
    for f in range(files):
        pkg = f"synth.p{f % packages}.v1"
        name = f"synth/p{f % packages}/v1/file{f:03d}.proto"
        proto2 = f % 7 == 6
        lines = [
            f'syntax = "{"proto2" if proto2 else "proto3"}";',
            "// File comment.",
            f"package {pkg};",
            'import "google/api/annotations.proto";',
            'import "google/protobuf/timestamp.proto";',
            'import "synth/options.proto";',
        ]
        if f >= packages:
            prev = f - packages
            lines.append(f'import "synth/p{prev % packages}/v1/file{prev:03d}.proto";')
        lines.append(f'option (synth.options.owner) = "team-{f % 5}";')
        lines.append("")
        lines.append(f"// Kinds in file {f}.")
        lines.append(f"enum Kind{f} {{")
        lines.append(f"  // Unset.\n  KIND{f}_UNSPECIFIED = 0;")
        lines.append(f"  // First.\n  KIND{f}_FIRST = 1;")
        lines.append(f"  // Old.\n  KIND{f}_OLD = 2 [deprecated = true];")
        lines.append("  reserved 5 to 9;")
        lines.append(f'  reserved "KIND{f}_GONE";')
        lines.append("}")
        counts["enums"] += 1
        label = "optional " if proto2 else ""
        for m in range(messages_per_file):
            lines.append(f"// Message {m} of file {f}.")
            lines.append(f"message M{f}x{m} {{")
            lines.append(f'  option (synth.options.table) = "t{f}_{m}";')
            lines.append(f"  // Identifier.\n  {label}string id = 1 [(synth.options.sensitive) = true];")
            lines.append(f"  // Count.\n  {label}int64 count = 2;")
            lines.append("  // Labels.\n  map<string, string> labels = 3;")
            lines.append(f"  // Kind.\n  {label}Kind{f} kind = 4;")
            lines.append("  // When.\n  " + label + "google.protobuf.Timestamp at = 5;")
            lines.append(
                "  // Choice.\n  oneof choice {\n    // By name.\n    string by_name = 6;\n"
                "    // By number.\n    int32 by_number = 7;\n  }"
            )
            if not proto2:
                lines.append("  // Maybe.\n  optional bool maybe = 8;")
            lines.append(f"  // Old.\n  {label}string old = 9 [deprecated = true];")
            lines.append('  reserved 20 to 29;\n  reserved "legacy";')
            lines.append(f"  // Nested.\n  message Inner {{\n    // Value.\n    {label}string value = 1;\n  }}")
            lines.append("  // Inner items.\n  repeated Inner items = 10;")
            if f >= packages and m == 0:
                prev = f - packages
                lines.append(f"  // From another file.\n  {label}synth.p{prev % packages}.v1.M{prev}x0 other = 11;")
            lines.append("}")
            counts["messages"] += 2
        lines.append(f"// Service of file {f}.")
        lines.append(f"service S{f} {{")
        for r in range(rpcs_per_file):
            req, res = f"M{f}x{(2 * r) % messages_per_file}", f"M{f}x{(2 * r + 1) % messages_per_file}"
            cs = "stream " if r % 4 == 1 else ""
            ss = "stream " if r % 4 == 2 else ""
            lines.append(f"  // RPC {r}.")
            lines.append(f"  rpc Call{r}({cs}{req}) returns ({ss}{res}) {{")
            lines.append(f'    option (google.api.http) = {{post: "/v1/s{f}/call{r}" body: "*"}};')
            read_only = "true" if r % 2 else "false"
            lines.append(f'    option (synth.options.access) = {{callers: ["a", "b"] read_only: {read_only}}};')
            if r == rpcs_per_file - 1:
                lines.append("    option deprecated = true;")
            lines.append("  }")
            counts["rpcs"] += 1
        lines.append("}")
        counts["services"] += 1
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        counts["files"] += 1
    return counts


def write_topology(path: Path, *, cells: int = 200, regions: int = 8) -> None:
    """A ``config.toml`` with *cells* cells spread over *regions* regions."""
    blocks = []
    size = 10**9
    for i in range(1, cells + 1):
        blocks.append(
            f'[[cells]]\nid = {i}\nname = "cell-{i}"\naddress = "cell-{i}.r{i % regions}.example.internal:443"\n'
            f'session_prefix = "cell_{i}_"\nsequence_range = [{(i - 1) * size + 1}, {i * size}]\n'
            f'region = "region-{i % regions}"\nstatus = "{"active" if i % 10 else "draining"}"\nring = {i % 4}\n'
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(blocks))


def synthetic_rules(count: int, *, cells: int = 200) -> list[dict[str, object]]:
    """*count* rules: path, header and cookie matches with captures, ending in a catch-all."""
    rules: list[dict[str, object]] = []
    for i in range(count - 1):
        kind = ("path", "header", "cookie")[i % 3]
        if kind == "path":
            rules.append(
                {
                    "id": f"path-{i}",
                    "match": {"type": "path", "regex_value": f"^/api/v{i % 5}/area{i}/(?<cell_name>cell-\\d+)/"},
                    "action": "classify",
                    "classify": {"type": "CELL_ID", "value": "${cell_name}"},
                }
            )
        elif kind == "header":
            rules.append(
                {
                    "id": f"header-{i}",
                    "match": {"type": "header", "regex_name": f"^x-route-{i}$", "regex_value": "^(?<cell_id>\\d+)$"},
                    "action": "classify",
                    "classify": {"type": "CELL_ID", "value": "${cell_id}"},
                }
            )
        else:
            rules.append(
                {
                    "id": f"cookie-{i}",
                    "match": {
                        "type": "cookie",
                        "regex_name": f"^_session_{i}$",
                        "regex_value": "^(?<cell_prefix>cell_\\d+_)[0-9a-f]+$",
                    },
                    "action": "classify",
                    "classify": {"type": "SESSION_PREFIX", "value": "${cell_prefix}"},
                }
            )
    rules.append({"id": "fallback", "action": "classify", "classify": {"type": "FIRST_CELL"}})
    del cells
    return rules


def write_rule_sets(folder: Path, *, sets: int = 5, rules_per_set: int = 400) -> None:
    import json

    folder.mkdir(parents=True, exist_ok=True)
    for s in range(sets):
        (folder / f"set{s}.json").write_text(json.dumps(synthetic_rules(rules_per_set), indent=1))


def synthetic_requests(count: int, *, rules: int = 50, cells: int = 200) -> list[dict[str, object]]:
    """Requests that hit every kind of rule (and the fallback) of :func:`synthetic_rules`."""
    out: list[dict[str, object]] = []
    for n in range(count):
        i = n % rules
        cell = 1 + n % cells
        kind = n % 4
        if kind == 0:
            out.append({"path": f"/api/v{i % 5}/area{i}/cell-{cell}/x"})
        elif kind == 1:
            out.append({"path": "/", "headers": {f"x-route-{i}": str(cell)}})
        elif kind == 2:
            out.append({"path": "/", "cookies": {f"_session_{i}": f"cell_{cell}_abcdef"}})
        else:
            out.append({"path": f"/unmatched/{n}"})
    return out


def write_alerts_and_runbooks(
    alert_dir: Path, runbook_dir: Path, *, alerts: int = 1000, runbooks: int = 300, services: int = 10
) -> None:
    """*alerts* alerts in one rule file per service, spread over *runbooks* runbooks (contract intact)."""
    alert_dir.mkdir(parents=True, exist_ok=True)
    per_book: dict[int, list[str]] = {}
    files: dict[int, list[str]] = {}
    for a in range(alerts):
        book = a % runbooks
        service = book % services
        name = f"Synthetic{a:05d}Firing"
        per_book.setdefault(book, []).append(name)
        files.setdefault(service, []).append(
            f'      - alert: {name}\n        expr: rate(errors_total{{job="svc-{service}"}}[5m]) > {a % 7 + 1}\n'
            f"        for: {a % 10 + 1}m\n        labels:\n"
            f"          severity: {('critical', 'warning', 'info')[a % 3]}\n"
            f"          service: svc-{service}\n          pager: {'pagerduty' if a % 3 == 0 else 'slack'}\n"
            f"        annotations:\n          title: Synthetic alert {a} on {{{{ $labels.instance }}}}\n"
            f"          description: Error rate {{{{ $value | humanize }}}} for svc-{service}.\n"
            f"          runbook: runbooks/svc-{service}/book-{book:04d}/#{name.lower()}\n"
        )
    for service, rules in files.items():
        (alert_dir / f"svc-{service}.yml").write_text(
            f"groups:\n  - name: svc-{service}\n    rules:\n" + "".join(rules)
        )
    for book, names in per_book.items():
        service = book % services
        folder = runbook_dir / f"svc-{service}"
        folder.mkdir(parents=True, exist_ok=True)
        symptoms = "".join(f"### {n}\n\nWhat fires and what users see for {n}.\n\n" for n in names)
        (folder / f"book-{book:04d}.md").write_text(
            f"---\nservice: svc-{service}\nalerts: [{', '.join(names)}]\nseverity: warning\nowner: team-{service}\n"
            f"last_reviewed: 2026-{book % 12 + 1:02d}-01\nreview_every: 180d\n"
            f'escalation:\n  pager: team-{service} primary\n  chat: "#team-{service}"\n---\n\n'
            f"# Synthetic runbook {book}\n\n## First five minutes\n\n- **Check:** the svc-{service} dashboard.\n"
            "- **First safe action:** restart the deployment.\n- **Do not:** delete data.\n"
            f"- **Page:** team-{service} if a restart does not help.\n\n"
            f"## Summary\n\nWhat failed in svc-{service}.\n\n## Symptoms\n\n{symptoms}## Diagnosis\n\n"
            "1. Check the dashboard.\n\n    ```bash\n    kubectl get pods -n svc\n    ```\n\n## Mitigation\n\n"
            "Restart the deployment.\n\n## Escalation\n\nPage the owner.\n\n## Related\n\n- Other runbooks.\n"
        )


def write_adrs(
    folder: Path, *, count: int = 1000, first: int = 100, cells: int = 200, rule_sets: int = 5, services: int = 40
) -> None:
    """*count* MADR records numbered from *first*, with supersede chains, relations and governed names
    that exist in the synthetic sources."""
    folder.mkdir(parents=True, exist_ok=True)
    statuses = ("accepted", "proposed", "rejected", "deprecated")
    for i in range(count):
        number = first + i
        superseded_by = number + 1 if i % 10 == 0 and i + 1 < count else None
        supersedes = number - 1 if i % 10 == 1 else None
        status = "superseded" if superseded_by else statuses[i % len(statuses)]
        lines = [
            "---",
            f"status: {status}",
            f"date: {2020 + i % 6}-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
            "decision-makers: [synthetic team]",
            f"tags: [tag-{i % 8}, area-{i % 3}]",
        ]
        if supersedes:
            lines.append(f"supersedes: [{supersedes}]")
        if superseded_by:
            lines.append(f"superseded-by: [{superseded_by}]")
        if i > 2 and i % 7 == 0:
            lines.append(f"relates-to: [{number - 3}]")
        lines += [
            "governs:",
            f"  services: [S{i % services}]",
            f"  rule-sets: [set{i % rule_sets}]",
            f"  cells: [cell-{i % cells + 1}]",
            "---",
            "",
            f"# Synthetic decision {number}",
            "",
            "## Context and Problem Statement",
            "",
            f"Why decision {number} was needed.",
            "",
            "## Considered Options",
            "",
            "* One",
            "* Two",
            "",
            "## Decision Outcome",
            "",
            'Chosen option: "One".',
            "",
        ]
        (folder / f"{number:04d}-synthetic-decision-{number}.md").write_text("\n".join(lines))
