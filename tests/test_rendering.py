"""The sandbox: strict, capped, Babel-aware, and customer text stays data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportkit.config import Brand
from supportkit.errors import TemplateError
from supportkit.library import load_library, select_template
from supportkit.rendering import ALLOWED_FILTERS, environment, render, render_string

MIN = Path(__file__).parent / "data" / "replies_min"


def ctx(locale: str = "en", **values: object) -> dict[str, object]:
    return {"locale": locale, "brand": Brand(), **values}


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        ("en", "0.00123456", "0.00123456\u00a0BTC"),
        ("ru", "0.00123456", "0,00123456\u00a0BTC"),
        ("fr", "1234567.000000018", "1\u202f234\u202f567,000000018\u00a0BTC"),
        ("es", Decimal("12345.5"), "12.345,5\u00a0BTC"),
        ("zh", "1,150", "1,150\u00a0BTC"),
        ("de", "0,5", "0,5\u00a0BTC"),
    ],
)
def test_amounts_are_exact_and_localized(locale: str, value: object, expected: str) -> None:
    assert render_string('{{ v | amount("BTC") }}', ctx(locale, v=value)) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [("0", "0 дней"), ("1", "1 день"), ("2", "2 дня"), ("5", "5 дней"), ("11", "11 дней"), ("21", "21 день"),
     ("1.5", "1,5 дня")],
)
def test_russian_plural_categories(n: str, expected: str) -> None:
    source = '{{ n | plural(one="# день", few="# дня", many="# дней", other="# дня") }}'
    assert render_string(source, ctx("ru", n=n)) == expected


def test_missing_plural_form_falls_back_to_other_then_fails_clearly() -> None:
    assert render_string('{{ n | plural(one="# день", other="# дня") }}', ctx("ru", n="3")) == "3 дня"
    with pytest.raises(TemplateError, match="plural form 'few' missing for ru"):
        render_string('{{ n | plural(one="# день") }}', ctx("ru", n="3"))


def test_dates_follow_the_locale() -> None:
    assert render_string("{{ d | date }}", ctx("fr", d="2026-11-22")) == "22 nov. 2026"
    assert render_string("{{ d | date }}", ctx("zh", d="2026-11-22")) == "2026年11月22日"
    with pytest.raises(TemplateError, match="not a date"):
        render_string("{{ d | date }}", ctx("en", d="yesterday"))


def test_customer_text_is_never_template_source() -> None:
    library = load_library(MIN)
    payload = "{{ ''.__class__.__mro__ }}{% for x in range(10**9) %}x{% endfor %}"
    result = render(select_template(library, "tx_pending", "en"), {"customer_name": payload})
    assert payload in result.text


def test_sandbox_blocks_unsafe_access_and_unknown_names() -> None:
    with pytest.raises(TemplateError, match="unsafe operation"):
        render_string("{{ ''.__class__.__mro__[1].__subclasses__() }}", ctx())
    with pytest.raises(TemplateError, match="undeclared name"):
        render_string("Hi {{ customer_nam }}", ctx())
    with pytest.raises(TemplateError, match="syntax error"):
        render_string("{% if x %}never closed", ctx(x=1))


def test_only_listed_filters_exist() -> None:
    assert set(environment().filters) == ALLOWED_FILTERS
    with pytest.raises(TemplateError):
        render_string("{{ x | attr('__class__') }}", ctx(x="a"))


def test_output_is_capped() -> None:
    with pytest.raises(TemplateError, match="longer than 100 characters"):
        render_string("{% for i in range(1000) %}xx{% endfor %}", ctx(), limit=100)


@pytest.mark.parametrize(("source", "message"), [
    ('{{ "x" * 1000000000 }}', "repeating a sequence 1000000000 times"),
    ("{{ [0] * 10 ** 8 }}", "repeating a sequence"),
    ("{{ 10 ** 100000000 }}", r"10 \*\* 100000000 makes a number of about \d+ bits, more than the 4096"),
    ("{% for i in range(10 ** 9) %}{% endfor %}", "Range too big"),
])
def test_expensive_expressions_are_refused_before_they_run(source: str, message: str) -> None:
    # The output cap only sees output: these would build gigabytes or run for minutes first.
    with pytest.raises(TemplateError, match=message):
        render_string(source, ctx())
    assert render_string('{{ "ab" * 3 }} {{ 2 ** 10 }} {{ range(3) | list | length }}', ctx()) == "ababab 1024 3"


@pytest.mark.parametrize(("source", "kind", "line"), [
    ("Hi\n{{ 1 / 0 }}", "ZeroDivisionError", 2),
    ("{% if customer_name is odd %}x{% endif %}", "TypeError", 1),
    ("Hi,\n\n{{ customer_name - 1 }}", "TypeError", 3),
])
def test_an_expression_failing_on_its_values_is_a_template_error_with_its_line(source: str, kind: str,
                                                                               line: int) -> None:
    with pytest.raises(TemplateError, match=kind) as caught:
        render_string(source, ctx(customer_name="Ana"), where="t.yaml: en")
    assert caught.value.where == f"t.yaml: en line {line}"


def test_empty_optional_variable_leaves_no_dangling_greeting() -> None:
    library = load_library(MIN)
    for locale in ("en", "ru"):
        text = render(select_template(library, "tx_pending", locale), {"customer_name": "   "}).text
        assert "Hi ," not in text and ", !" not in text and " ," not in text
        assert text.splitlines()[0] in {"Hi there,", "Здравствуйте!"}


def test_undeclared_variable_from_caller_is_refused() -> None:
    library = load_library(MIN)
    with pytest.raises(TemplateError, match="has no variable 'nme'.*Declared variables: amount, customer_name, days"):
        render(select_template(library, "tx_pending", "en"), {"nme": "Ana"})


def test_a_reply_without_values_is_rendered_once_and_stays_the_same() -> None:
    library = load_library(MIN)
    for brand in (Brand(product="Acme"), Brand(product="Other"), None):
        for locale in ("en", "ru", "de"):
            selection = select_template(library, "tx_pending", locale)
            first = render(selection, {}, brand)
            first.variables["customer_name"] = "changed by a caller"
            again = render(selection, None, brand)
            # A value of None means the default: rendered afresh, it must be the remembered reply.
            assert again == render(selection, {"days": None}, brand)
            assert again.variables.get("customer_name") != "changed by a caller"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab é}%#\t\n\r") + ["\r\n", "x\n\n"]), max_size=40).map("".join))
def test_text_without_tags_renders_as_jinja_would(source: str) -> None:
    # render_string and parse_source skip Jinja for text that holds no "{": same results as Jinja's.
    from supportkit.rendering import environment, parse_source, plain_text

    assert plain_text(source) == environment().from_string(source).render()
    assert parse_source(source) == environment().parse(source)
