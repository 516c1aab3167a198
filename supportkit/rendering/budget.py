"""The budget every template render runs under: steps, value size, integer size.

Jinja's sandbox stops a template from reaching Python internals, not from working forever or
building a gigabyte: ``{% for %}`` loops nest, a macro can call itself twice at every level,
``((2**4096)**4096)**4096`` computes for hours, and ``"%0999999999d" % 1``, ``"x".ljust(10**9)``
or chained ``replace`` allocate a gigabyte before the output cap sees a character. Here each
such operation is checked against the render's :class:`Budget` *before* it runs:

- **steps**: every loop turn, every call (macros, ``caller()``, methods, ``range``) and every
  filter costs one step, plus one per ``CHARS_PER_STEP`` characters a string operation reads
  or writes; past ``MAX_STEPS`` the render stops.
- **value size**: no string, list, tuple or dict a template builds (``*``, ``+``, ``~``, ``%``,
  ``.format``, string methods, ``join``/``replace``, literals, ``{% set %}`` blocks, macro
  output) may hold more than ``MAX_VALUE_CHARS`` characters once printed; the size is worked
  out from the operands (a list's from its items, shared items once), not by building it.
- **integer size**: no ``*`` or ``**`` may make an integer of more than ``MAX_INT_BITS`` bits.

Exceeding any of them raises :class:`supportkit.errors.TemplateBudgetError`: ``check`` reports
it as a finding, every other command as an error. The hooks are the sandbox's own
(``call_binop``, ``call``, ``wrap_str_format``, ``finalize``, ``concat``, the filters and tests)
plus a code generator that routes loops, ``~``, comparisons, slices and literals through
:func:`current`'s budget; the fast rendering path in :mod:`supportkit.rendering` uses the same
filters and output check.

Every limit is far above what a bundled reply uses (no bundled text has a loop, a macro or
arithmetic: a render takes at most one step, a ``plural``; the longest renders 2,280 characters),
so they change no output; they are small enough that a render which spends all of them takes
milliseconds, which keeps ``check`` on a library of the bundled size (about 650 renders) within
seconds whatever the templates hold (``scripts/bench_template_budgets.py`` measures it).
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import LoopContext, Macro, markup_join, str_join
from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter

from supportkit.errors import N_, TemplateBudgetError

MAX_STEPS = 5_000
"""Steps one render may take; a step is about a microsecond of work. A reply is a few hundred
words: a loop over the items of a value, a macro per paragraph; 5,000 is fifty times what that
needs (a bundled reply takes one step at most), and spent in full it costs about 5 ms, so
``for i in range(100000)`` nested twice (10**10 turns) or a macro calling itself twice 60 deep
(2**60 calls) stop at once."""

CHARS_PER_STEP = 250
"""Characters an operation (filter, test, comparison, slice, method, ``+``, ``~``, ``%``) may read
or write per step (a list's items counted by their printed size): what a loop turn costs, so a loop
that reworks a long value each turn runs out of steps as fast as one that does nothing."""

ITEMS_PER_STEP = 8
"""Items a filter may go through per step (``join``, ``list``, ``length``...): each item is a Python
call or two. ``sort`` calls a key function per item and compares, so it costs a step per item."""

MACRO_CALL_STEPS = 25
"""Steps a call to a macro or ``caller()`` costs: each builds a frame, its arguments and a buffer,
about 12 microseconds, twenty-five loop turns."""

MAX_VALUE_CHARS = 100_000
"""Characters any one value a template builds may print as: five times the output cap
(``rendering.MAX_OUTPUT_CHARS``, 20,000), so a text may be built and then cut, yet ``"x".ljust(10**9)``,
``"%0999999999d" % 1`` or ten chained ``replace`` calls stop before allocating anything."""

MAX_INT_BITS = 4096
"""Bits an integer a template computes may hold (about 1,233 decimal digits). A reply shows amounts
of a few dozen digits at most; 4096 keeps ``2 ** 4096`` (allowed before the budgets) and stops
``(2 ** 4096) ** 4096``, which would take minutes and a gigabyte."""

MAX_NUMBER_DIGITS = 1_000
"""Digits a number given to ``number``/``amount``/``percent``/``plural`` may spell out: ``1e999999999``
is a short text that Babel would print as a billion zeros. Wei amounts have about 30 digits."""

HINT = N_("Keep loops, repetition and numbers to what a reply needs; the limits are in supportkit/template_budget.py.")


class Budget:
    """What one render may still spend; made fresh for each render by :func:`budgeted`."""

    __slots__ = ("steps", "_weights")

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self._weights: dict[int, tuple[Any, int]] = {}  # id -> (the container, kept alive; its weight)

    def step(self, count: int = 1) -> None:
        """Spend ``count`` steps; past the budget the render stops."""
        self.steps -= count
        if self.steps < 0:
            raise TemplateBudgetError(N_("the template ran more than {limit} steps (loop turns, calls, filters)"),
                                      None, HINT, limit=MAX_STEPS)

    def spend_chars(self, chars: int) -> None:
        """Steps for an operation over ``chars`` characters."""
        if chars >= CHARS_PER_STEP:
            self.step(chars // CHARS_PER_STEP)

    def spend_on(self, value: Any) -> Any:
        """Steps for reading ``value`` whole (a comparison, a test, a slice); returns it."""
        if isinstance(value, str):
            if len(value) >= CHARS_PER_STEP:
                self.step(len(value) // CHARS_PER_STEP)
        elif isinstance(value, (list, tuple, dict, set, frozenset, bytes, bytearray)):
            self.spend_chars(self.weight(value))
        return value

    def weight(self, value: Any) -> int:
        """About ``len(str(value))``, worked out without building it: an item that several containers share
        counts each time it would be printed, but its own weight is worked out once per render."""
        if isinstance(value, str):
            return len(value)
        if isinstance(value, bool) or value is None:
            return 5
        if isinstance(value, int):
            return value.bit_length() * 302 // 1000 + 2  # digits: log10(2) < 0.302
        if isinstance(value, float):
            return 24
        if isinstance(value, (bytes, bytearray)):
            return 4 * len(value) + 3  # repr escapes a byte as \xNN
        if isinstance(value, (list, tuple, dict, set, frozenset)):
            known = self._weights.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            items: Iterable[Any] = (
                (x for pair in value.items() for x in pair) if isinstance(value, dict) else value)
            total = 2
            for item in items:
                total += self.weight(item) + 2
            self._weights[id(value)] = (value, total)
            return total
        if isinstance(value, range):
            return 40
        return 100  # brand, loop, macro, Undefined, Decimal...: short when printed

    def check_chars(self, chars: int, what: str) -> None:
        """Refuse a value of ``chars`` characters before it is built; spend steps for building it."""
        if chars > MAX_VALUE_CHARS:
            raise TemplateBudgetError(N_("{operation} makes about {chars} characters, more than the {limit} "
                                         "a template may build"), None, HINT, operation=what, chars=chars,
                                      limit=MAX_VALUE_CHARS)
        self.spend_chars(chars)


_ACTIVE: ContextVar[Budget | None] = ContextVar("supportkit_template_budget", default=None)


def current() -> Budget:
    """The budget of the render under way (a fresh one outside any, so a hook never runs unchecked)."""
    budget = _ACTIVE.get()
    return budget if budget is not None else Budget()


@contextlib.contextmanager
def budgeted() -> Iterator[Budget]:
    """Run the block (a whole render, generator consumed inside) under a fresh budget."""
    budget = Budget()
    token = _ACTIVE.set(budget)
    try:
        yield budget
    finally:
        _ACTIVE.reset(token)


# --- operators -------------------------------------------------------------------------


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left <operator> right`` when its result is over budget (``*``, ``**``, ``+``, ``%``)."""
    budget = current()
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, bytes, list, tuple)) and isinstance(count, int) and count > 0:
                budget.check_chars(budget.weight(sequence) * count, f"repeating a sequence {count} times")
                return
        if isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() + right.bit_length(), f"{_short(left)} * {_short(right)}")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            bits = right * math.log2(abs(left)) if right.bit_length() <= 64 else 2.0**64  # no float overflow
            _check_bits(bits, f"{_short(left)} ** {_short(right)}")
    elif operator == "+":
        if isinstance(left, (str, bytes, list, tuple)) and isinstance(right, (str, bytes, list, tuple)):
            budget.check_chars(budget.weight(left) + budget.weight(right), "joining two values with +")
    elif operator == "%" and isinstance(left, (str, bytes)):
        budget.check_chars(_percent_format_size(left, right, budget), "a % format")


