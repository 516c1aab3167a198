"""The fast template path (``supportkit.rendering.fastpath``) gives what Jinja gives, node by node and piece by piece."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import jinja2
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from supportkit.config import BUNDLED_REPLIES, Brand, Config
from supportkit.rendering import fastpath
from supportkit.rendering.tree import tree_nodes


def test_pass_arg_reads_what_jinjas_public_decorators_mark() -> None:
    def plain(value: object) -> object:
        return value

    assert fastpath.pass_arg(plain) is None
    assert fastpath.pass_arg(jinja2.pass_context(lambda c, v: v)) == "context"
    assert fastpath.pass_arg(jinja2.pass_eval_context(lambda c, v: v)) == "eval_context"
    assert fastpath.pass_arg(jinja2.pass_environment(lambda e, v: v)) == "environment"


RENDER_SOURCES = [
    "Hi {{ name }}", "{% if name %}{{ name }}{% elif n %}n{% else %}there{% endif %}", "{{ brand.product }}",
    "{{ brand.no_such_setting }}", "{{ brand.__class__ }}", "{{ missing }}", "{% if missing %}x{% endif %}",
    "{{ n | plural(one='# day', other='# days') }}", "{{ n | plural(one='# day') }}", "{{ name | number }}",
    "{{ n | amount('BTC') }}", "{{ 'abc' | upper }}{{ name | default('friend') | title }}", "{{ locale }}",
    "  {% if name %}\n  {{ name | truncate(3) }}\n  {% endif %}\n", "{{ name | replace('a', 'b') }}{{ range }}",
    "{% if not name %}none{% else %}{{ name }}{% endif %}", "{% if n and n | int >= 1 %}{{ n }} h{% endif %}",
    "{% if 'a' in name | lower or n == '3' %}yes{% endif %}", "{% if 1 < n | int < 10 %}mid{% endif %}",
    "{{ not name }}|{{ name and n }}|{{ name or 'x' }}", "{% if missing and name %}x{% endif %}",
    "{% if name and missing %}x{% endif %}", "{% if name not in 'Ana' %}y{% endif %}{% if n != 21 %}z{% endif %}",
]


@pytest.mark.parametrize("source", RENDER_SOURCES)
def test_simple_templates_render_without_codegen_exactly_as_compiled(source: str) -> None:
    from supportkit.rendering import environment

    tree = environment().parse(source)
    assert fastpath.interpretable(tree, environment())
    for locale in ("en", "ru", "zh"):
        for values in ({"name": "Ana", "n": "3"}, {"name": "", "n": ""}, {"name": "1,5", "n": 21}):
            context = {**values, "brand": Brand().localized(locale), "locale": locale}
            compiled = environment().from_string(source)
            assert _outcome(functools.partial(fastpath.interpret, tree, context, environment())) == _outcome(
                functools.partial(compiled.generate, **context))


def test_other_templates_are_compiled() -> None:
    from supportkit.rendering import environment

    for source in ("{% for i in range(2) %}{{ i }}{% endfor %}", "{{ x is odd }}", "{{ x | nope }}", "{{ self }}",
                   "{{ f(x) }}", "{{ a ~ b }}", "{% set y = 1 %}", "{{ x | plural(**forms) }}"):
        assert not fastpath.interpretable(environment().parse(source), environment()), source


def _outcome(pieces: Callable[[], Iterable[str]]) -> tuple[str, ...]:
    """The rendered text, or the exception's type and message."""
    try:
        return ("ok", "".join(pieces()))
    except Exception as exc:  # noqa: BLE001 - the very exception is what is compared
        return (type(exc).__name__, str(exc))


