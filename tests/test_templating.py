from __future__ import annotations

import jinja2
import pytest

from cellsdocs.templating import protect_foreign_templates


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