def _check_bits(bits: float, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise TemplateBudgetError(N_("{operation} makes a number of about {bits} bits, more than the {limit} "
                                     "a template may compute"), None, HINT, operation=what, bits=int(bits),
                                  limit=MAX_INT_BITS)


def _short(number: int) -> str:
    return str(number) if number.bit_length() <= 64 else f"a {number.bit_length()}-bit number"


_PERCENT_SPEC_RE = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?"
                              r"[hlL]?(?P<kind>.)", re.DOTALL)


def _percent_format_size(template: str | bytes, args: Any, budget: Budget) -> int:
    """An upper bound of ``len(template % args)``: the text, every width and precision (``*`` read from
    the arguments, as Python reads them) and the printed arguments."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    positional = list(args) if isinstance(args, tuple) else [args]
    index = 0
    size = len(text) + budget.weight(args)
    for spec in _PERCENT_SPEC_RE.finditer(text):
        if spec.group("kind") == "%":
            continue
        for part in ("width", "precision"):
            given = spec.group(part)
            if given == "*":
                star = positional[index] if index < len(positional) else 0
                index += 1
                size += abs(star) if isinstance(star, int) else 0
            elif given:
                size += int(given)
        if spec.group("key") is None:
            index += 1
    return size


# --- calls -------------------------------------------------------------------------------


def check_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
    """Spend a step on a call and refuse a string method whose result is over budget (before it runs).

    Returns the arguments to call with: a ``join`` argument is read once into a list, and a
    recursive ``loop(...)`` iterates through the budget like the loop itself.
    """
    budget = current()
    budget.step(MACRO_CALL_STEPS if isinstance(obj, Macro) else 1)
    if isinstance(obj, LoopContext) and args:  # loop(children) in a recursive for
        budget.step(MACRO_CALL_STEPS)
        return (budget_iter(args[0]), *args[1:])
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, (str, bytes, bytearray)):
        budget.spend_chars(len(owner))
        size = _string_method_size(owner, name, args, kwargs, budget)
        if size is not None:
            if name == "join" and args:
                args = (list(args[0]), *args[1:])
                budget.step(len(args[0]) // ITEMS_PER_STEP)
                size = _join_size(args[0], len(owner), budget)
            budget.check_chars(size, f"{type(owner).__name__}.{name}()")
    elif isinstance(owner, int) and name == "to_bytes":
        length = args[0] if args else kwargs.get("length", 1)
        if isinstance(length, int):
            budget.check_chars(length, "int.to_bytes()")
    elif isinstance(owner, (int, type)) and name == "from_bytes" and args and isinstance(args[0], (bytes, bytearray)):
        _check_bits(8 * len(args[0]), "int.from_bytes()")
    return args


def _string_method_size(owner: str | bytes | bytearray, name: str, args: tuple[Any, ...],
                        kwargs: Mapping[str, Any], budget: Budget) -> int | None:
    """An upper bound of the length a growing string method returns; None for the others (at most
    a few times their input: ``upper``, ``split``, ``encode``...)."""
    size = len(owner)
    if name in ("center", "ljust", "rjust", "zfill"):
        width = args[0] if args else kwargs.get("width", 0)
        return max(size, width) if isinstance(width, int) else size
    if name == "expandtabs":
        tabsize = args[0] if args else kwargs.get("tabsize", 8)
        tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
        return size + tabs * max(tabsize, 0) if isinstance(tabsize, int) else size
    if name == "replace" and len(args) >= 2:
        return _replace_size(owner, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count", -1))
    if name == "join":
        return 0  # worked out from the items once they are read
    if name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((budget.weight(v) for v in args[0].values()), default=1)
        return size * max(longest, 1)
    return None


def _replace_size(text: Any, old: Any, new: Any, count: Any) -> int:
    kind = str if isinstance(text, str) else (bytes, bytearray)  # Markup is a str
    if not isinstance(text, (str, bytes, bytearray)):
        return 0
    if not isinstance(old, kind) or not isinstance(new, kind):
        return len(text)  # replace() raises TypeError
    counted: Any = text
    found = counted.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _join_size(items: list[Any], separator: int, budget: Budget) -> int:
    return sum(budget.weight(item) for item in items) + separator * max(len(items) - 1, 0)


# --- str.format ------------------------------------------------------------------------

_SPEC_NUMBER_RE = re.compile(r"\d+")


class _CountingFormat:
    """``format_field`` that refuses a field, or the whole text, past the budget before formatting it."""

    _total = 0

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is not None:  # !r, !s, !a print the value before format_field sees it
            budget = current()
            budget.check_chars(self._total + budget.weight(value), "str.format()")
        return super().convert_field(value, conversion)  # type: ignore[misc]

    def format_field(self, value: Any, format_spec: str) -> Any:
        budget = current()
        padding = sum(int(n) for n in _SPEC_NUMBER_RE.findall(format_spec)) if format_spec else 0
        self._total += budget.weight(value) + padding
        budget.check_chars(self._total, "str.format()")
        return super().format_field(value, format_spec)  # type: ignore[misc]


class BudgetFormatter(_CountingFormat, SandboxedFormatter):
    """The sandbox's formatter, under the budget."""


