"""Property-based tests: every parser either succeeds or raises the project's own error with file
context; every renderer escapes what it is given. At least 1,000 examples per parser (the ``ci``
Hypothesis profile of tests/conftest.py; ``make test-fast`` runs the ``fast`` one, 20)."""

from __future__ import annotations

import itertools
import json

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from cellsdocs.errors import CellsDocsError
from cellsdocs.markdown import code, table, text
from cellsdocs.sources.adrs import parse_adr
from cellsdocs.sources.alerts import parse_alert_file
from cellsdocs.sources.jsregex import JsRegexError, catastrophic, translate
from cellsdocs.sources.routing import parse_rule_set
from cellsdocs.sources.runbooks import lint_runbook, parse_runbook
from cellsdocs.sources.topology import parse_topology

FUZZ = settings()  # the loaded profile's: tests/conftest.py

# Text that tends to break things: markup, templates, separators, control and non-BMP characters.
NASTY = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "{{ x }}",
        "{% raw %}",
        "|",
        "`",
        "\\",
        '"',
        "'",
        "\n",
        "\r",
        "\x00",
        "${a}",
        "(?<n>",
        "]]",
        "[[cells]]",
        "---",
        "\u2028",
        "\U0001f600",
        "&amp;",
        "#",
        "*",
        "_",
        "$labels",
    ]
)
TEXTS = st.lists(st.one_of(st.text(max_size=12), NASTY), max_size=8).map("".join)


def assert_own_error(exc: Exception, file: str) -> None:
    assert isinstance(exc, CellsDocsError), repr(exc)
    assert exc.file == file, exc
    assert "\n" not in str(exc)


@FUZZ
@given(TEXTS)
def test_toml_cells_any_text(source: str) -> None:
    try:
        parse_topology(source, file="c.toml")
    except CellsDocsError as exc:
        assert_own_error(exc, "c.toml")


scalar = st.one_of(st.integers(-(2**70), 2**70), TEXTS, st.booleans(), st.floats(allow_nan=False), st.none())


def toml_value(value: object) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


@FUZZ
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                ["id", "name", "address", "session_prefix", "sequence_range", "region", "status", "owners", "x"]
            ),
            st.one_of(scalar, st.lists(st.integers(-(2**65), 2**65), max_size=3)),
            max_size=8,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_toml_cells_structured(cells: list[dict[str, object]]) -> None:
    blocks = []
    for cell in cells:
        lines = ["[[cells]]"]
        for key, value in cell.items():
            if value is None or (isinstance(value, float)):
                continue
            lines.append(f"{key} = {toml_value(value)}")
        blocks.append("\n".join(lines))
    try:
        topology = parse_topology("\n\n".join(blocks), file="c.toml")
    except CellsDocsError as exc:
        assert_own_error(exc, "c.toml")
    else:
        ranges = sorted((c.sequence_min, c.sequence_max) for c in topology.cells)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


@FUZZ
@given(TEXTS)
def test_rule_json_any_text(source: str) -> None:
    try:
        parse_rule_set(source, name="r", file="r.json")
    except CellsDocsError as exc:
        assert_own_error(exc, "r.json")


rule = st.fixed_dictionaries(
    {},
    optional={
        "id": TEXTS,
        "match": st.fixed_dictionaries(
            {"type": st.sampled_from(["cookie", "header", "path", "query"])},
            optional={"regex_name": TEXTS, "regex_value": TEXTS},
        ),
        "action": st.sampled_from(["classify", "proxy", "drop"]),
        "classify": st.fixed_dictionaries({"type": TEXTS}, optional={"value": TEXTS}),
    },
)


@FUZZ
@given(st.lists(rule, min_size=1, max_size=4))
def test_rule_json_structured(rules: list[dict[str, object]]) -> None:
    try:
        parse_rule_set(json.dumps(rules), name="r", file="r.json")
    except CellsDocsError as exc:
        assert_own_error(exc, "r.json")


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("ab.*+?()[]{}^$|\\-<>=!:kdwsPn0123456789,")), max_size=20))
def test_regex_translation_never_crashes(pattern: str) -> None:
    try:
        translated = translate(pattern)
        catastrophic(translated)  # the ReDoS check never crashes either
    except JsRegexError:
        return
    assert isinstance(translated.compiled, regex.Pattern)
    translated.search("abc-123 <x>")


@FUZZ
@given(TEXTS)
def test_alert_yaml_any_text(source: str) -> None:
    try:
        parse_alert_file(source, file="a.yml")
    except CellsDocsError as exc:
        assert_own_error(exc, "a.yml")


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["alert", "expr", "for", "labels", "annotations", "record", "x"]),
        st.one_of(scalar, st.dictionaries(TEXTS, scalar, max_size=3)),
        max_size=6,
    )
)
def test_alert_yaml_structured(rule_fields: dict[str, object]) -> None:
    source = json.dumps({"groups": [{"name": "g", "rules": [rule_fields]}]}, default=str)
    try:
        parse_alert_file(source, file="a.yml")
    except CellsDocsError as exc:
        assert_own_error(exc, "a.yml")


front = st.dictionaries(
    st.sampled_from(
        [
            "status",
            "date",
            "tags",
            "supersedes",
            "superseded-by",
            "governs",
            "title",
            "service",
            "alerts",
            "severity",
            "last_reviewed",
            "review_every",
            "owner",
            "escalation",
        ]
    ),
    st.one_of(scalar, st.lists(scalar, max_size=3), st.dictionaries(TEXTS, st.lists(TEXTS, max_size=2), max_size=2)),
    max_size=6,
)


def document(meta: dict[str, object], body: str) -> str:
    return "---\n" + json.dumps(meta, default=str) + "\n---\n\n" + body


@FUZZ
@given(front, TEXTS)
def test_adr_front_matter(meta: dict[str, object], body: str) -> None:
    try:
        parse_adr(document(meta, body), file="adr/0001-x.md", stem="0001-x")
    except CellsDocsError as exc:
        assert_own_error(exc, "adr/0001-x.md")


@FUZZ
@given(TEXTS)
def test_adr_any_text(source: str) -> None:
    try:
        parse_adr(source, file="adr/0001-x.md", stem="0001-x")
    except CellsDocsError as exc:
        assert_own_error(exc, "adr/0001-x.md")


@FUZZ
@given(front, TEXTS)
def test_runbook_front_matter(meta: dict[str, object], body: str) -> None:
    try:
        book = parse_runbook(document(meta, body), file="runbooks/s/n.md", service="s", name="n")
        errors = lint_runbook(book, "s")
    except CellsDocsError as exc:
        assert_own_error(exc, "runbooks/s/n.md")
    else:
        for error in errors:
            assert_own_error(error, "runbooks/s/n.md")


@FUZZ
@given(st.lists(st.lists(TEXTS, min_size=3, max_size=3), max_size=4))
def test_markdown_tables_from_arbitrary_text(rows: list[list[str]]) -> None:
    rendered = table(
        ["a", "b", "c"], [[text(cell) if i % 2 else code(cell) for i, cell in enumerate(row)] for row in rows]
    )
    for line in rendered.splitlines():
        assert line.count("|") == 4  # no cell added or lost
    for raw in ("<script", "<b>", "{{", "{%", "`"):
        assert raw not in rendered
