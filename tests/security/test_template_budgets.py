"""Template budgets (trust-boundaries issue): no template can hang a command or allocate a gigabyte.

The attack pass found nested ``range`` loops, a macro calling itself twice 60 deep and
``((2**4096)**4096)**4096`` hanging ``check`` (so CI), ``preview``, ``faq build`` and ``reply``,
and ``"%0999999999d" % 1``, ``replace``/``join`` amplification and ``ljust(10**9)`` ending in a
MemoryError traceback. Each test here plays a *family* of such templates (sizes, nesting
depths, widths) rather than one payload, and asserts the budget error or finding: never a time.
The small members of each family ran to completion (or to another error) before the budgets,
the large ones hung or ran out of memory.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import Config
from supportkit.errors import TemplateBudgetError, TemplateError
from supportkit.rendering import render_string
from supportkit.rendering.budget import MAX_INT_BITS, MAX_STEPS, MAX_VALUE_CHARS
from supportkit.writers.checks import run_checks

STEPS = rf"ran more than {MAX_STEPS} steps"
CHARS = rf"more than the {MAX_VALUE_CHARS} a template may build"
BITS = rf"more than the {MAX_INT_BITS} a template may compute"


def refused(source: str, message: str, **values: Any) -> TemplateBudgetError:
    """Render ``source`` and return the budget error it must raise (its message matching ``message``)."""
    with pytest.raises(TemplateError, match=message) as caught:
        render_string(source, values, where="t.yaml: en")
    assert isinstance(caught.value, TemplateBudgetError)
    return caught.value


def nested_loops(iterable: str, depth: int, body: str = "") -> str:
    return "".join(f"{{% for v{level} in {iterable} %}}" for level in range(depth)) + body + "{% endfor %}" * depth


# --- steps: loops, recursion, calls ---------------------------------------------------------


@pytest.mark.parametrize(("size", "depth"), [(100_000, 2), (1_000, 2), (100, 3), (30, 4), (10, 5), (5, 8)])
@pytest.mark.parametrize("kind", ["range", "string", "list", "loop_variable", "filtered"])
def test_nested_loops_run_out_of_steps(kind: str, size: int, depth: int) -> None:
    iterable = {"range": f"range({size})", "string": f'("x" * {size})', "list": f"([0] * {min(size, 10_000)})",
                "loop_variable": f"range({size})", "filtered": f"range({size}) if v0 is defined"}[kind]
    body = "{{ loop.index if loop.index < 0 }}" if kind == "loop_variable" else ""
    if kind == "filtered":  # the first level cannot test itself
        source = f"{{% for v0 in range({size}) %}}" + nested_loops(iterable, depth - 1, body) + "{% endfor %}"
    else:
        source = nested_loops(iterable, depth, body)
    refused(source, STEPS)


@pytest.mark.parametrize("depth", [10, 14, 20, 30, 60])
@pytest.mark.parametrize("fan_out", [2, 3])
def test_a_macro_calling_itself_several_times_runs_out_of_steps(depth: int, fan_out: int) -> None:
    calls = "{{ f(n - 1) }}" * fan_out
    refused(f"{{% macro f(n) %}}{{% if n %}}{calls}{{% endif %}}{{% endmacro %}}{{{{ f({depth}) }}}}", STEPS)


@pytest.mark.parametrize("depth", [8, 12, 20, 40])
def test_nested_call_blocks_calling_caller_twice_run_out_of_steps(depth: int) -> None:
    source = ("{% macro twice() %}{{ caller() }}{{ caller() }}{% endmacro %}"
              + "{% call twice() %}" * depth + "." + "{% endcall %}" * depth)
    refused(source, STEPS)


@pytest.mark.parametrize("width", [1_000, 10_000, 15_000])
def test_a_recursive_loop_runs_out_of_steps(width: int) -> None:
    refused(f"{{% for x in [0] recursive %}}{{{{ loop([0] * {width}) }}}}{{% endfor %}}", STEPS)


@pytest.mark.parametrize("size", [20_000, 60_000, 99_000])
@pytest.mark.parametrize("work", ["{% if 'y' in s %}{% endif %}", "{% if s == t %}{% endif %}",
                                  "{% set r = s[::-1] %}", "{% set r = s | upper %}", "{% set r = s.upper() %}",
                                  "{% if s is eq(t) %}{% endif %}"])
def test_a_loop_reworking_a_long_value_each_turn_runs_out_of_steps(size: int, work: str) -> None:
    # A tenth of the steps in turns, each reading the whole value: paid for by the characters read.
    turns = MAX_STEPS // 10
    refused(f'{{% set s = "x" * {size} %}}{{% set t = "x" * {size} %}}{{% for i in range({turns}) %}}{work}{{% endfor %}}',
            STEPS)


@pytest.mark.parametrize("size", [1_000, 6_000, 20_000])
def test_sorting_a_long_list_in_a_loop_runs_out_of_steps(size: int) -> None:
    refused(f"{{% set s = [3, 1, 2] * {size // 3} %}}{{% for i in range(100) %}}{{% set r = s | sort %}}{{% endfor %}}",
            STEPS)


# --- integer size ---------------------------------------------------------------------------


@pytest.mark.parametrize("source", [
    "{{ ((2 ** 4096) ** 4096) ** 4096 }}",
    "{{ (2 ** 4096) ** 4096 }}",
    "{{ (10 ** 1000) ** 1000 }}",
    "{{ 3 ** 4096 }}",
    "{{ 7 ** (10 ** 6) }}",
    "{{ (10 ** 10) ** (10 ** 5) }}",
    "{% set x = 2 ** 4000 %}{{ x * x }}",
    "{% set x = 2 ** 3000 %}{{ x * x * x * x }}",
    '{{ (0).from_bytes(("x" * 2000).encode(), "big") }}',
    "{% macro sq(x, n) %}{% if n %}{{ sq(x * x, n - 1) }}{% else %}{{ x % 10 }}{% endif %}{% endmacro %}{{ sq(3, 40) }}",
])
def test_integer_towers_and_products_are_refused_before_they_are_computed(source: str) -> None:
    refused(source, BITS)


# --- value size, checked before the value is built -----------------------------------------


@pytest.mark.parametrize("width", [10**6, 10**9])
@pytest.mark.parametrize("spec", ["%0{w}d", "%{w}s", "%-{w}s", "%.{w}f", "%(a){w}d", "%*d"])
def test_percent_format_widths_are_refused(spec: str, width: int) -> None:
    args = "{'a': 1}" if "(a)" in spec else f"({width}, 1)" if "*" in spec else "1"
    refused(f'{{{{ "{spec.format(w=width)}" % {args} }}}}', CHARS)


@pytest.mark.parametrize("width", [10**6, 10**9])
@pytest.mark.parametrize("spec", ["{{:>{w}}}", "{{:0{w}d}}", "{{:.{w}f}}", "{{:^{w}}}", "{{0:{{1}}}}"])
def test_str_format_widths_are_refused(spec: str, width: int) -> None:
    refused(f'{{{{ "{spec.format(w=width)}".format(1, {width}) }}}}', CHARS)
    if "{1}" not in spec:
        named = spec.format(w=width).replace("{:", "{x:")
        refused(f'{{{{ "{named}".format_map({{"x": 1}}) }}}}', CHARS)


@pytest.mark.parametrize("width", [10**6, 10**8, 10**9])
@pytest.mark.parametrize("method", ["center", "ljust", "rjust", "zfill"])
@pytest.mark.parametrize("subject", ['"x"', '"x".encode()', '("x" | escape)'])
def test_padding_methods_with_huge_widths_are_refused(subject: str, method: str, width: int) -> None:
    if method == "zfill" and "escape" in subject:
        subject = '"x"'
    refused(f"{{{{ {subject}.{method}({width}) }}}}", CHARS)


@pytest.mark.parametrize("size", [10**6, 10**9])
def test_expandtabs_and_to_bytes_with_huge_sizes_are_refused(size: int) -> None:
    refused(f'{{{{ ("\t" * 10).expandtabs({size}) }}}}', CHARS)
    refused(f'{{{{ (1).to_bytes({size}, "big") | length }}}}', CHARS)


@pytest.mark.parametrize("times", [5, 6, 9, 12])
@pytest.mark.parametrize("form", ["filter", "method"])
def test_chained_replace_amplification_is_refused(form: str, times: int) -> None:
    step = '|replace("x", "xxxxxxxxxx")' if form == "filter" else '.replace("x", "xxxxxxxxxx")'
    refused('{{ "xxxxxxxxxx"' + step * times + " }}", CHARS)


@pytest.mark.parametrize("size", [1_000, 100_000])
def test_replacing_the_empty_string_is_refused(size: int) -> None:
    refused(f'{{{{ ("x" * {size}) | replace("", "y" * 1000) }}}}', CHARS)
    refused(f'{{{{ ("x" * {size}).replace("", "y" * 1000) }}}}', CHARS)


@pytest.mark.parametrize("times", [5, 6, 8])
@pytest.mark.parametrize("form", ["filter", "method"])
def test_chained_join_amplification_is_refused(form: str, times: int) -> None:
    # Each join puts ten characters between every two of the last one's: x11 a step.
    if form == "filter":
        source = '{{ "xxxxxxxxxx"' + '|join("xxxxxxxxxx")' * times + " }}"
    else:
        source = '{% set s0 = "xxxxxxxxxx" %}' + "".join(
            f'{{% set s{n + 1} = ("x" * 10).join(s{n}) %}}' for n in range(times)) + f"{{{{ s{times} | length }}}}"
    refused(source, CHARS)


@pytest.mark.parametrize("count", [10, 1_000, 20_000])
@pytest.mark.parametrize("item", ['"x" * 20000', "[0] * 20000", '("y" * 1000,) * 20'])
def test_repeating_a_long_item_is_refused_by_the_size_it_would_print(item: str, count: int) -> None:
    # Counting items let [s] * 20000 through (20,000 items), which prints as 400 million characters.
    refused(f"{{{{ [{item}] * {count} }}}}", CHARS)


@pytest.mark.parametrize("levels", [2, 3, 6])
@pytest.mark.parametrize("literal", ["[{0}]", "({0},)", '{{"k": {0}}}'])
def test_nested_literals_of_shared_items_are_refused(literal: str, levels: int) -> None:
    source = '{% set v0 = "x" * 20000 %}'
    for level in range(1, levels + 1):
        items = ", ".join([f"v{level - 1}"] * 10)
        value = literal.format(items) if "k" not in literal else "{" + ", ".join(
            f'"k{i}": v{level - 1}' for i in range(10)) + "}"
        source += f"{{% set v{level} = {value} %}}"
    refused(source + f"{{{{ v{levels} | length }}}}", CHARS)


@pytest.mark.parametrize("depth", [10, 20, 40])
@pytest.mark.parametrize("double", ["s ~ s", "s + s", "[s, s]", "s * 2"])
def test_doubling_through_macro_arguments_is_refused(double: str, depth: int) -> None:
    source = (f"{{% macro d(s, n) %}}{{% if n %}}{{{{ d({double}, n - 1) }}}}{{% else %}}{{{{ s | length }}}}"
              f'{{% endif %}}{{% endmacro %}}{{{{ d("x" * 100, {depth}) }}}}')
    refused(source, CHARS)


@pytest.mark.parametrize("copies", [2, 4, 8, 16])
@pytest.mark.parametrize("block", ["set", "filter", "macro"])
def test_captured_output_is_refused_before_it_is_joined(block: str, copies: int) -> None:
    inner = '{{ "x" * 60000 }}' * copies
    source = {
        "set": f"{{% set s %}}{inner}{{% endset %}}{{{{ s | length }}}}",
        "filter": f"{{% filter lower %}}{inner}{{% endfilter %}}",
        "macro": f"{{% macro m() %}}{inner}{{% endmacro %}}{{{{ m() | length }}}}",
    }[block]
    refused(source, CHARS)


@pytest.mark.parametrize("size", [60_000, 99_000])
def test_printing_a_nested_value_is_refused_before_it_is_turned_into_text(size: int) -> None:
    refused(f'{{% set s = "x" * {size} %}}{{{{ (s, s) }}}}', CHARS)
    refused(f'{{% set s = "x" * {size} %}}{{{{ "%s%s" % (s, s) }}}}', CHARS)
    refused(f'{{% set s = "x" * {size} %}}{{{{ "{{}}{{}}".format(s, s) }}}}', CHARS)
    refused(f'{{% set s = "x" * {size} %}}{{{{ "{{!r}}{{!r}}".format(s, s) }}}}', CHARS)


@pytest.mark.parametrize("digits", [1_001, 10**6, 999_999_999])
@pytest.mark.parametrize("filter_", ["number", "amount", "percent"])
@pytest.mark.parametrize("sign", ["", "-"])
def test_numbers_that_would_print_a_billion_digits_are_refused(filter_: str, digits: int, sign: str) -> None:
    refused(f"{{{{ value | {filter_} }}}}", "digits is longer than", value=f"1e{sign}{digits}")


@pytest.mark.parametrize("copies", [5_000, 20_000, 90_000])
def test_plural_forms_repeating_the_number_are_refused(copies: int) -> None:
    refused(f'{{{{ n | plural(other="#" * {copies}) }}}}', CHARS, n="1" + "0" * 20)


# --- the bundled library and harmless uses stay as they were ---------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    ('{% for i in range(3) %}{{ loop.index }}{% endfor %}', "123"),
    ('{{ "%05.1f|%-4s|%s" % (3.14159, "ab", [1]) }}', "003.1|ab  |[1]"),
    ('{{ "[{:>6}]|{:.2f}|{}".format("x", 2.5, (1, 2)) }}', "[     x]|2.50|(1, 2)"),
    ('{{ "ab" * 3 }} {{ 2 ** 4096 > 0 }} {{ [1, 2] | join(",") }} {{ "a-b".replace("-", "+") }}', "ababab True 1,2 a+b"),
    ('{{ "x" | truncate(10 ** 9) }}{{ "ab".center(6) }}|{{ "x" * 5 ~ "y" }}', "x  ab  |xxxxxy"),
    ('{% macro m(n) %}{{ n }}{% if n %}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(5) }}', "543210"),
])
def test_ordinary_template_code_renders_as_before(source: str, expected: str) -> None:
    assert render_string(source, {}) == expected


def test_the_bundled_library_renders_far_inside_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from supportkit.config import BUNDLED_REPLIES, Brand
    from supportkit.library import load_library
    from supportkit.rendering import budget as template_budget
    from supportkit.rendering import build_context
    from supportkit.writers.preview import EXAMPLE_BY_TYPE

    spent: list[int] = []
    budgeted = template_budget.budgeted

    @contextlib.contextmanager
    def measured() -> Iterator[template_budget.Budget]:
        with budgeted() as budget:
            yield budget
            spent.append(MAX_STEPS - budget.steps)

    monkeypatch.setattr(template_budget, "budgeted", measured)
    longest = 0
    for template in load_library(BUNDLED_REPLIES, strict=False).templates.values():
        values = {name: v.example or EXAMPLE_BY_TYPE.get(v.type, "x") for name, v in template.variables.items()}
        for code, translation in template.locales.items():
            context = build_context(template, code, values, Brand())
            for text in (translation.subject, translation.body):
                longest = max(longest, len(render_string(text, context)) if text else 0)
    assert spent and max(spent) <= MAX_STEPS // 100
    assert longest <= MAX_VALUE_CHARS // 10


@pytest.mark.parametrize("filter_", ["center(10 ** 9)", "indent(10 ** 9)", "wordwrap(10 ** 9)", "format(1)"])
def test_filters_the_sandbox_does_not_have_stay_unknown(filter_: str) -> None:
    # Not budget errors: these filters are not in the sandbox (check's unknown_filter says so).
    with pytest.raises(TemplateError, match="No filter named"):
        render_string(f'{{{{ "x" | {filter_} }}}}', {})


# --- every command: a finding in check, an error elsewhere, never a hang or a traceback ------

ATTACKS = {
    "loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "macro": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "power": "{{ ((2 ** 4096) ** 4096) ** 4096 }}",
    "percent": '{{ "%0999999999d" % 1 }}',
    "ljust": '{{ "x".ljust(10 ** 9) }}',
    "replace": '{{ "xxxxxxxxxx"' + '|replace("x", "xxxxxxxxxx")' * 9 + " }}",
}
MESSAGES = {"loops": STEPS, "macro": STEPS, "power": BITS, "percent": CHARS, "ljust": CHARS, "replace": CHARS}


def hostile_library(root: Path, attack: str) -> tuple[Path, int]:
    """A replies folder whose one template (English, with an FAQ question) carries ``attack`` on its body's
    third line, and the line of the file that is. ``f`` and ``n`` are declared, so ``check`` renders a macro."""
    replies = root / "replies"
    replies.mkdir()
    text = ("id: other\nintents: [other]\nvariables:\n  f: {description: a name}\n  n: {description: a count}\n"
            "faq:\n  en: What else?\nlocales:\n  en:\n    subject: Help\n    body: |\n      Hello.\n\n"
            f"      {ATTACKS[attack]}\n")
    (replies / "other.yaml").write_text(text, encoding="utf-8")
    return replies, text.splitlines().index(f"      {ATTACKS[attack]}") + 1


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_check_reports_a_budget_as_a_finding_on_its_line(tmp_path: Path, runner: CliRunner, attack: str) -> None:
    replies, line = hostile_library(tmp_path, attack)
    report = run_checks(Config(replies_dir=replies), [replies])
    assert [(f.line, f.locale) for f in report.findings if f.check == "render"] == [(line, "en")]
    result = runner.invoke(cli, ["check", str(replies)])
    assert result.exit_code == 1
    (finding,) = [text for text in result.output.splitlines() if ": render: " in text]
    assert finding.startswith(f"{replies / 'other.yaml'}:{line}: en: other: render: body: fails with example values: ")
    assert re.search(MESSAGES[attack], finding)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("command", ["reply", "faq", "preview"])
def test_other_commands_stop_with_a_clear_error(tmp_path: Path, runner: CliRunner, attack: str, command: str) -> None:
    replies, _ = hostile_library(tmp_path, attack)
    args = {"reply": ["reply", "--lang", "en", "hello"], "faq": ["faq", "build", "--out", str(tmp_path / "site")],
            "preview": ["preview", "other"]}[command]
    result = runner.invoke(cli, args, env={"SUPPORTKIT_REPLIES_DIR": str(replies)})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if command == "preview":  # preview shows each case's error in the locale's cell and goes on
        assert result.exit_code == 0
        errors = [text for text in result.output.splitlines() if text.startswith("ERROR: ")]
        assert errors and all(re.search(MESSAGES[attack], error) for error in errors)
        assert all("other.yaml: en line 3)" in error for error in errors)
    else:
        assert result.exit_code == 1
        assert result.output.startswith("Error: ")
        assert re.search(MESSAGES[attack], result.output)
        assert "other.yaml: en line 3)" in result.output