class BudgetEscapeFormatter(_CountingFormat, SandboxedEscapeFormatter):
    """The sandbox's formatter for ``Markup.format``, under the budget."""


# --- filters ---------------------------------------------------------------------------


def budgeted_filter(name: str, func: Callable[..., Any], passes_context: bool) -> Callable[..., Any]:
    """``func`` spending steps per call for its input (see ``CHARS_PER_STEP``, ``ITEMS_PER_STEP``);
    ``join`` and ``replace`` refused before they build a value over budget. Used for tests too.
    Keeps ``func``'s pass-context marker."""
    first = 1 if passes_context else 0

    def run(*args: Any, **kwargs: Any) -> Any:
        budget = current()
        budget.step()
        value = args[first] if len(args) > first else None
        for arg in args[first:]:
            budget.spend_on(arg)
        if isinstance(value, (list, tuple, dict, set, frozenset, range)):
            budget.step(len(value) if name == "sort" else len(value) // ITEMS_PER_STEP)
        if name == "join" and value is not None:
            items = list(value)
            budget.step(len(items) // ITEMS_PER_STEP)
            args = (*args[:first], items, *args[first + 1:])
            separator = args[first + 1] if len(args) > first + 1 else kwargs.get("d", "")
            budget.check_chars(_join_size(items, budget.weight(separator), budget), "the join filter")
        elif name == "replace" and len(args) >= first + 3:
            count = args[first + 3] if len(args) > first + 3 else kwargs.get("count")
            budget.check_chars(_replace_size(str(value), str(args[first + 1]), str(args[first + 2]), count),
                               "the replace filter")
        return func(*args, **kwargs)

    run.__name__ = getattr(func, "__name__", name)
    run.__doc__ = func.__doc__
    if hasattr(func, "jinja_pass_arg"):
        run.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return run


def check_number_digits(number: Any) -> None:
    """Refuse a Decimal that would print as more than ``MAX_NUMBER_DIGITS`` digits."""
    if not number.is_finite():
        return
    digits = max(len(number.as_tuple().digits), abs(number.adjusted()) + 1, -number.as_tuple().exponent)
    if digits > MAX_NUMBER_DIGITS:
        raise TemplateBudgetError(N_("a number of {digits} digits is longer than the {limit} "
                                     "a template may print"), None, HINT, digits=digits, limit=MAX_NUMBER_DIGITS)


# --- output, loops, concatenation, literals --------------------------------------------


def check_output(value: Any) -> Any:
    """The environment's ``finalize``: a value printed by ``{{ }}`` is sized before ``str()`` runs."""
    if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
        budget = current()
        budget.check_chars(budget.weight(value), "printing a value")
    return value


def budget_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    """``iterable``, one step per item: what every ``{% for %}`` loops over."""
    budget = current()
    for item in iterable:
        budget.step()
        yield item


def budget_concat(values: tuple[Any, ...], markup: bool) -> str:
    """``a ~ b ~ c`` as Jinja's ``str_join``/``markup_join``, sized first."""
    budget = current()
    budget.check_chars(sum(budget.weight(v) for v in values), "joining values with ~")
    return markup_join(values) if markup else str_join(values)


def budget_buffer(pieces: Iterable[str]) -> str:
    """The environment's ``concat``: the output of a macro, ``caller()``, ``{% set %}`` or
    ``{% filter %}`` block, joined only when its size fits."""
    budget = current()
    pieces = pieces if isinstance(pieces, list) else list(pieces)
    budget.check_chars(sum(len(piece) for piece in pieces), "the output of a block or macro")
    return "".join(pieces)


def budget_operand(value: Any) -> Any:
    """An operand of a comparison (``==``, ``in``, ``<``...), paid for by its size; returned as is."""
    return current().spend_on(value)


def budget_literal(value: Any) -> Any:
    """A list, tuple or dict literal, refused when its items (nested literals of shared items) print too long."""
    budget = current()
    budget.check_chars(budget.weight(value), "a list or dict literal")
    return value


class BudgetCodeGenerator(CodeGenerator):
    """Jinja's code generator, routing loops, ``~``, literals and captured output through the budget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Expressions to write inside a call to an environment hook, by id: Jinja allows no
        # custom node type, so a loop's iterable or a comparison's operand is known by identity.
        self._wrapped: dict[int, str] = {}

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        hook = self._wrapped.get(id(node))
        if hook is None:
            return super().visit(node, *args, **kwargs)
        self.write(f"environment.{hook}(")
        super().visit(node, *args, **kwargs)
        self.write(")")
        return None

    def _visit_wrapping(self, visit: Callable[[Any, Frame], None], node: nodes.Node, frame: Frame,
                        wrapped: dict[int, str]) -> None:
        self._wrapped.update(wrapped)
        try:
            visit(node, frame)
        finally:
            for key in wrapped:
                self._wrapped.pop(key, None)

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._visit_wrapping(super().visit_For, node, frame, {id(node.iter): "budget_iter"})

    @optimizeconst
    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        # A slice is written as Python's own subscript (no environment.getitem): it copies, so it is paid for.
        wrapped = {id(node.node): "budget_operand"} if isinstance(node.arg, nodes.Slice) else {}
        self._visit_wrapping(super().visit_Getitem, node, frame, wrapped)

    @optimizeconst
    def visit_Compare(self, node: nodes.Compare, frame: Frame) -> None:
        operands = [node.expr, *(op.expr for op in node.ops)]
        self._visit_wrapping(super().visit_Compare, node, frame, {id(o): "budget_operand" for o in operands})

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            markup = "context.eval_ctx.volatile"  # as Jinja's own visit_Concat chooses
        else:
            markup = "True" if frame.eval_ctx.autoescape else "False"
        self.write("environment.budget_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(f"), {markup})")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._literal(super().visit_List, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # a loop or set target, not a value
            super().visit_Tuple(node, frame)
        else:
            self._literal(super().visit_Tuple, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._literal(super().visit_Dict, node, frame)

    def _literal(self, write: Callable[[Any, Frame], None], node: nodes.Node, frame: Frame) -> None:
        self.write("environment.budget_literal(")
        write(node, frame)
        self.write(")")


