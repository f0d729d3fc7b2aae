from __future__ import annotations

from pathlib import Path

import jinja2
import markdown
import pytest
from jinja2.exceptions import SecurityError

from cellsdocs.escaping import code_block, dot_url, json_for_html, markdown_text, nav_title, url_path
from cellsdocs.mkdocs.templating import (
    MACRO_NAMES,
    TemplateRefused,
    literal_template,
    macro_environment,
    protect_foreign_templates,
    vet_page,
    vet_template,
)


def render(markdown: str, **variables: object) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return env.from_string(protect_foreign_templates(markdown)).render(**variables)


@pytest.mark.parametrize(
    "text",
    [
        "Instance {{ $labels.instance }} is down",
        "Value {{ $value | humanizePercentage }}",
        "{{ humanize $value }}",
        "{{ .Labels.cell }}",
        "`{{ anything }}` in inline code",
        "```\n{{ code }}\n{% for x in y %}\n```\n",
        "!!! note\n    ```bash\n    echo {{ x }}\n    ```\n",
        "~~~\n{{ tilde }}\n~~~\n",
        "```\nliteral {% endraw %} inside code\n```\n",
    ],
)
def test_foreign_templates_and_code_stay_verbatim(text: str) -> None:
    assert render(text) == text


def test_jinja_expressions_in_prose_still_render() -> None:
    assert render("There are {{ count }} cells; {{ $labels.x }}", count=3) == "There are 3 cells; {{ $labels.x }}"


def test_unknown_macro_in_prose_still_fails() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("{{ no_such_macro() }}")


def test_author_raw_regions_are_left_to_jinja() -> None:
    assert render("a {% raw %}{{ $x }} `{{ y }}`{% endraw %} b") == "a {{ $x }} `{{ y }}` b"


# --- the macro sandbox and the vet (issue 14: data is never a template) ---------------------------

WALK = "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}"


def vet(source: str, *variables: str) -> None:
    vet_template(protect_foreign_templates(source), macros={"rpc", "cell_count"}, variables=variables)


@pytest.mark.parametrize(
    "source",
    [
        "{{ rpc('Classify') }} and {{ rpc('x', kind='rpc') }}",
        "{{ cell_count() }} cells, {{ '{{' }} literal",
        "Prometheus {{ $labels.instance }} and `{{ code.attr }}`",
        "```\n{% for x in y %}{{ x.__class__ }}\n```\n",
        "{% raw %}{{ anything.at.all }}{% endraw %}",
        "front matter: {{ owner }}",
    ],
)
def test_vet_accepts_macro_calls_literals_and_foreign_templates(source: str) -> None:
    vet(source, "owner")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (WALK % "x", "attribute access cycler.__init__"),
        ("{{ rpc.__globals__ }}", "attribute access rpc.__globals__"),
        ("{{ rpc('a')['__class__'] }}", "attribute access"),
        ("{{ owner.upper() }}", "attribute access owner.upper"),
        ("{% for i in range(10) %}x{% endfor %}", "template statement {% for %}"),
        ("{% include 'glossary.md' %}", "template statement {% include %}"),
        ("{% set x = 1 %}", "template statement"),
        ("{{ 7*7 }}", "mul expressions are not allowed"),
        ("{{ 'a'|replace('a', 'aa') }}", "filter expressions are not allowed"),
        ("{{ range(10) }}", "'range' is not a macro"),
        ("{{ lipsum(n=1000) }}", "'lipsum' is not a macro"),
        ("{{ config }}", "'config' is undefined"),
        ("{{ rpc(*args) }}", "*args"),
    ],
)
def test_vet_refuses_everything_else(source: str, message: str) -> None:
    with pytest.raises(TemplateRefused) as caught:
        vet(source, "owner")
    assert message in caught.value.message


def test_sandbox_stops_an_attribute_walk_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    env = macro_environment({"rpc": lambda name: f"<{name}>"})
    for source in (WALK % marker, "{{ rpc.__globals__ }}", "{{ (rpc|attr('__globals__')) }}"):
        with pytest.raises(SecurityError):
            env.from_string(source).render()
    assert not marker.exists()
    assert env.from_string("{{ rpc('A') }} {{ t.upper() }}").render(t="x") == "<A> X"


@pytest.mark.parametrize("title", [WALK % "/tmp/x", "{{ 7*7 }} {% raw %}{% endraw %} {# c #}", "plain"])
def test_a_title_is_never_a_template(title: str) -> None:
    env = macro_environment({})
    assert env.from_string(literal_template(title)).render() == title


def page(body: str, front: str = "title: T\n") -> str:
    return f"---\n{front}---\n\n{body}"


def test_vet_page_names_file_and_line() -> None:
    problem = vet_page(page("ok\n\n" + WALK % "x" + "\n"), file="runbooks/a/b.md")
    assert problem is not None
    assert problem.format().startswith("runbooks/a/b.md:7: template refused: attribute access cycler.__init__")
    assert vet_page(page(WALK % "x", "render_macros: false\n"), file="x.md") is None  # never rendered
    assert vet_page(page("{{ title }} {{ rpc('A') }}"), file="x.md") is None


@pytest.mark.parametrize("line", ['--8<-- ".git/config"', '  -8<- "x.md"', "--8<--", "```\n--8<-- 'a'\n```"])
def test_vet_page_refuses_snippet_lines(line: str) -> None:
    problem = vet_page(page(f"text\n{line}\n"), file="adr/0001-x.md")
    assert problem is not None and "pymdownx.snippets line" in problem.message


def test_vet_page_accepts_escaped_snippet_lines() -> None:
    assert vet_page(page(';--8<-- ".git/config"\ninline --8<-- "x" is not a snippet\n'), file="x.md") is None


def test_macro_names_agree_with_the_registered_macros() -> None:
    from cellsdocs.mkdocs.macros import MACROS

    assert set(MACROS) == MACRO_NAMES


# --- escaping helpers ------------------------------------------------------------------------------


def test_code_block_makes_snippet_lines_inert(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOKEN-123\n")
    source = 'a\n--8<-- "secret.txt"\n;--8<-- "secret.txt"\n--8<--\nsecret.txt\n--8<--\n```\n'
    html = markdown.markdown(
        code_block(source, "text"),
        extensions=["pymdownx.snippets", "pymdownx.superfences"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(tmp_path)], "check_paths": True}},
    )
    assert "TOKEN-123" not in html
    shown = html.replace("&lt;", "<").replace("&quot;", '"')
    assert source.rstrip() in shown  # exactly as written


def test_markdown_text_never_starts_a_snippet_line() -> None:
    text = markdown_text('x\n--8<-- ".git/config"', multiline=True)
    assert "\n" not in text and "8<" not in text


def test_urls_and_graphviz_strings_carry_no_markup() -> None:
    href = dot_url("../0002-<svg onload=x>\"'&/")
    assert not set(href[1:-1]) & set("<>\"'& ")
    assert url_path("runbooks/a b/#x y") == "runbooks/a%20b/#x%20y"
    assert url_path("javascript:alert(1)").startswith("javascript%3A")


def test_json_for_html_cannot_close_the_script() -> None:
    out = json_for_html('{"a": "</script><!-- \u2028 & ]]>"}')
    assert "</" not in out and "<!--" not in out and "\u2028" not in out and "&" not in out and ">" not in out


def test_nav_title_escapes_html_and_braces() -> None:
    assert nav_title('<img src=x onerror=1>"{{ x }}') == "&lt;img src=x onerror=1&gt;&quot;&#123;&#123; x &#125;&#125;"