def test_bundled_replies_render_without_codegen_exactly_as_compiled() -> None:
    from supportkit.library import load_template
    from supportkit.rendering import build_context, environment
    from supportkit.writers.checks import view_of
    from supportkit.writers.checks.code import _render_values

    checked = compiled_only = 0
    for path in sorted(BUNDLED_REPLIES.glob("**/*.yaml")):
        template, _ = load_template(path, "en")
        assert template is not None
        view = view_of(template, Config())
        for piece in view.all_pieces():
            if "{" not in piece.text:
                continue
            if not fastpath.interpretable(piece.ast, environment()):
                compiled_only += 1  # e.g. {% set %}: Jinja's compiled code renders it
                continue
            compiled = environment().from_string(piece.text)
            for empty in (False, True):
                for situation in ({}, {"secret_found": True}, {"urgent": True}):
                    context = build_context(template, piece.locale, _render_values(view, empty), Config().brand,
                                            situation)
                    assert _outcome(functools.partial(fastpath.interpret, piece.ast, context, environment())) == \
                        _outcome(functools.partial(compiled.generate, **context))
                checked += 1
    assert compiled_only <= 0.05 * checked  # the fast path still takes almost every bundled text
    assert checked > 300


def test_tree_nodes_lists_what_find_all_finds() -> None:
    from jinja2 import nodes

    from supportkit.rendering import environment

    source = ("{% for a, b in x | dictsort if a %}{{ loop.index }}{% else %}-{% endfor %}"
              "{% macro m(a, b=1) %}{{ caller() }}{% endmacro %}{% call m(1) %}x{% endcall %}"
              "{{ a[1:2] ~ b.c(d, *e, **f) if g else h }}{% set x = {'a': [1, (2, 3)]} %}{{ y is odd }}")
    tree = environment().parse(source)
    assert [id(n) for n in tree_nodes(tree)] == [id(n) for n in tree.find_all(nodes.Node)]


SIMPLE_PIECES = ["{{ a }}", "{{b}}", "{{ a.b }}", "{{\tc }}", "{% if a %}", "{%if b.c%}", "{% else %}", "{% endif %}",
                 "{%  endif  %}", "\n", "\r\n", "\r", " ", "  ", "\t", "\u3000", "\u202f", "x", "中文", "\n  ",
                 "{% elif a %}", "{{ true }}", "{{ none }}", "{% if not a %}", "{%if not b.c%}", "{% if nota %}", "{{ a-}}", "{%- if a %}", "{% if a -%}",
                 "{#c#}", "{", "}", "}}", "{{{ a }}", "{{ a }}}", "{% raw %}", "{% if a.b.c %}", "{{ a .b }}", "{% if %}",
                 "{{ é }}", "{% for x in y %}", "{% endfor %}", "{{ n | plural(one='# a') }}"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(SIMPLE_PIECES), max_size=14).map("".join))
def test_simple_text_parses_to_the_tree_jinja_builds(source: str) -> None:
    # parse_source builds the tree itself for text whose tags are names and if/else/endif: the very
    # tree (fields, line of every node, environment) Jinja's parser builds; anything else is Jinja's.
    from jinja2 import TemplateSyntaxError, nodes

    from supportkit.rendering import environment

    mine = fastpath.parse_simple(source, environment())
    try:
        expected = environment().parse(source)
    except TemplateSyntaxError:
        assert mine is None
        expected = None
    assume(mine is not None)  # Jinja's parser takes the rest
    assert mine == expected
    ours, theirs = [mine, *tree_nodes(mine)], [expected, *expected.find_all(nodes.Node)]
    assert [(type(n), n.lineno, n.environment) for n in ours] == [(type(n), n.lineno, n.environment) for n in theirs]


def test_most_bundled_replies_skip_jinjas_parser() -> None:
    # What keeps a cold `check` fast: only texts with filters (plural...), a situation test other than
    # {% if (not) secret_found %} (and, or) or an assignment go through Jinja's parser.
    from supportkit.library import load_template
    from supportkit.rendering import environment

    texts = []
    for path in BUNDLED_REPLIES.glob("**/*.yaml"):
        template, _ = load_template(path, "en")
        assert template is not None
        texts += [text for t in template.locales.values() for text in (t.subject, t.body) if "{" in text]
    simple = [text for text in texts if fastpath.parse_simple(text, environment()) is not None]
    assert len(simple) >= 0.75 * len(texts)
    assert all(any(mark in text for mark in ("|", "secret_found", "urgent", "{% set")) for text in texts
               if text not in simple)
