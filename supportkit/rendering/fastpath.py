"""The fast template path: Jinja's parse and render, done directly for the texts most replies are.

Most templates are text, ``{{ name }}``, ``{{ brand.x }}``, filters and ``{% if %}``. For them,
``parse_simple`` builds the tree Jinja's parser would build, and ``interpret`` yields what the
compiled code would yield, without Jinja's lexer, code generator and ``compile``. Anything else
goes to Jinja. Equal results are the contract: ``tests/test_fastpath.py`` compares trees node by
node and rendered text piece by piece against Jinja itself, on random templates.

It reads only Jinja's public API: which argument a filter wants (``pass_arg``) is read from the
marker Jinja's public decorators (``pass_context`` ...) set, compared with the markers those same
decorators set on a probe, so no private name of Jinja is imported.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterator, Mapping
from typing import Any

import jinja2
from jinja2.runtime import missing
from jinja2.sandbox import ImmutableSandboxedEnvironment

from supportkit.errors import TemplateBudgetError
from supportkit.rendering import budget as template_budget
from supportkit.rendering.tree import plain_text, tree_nodes


@functools.cache
def _pass_markers() -> dict[Any, str]:
    """Jinja's marker of each kind of filter that takes a first argument, read off a probe."""
    def probe() -> None:
        return None

    return {getattr(decorate(probe), "jinja_pass_arg", None): name
            for name, decorate in (("context", jinja2.pass_context), ("eval_context", jinja2.pass_eval_context),
                                   ("environment", jinja2.pass_environment))}


def pass_arg(func: Any) -> str | None:
    """What ``func`` wants before its value: ``"context"``, ``"eval_context"``, ``"environment"`` or None."""
    return _pass_markers().get(getattr(func, "jinja_pass_arg", None))


_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TAG_START_RE = re.compile(r"\{[{%#]")
_SIMPLE_TAG_RE = re.compile(
    rf"\{{\{{[ \t]*(?P<value>{_NAME}(?:\.{_NAME})?)[ \t]*\}}\}}"
    rf"|\{{%[ \t]*(?:if[ \t]+(?P<negated>not[ \t]+)?(?P<test>{_NAME}(?:\.{_NAME})?)|(?P<word>else|endif))[ \t]*%\}}"
)
_LSTRIP_RE = re.compile(r"\s+")
_NOT_PLAIN_NAMES = frozenset({"true", "false", "none", "True", "False", "None", "not", "and", "or", "in", "is",
                              "if", "else", "elif", "endif"})
"""Words the parser reads as constants or operators; a text using them goes to Jinja's parser."""


def parse_simple(source: str, env: jinja2.Environment) -> jinja2.nodes.Template | None:
    """The tree Jinja's parser builds for text whose only tags are ``{{ name }}``, ``{{ name.attr }}``
    and ``{% if name %}`` (or ``{% if not name %}``) / ``{% else %}`` / ``{% endif %}``; None for anything else.

    Most replies are just that, and Jinja's lexer and parser cost about 0.4 ms a text (a fifth of
    a cold ``check`` before this). Lines, whitespace stripping before block tags (``lstrip_blocks``)
    and the trailing newline are handled as Jinja's lexer does; tests/test_checks.py compares the
    trees node by node, line numbers included, on random text.
    """
    text = plain_text(source)
    bodies: list[list[Any]] = [[]]  # the innermost body being filled is last
    open_ifs: list[tuple[Any, bool]] = []  # (If node, whether its else was met)
    pending: list[Any] = []  # data and values of the Output node being built
    pos = 0
    while True:
        start = _TAG_START_RE.search(text, pos)
        data = text[pos:] if start is None else text[pos:start.start()]
        tag = None if start is None else _SIMPLE_TAG_RE.match(text, start.start())
        if start is not None:
            if tag is None:
                return None
            if tag.group("value") is None:
                # lstrip_blocks: spaces between the line start and a block tag are dropped.
                line_start = data.rfind("\n") + 1
                if (line_start or not pos) and _LSTRIP_RE.fullmatch(data, line_start):
                    data = data[:line_start]
        if data:
            pending.append(jinja2.nodes.TemplateData(data, lineno=text.count("\n", 0, pos) + 1))
        if tag is None:
            break
        lineno = text.count("\n", 0, tag.start()) + 1
        if tag.group("value") is not None:
            value = _plain_name(tag.group("value"), lineno)
            if value is None:
                return None
            pending.append(value)
        else:
            if pending:
                bodies[-1].append(jinja2.nodes.Output(pending, lineno=pending[0].lineno))
                pending = []
            if tag.group("test") is not None:
                test = _plain_name(tag.group("test"), lineno)
                if test is None:
                    return None
                if tag.group("negated"):  # {% if not secret_found %}: most replies have one now
                    test = jinja2.nodes.Not(test, lineno=lineno)
                node = jinja2.nodes.If(test, [], [], [], lineno=lineno)
                bodies[-1].append(node)
                bodies.append(node.body)
                open_ifs.append((node, False))
            elif not open_ifs or (tag.group("word") == "else" and open_ifs[-1][1]):
                return None  # Jinja's parser reports the stray tag
            else:
                bodies.pop()
                node, _ = open_ifs.pop()
                if tag.group("word") == "else":
                    bodies.append(node.else_)
                    open_ifs.append((node, True))
        pos = tag.end()
    if open_ifs:
        return None
    if pending:
        bodies[-1].append(jinja2.nodes.Output(pending, lineno=pending[0].lineno))
    tree = jinja2.nodes.Template(bodies[0], lineno=1)
    tree.set_environment(env)
    return tree


