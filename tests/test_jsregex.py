from __future__ import annotations

import pytest

from cellsdocs.sources.jsregex import JsRegexError, translate


@pytest.mark.parametrize(
    ("pattern", "matches", "rejects"),
    [
        ("^(?<cell>cell-\\d+)$", ["cell-12"], ["cell-12\n", "cell-", "cell-١"]),  # JS \d is ASCII; $ is end
        ("^a.c$", ["abc"], ["a\nc", "a\u2028c"]),  # . excludes JS line terminators
        ("^\\s$", ["\u00a0", "\t"], ["x"]),
        ("^[^]$", ["\n"], ["ab"]),
        ("^a{,2}$", ["a{,2}"], ["aa"]),  # not a quantifier in JS
        ("^(?<x>a)\\k<x>$", ["aa"], ["ab"]),
        ("^\\A$", ["A"], [""]),  # identity escape
        ("^[[]$", ["["], ["]"]),
    ],
)
def test_translation_matches_like_javascript(pattern: str, matches: list[str], rejects: list[str]) -> None:
    regex = translate(pattern).compiled
    for value in matches:
        assert regex.search(value), value
    for value in rejects:
        assert not regex.search(value), value


def test_named_groups_are_reported() -> None:
    assert translate("(?<a>x)(?<b>y)").groups == ("a", "b")


@pytest.mark.parametrize(
    "pattern",
    ["(?P<x>a)", "(?i)a", "a++", "a*+", "(?>a)", "(?#c)", "[a", "(a", "\\", "(?<a>x)(?<a>y)", "(?<a-b>x)"],
)
def test_refuses_what_javascript_would_reject_or_python_cannot_do(pattern: str) -> None:
    with pytest.raises(JsRegexError):
        translate(pattern)
