"""Synthetic source trees for tests and benchmarks (deterministic: same arguments, same files)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_proto_tree"]


def write_proto_tree(
    root: Path, *, files: int = 24, messages_per_file: int = 13, rpcs_per_file: int = 5, packages: int = 4
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
        "extend google.protobuf.MethodOptions {\n  // Access rule.\n  Access access = 50004;\n}\n"
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