def _plain_name(dotted: str, lineno: int) -> Any:
    """``Name`` or ``Getattr(Name)`` as the parser builds them, None for a word it reads otherwise."""
    name, _, attr = dotted.partition(".")
    if name in _NOT_PLAIN_NAMES:
        return None
    node = jinja2.nodes.Name(name, "load", lineno=lineno)
    return jinja2.nodes.Getattr(node, attr, "load", lineno=lineno) if attr else node


_SIMPLE_NODES = (jinja2.nodes.Template, jinja2.nodes.Output, jinja2.nodes.TemplateData, jinja2.nodes.If,
                 jinja2.nodes.Name, jinja2.nodes.Const, jinja2.nodes.Getattr, jinja2.nodes.Filter,
                 jinja2.nodes.Keyword, jinja2.nodes.Not, jinja2.nodes.And, jinja2.nodes.Or,
                 jinja2.nodes.Compare, jinja2.nodes.Operand)
_COMPARISONS = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gteq": operator.ge, "lt": operator.lt,
                "lteq": operator.le, "in": lambda a, b: a in b, "notin": lambda a, b: a not in b}
"""Jinja's comparison operators as its compiled code runs them (plain Python operators)."""
_SPECIAL_NAMES = frozenset({"self", "loop", "caller", "varargs", "kwargs", "super"})


def interpretable(tree: jinja2.nodes.Template, env: ImmutableSandboxedEnvironment) -> bool:
    """Whether ``interpret`` runs ``tree`` exactly as its compiled code would (remembered on the tree).

    Only the nodes below, names that are plain context lookups, filters that exist
    (an unknown one is the compiler's error to raise) and stored names nowhere.
    """
    known = getattr(tree, "_supportkit_interpretable", None)
    if known is None:
        filters = env.filters
        known = all(
            type(node) in _SIMPLE_NODES
            and not (isinstance(node, jinja2.nodes.Name) and (node.ctx != "load" or node.name in _SPECIAL_NAMES))
            and not (isinstance(node, jinja2.nodes.Filter)
                     and (node.name not in filters or node.dyn_args is not None or node.dyn_kwargs is not None))
            for node in (tree, *tree_nodes(tree))
        )
        tree._supportkit_interpretable = known  # type: ignore[attr-defined]
    return bool(known)


def interpret(tree: jinja2.nodes.Template, values: Mapping[str, Any], env: ImmutableSandboxedEnvironment) -> Iterator[str]:
    """The pieces the compiled ``tree`` would yield for ``values`` (``interpretable`` trees only)."""
    from jinja2.runtime import new_context

    context = new_context(env, None, {}, dict(values), False, env.make_globals(None), None)
    return _run(tree.body, context, env)


def _run(body: list[Any], context: Any, env: ImmutableSandboxedEnvironment) -> Iterator[str]:
    for node in body:
        if isinstance(node, jinja2.nodes.Output):
            for child in node.nodes:
                if isinstance(child, jinja2.nodes.TemplateData):
                    yield child.data
                else:
                    yield str(_value_at(child, context, env, template_budget.check_output))  # as env.finalize
        else:  # If: elif_ holds If nodes, tried in turn
            branch: list[Any] = node.else_
            for test in (node, *node.elif_):
                if _value_at(test.test, context, env):
                    branch = test.body
                    break
            yield from _run(branch, context, env)


def _value_at(node: Any, context: Any, env: ImmutableSandboxedEnvironment, finalize: Any = None) -> Any:
    """``_value`` (then ``finalize``), a budget error given the node's line (no compiled frame tells it)."""
    try:
        value = _value(node, context, env)
        return finalize(value) if finalize is not None else value
    except TemplateBudgetError as exc:
        raise exc.located(None, line=node.lineno) from None


def _value(node: Any, context: Any, env: ImmutableSandboxedEnvironment) -> Any:
    if isinstance(node, jinja2.nodes.Name):
        value = context.resolve_or_missing(node.name)
        return env.undefined(name=node.name) if value is missing else value
    if isinstance(node, jinja2.nodes.Const):
        return node.value
    if isinstance(node, jinja2.nodes.Getattr):
        return env.getattr(_value(node.node, context, env), node.attr)
    # not / and / or / comparisons compile to Python's own operators: the same values, the same
    # short-circuits (``a and b`` never evaluates b when a is false), chains compared pairwise.
    if isinstance(node, jinja2.nodes.Not):
        return not _value(node.node, context, env)
    if isinstance(node, jinja2.nodes.And):
        return _value(node.left, context, env) and _value(node.right, context, env)
    if isinstance(node, jinja2.nodes.Or):
        return _value(node.left, context, env) or _value(node.right, context, env)
    if isinstance(node, jinja2.nodes.Compare):
        left = _value(node.expr, context, env)
        result: Any = True
        for operand in node.ops:
            right = _value(operand.expr, context, env)
            result = _COMPARISONS[operand.op](left, right)
            if not result:
                return result
            left = right
        return result
    # Filter, called as the compiled code calls it: the context (or eval context, or environment) when
    # the filter asks for one, then the value, the arguments and the keywords, evaluated in that order.
    func = env.filters[node.name]
    subject = _value(node.node, context, env)
    args = [_value(arg, context, env) for arg in node.args]
    kwargs = {kw.key: _value(kw.value, context, env) for kw in node.kwargs}
    passed = pass_arg(func)
    if passed == "context":
        return func(context, subject, *args, **kwargs)
    if passed == "eval_context":
        return func(context.eval_ctx, subject, *args, **kwargs)
    if passed == "environment":
        return func(env, subject, *args, **kwargs)
    return func(subject, *args, **kwargs)
