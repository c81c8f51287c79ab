"""How much work a template may make Settle do, enforced inside the Jinja2 sandbox.

The sandbox keeps a template away from the database and the settings, but not from asking for a
number of a hundred thousand digits (`{{ 10**100000 }}`) or a text of a hundred million
characters (`{{ 'x'*100000000 }}`). So every operation that can grow a value is checked BEFORE it
runs, from the sizes of its operands: `*`, `**`, `+`, `%`, `~`, the string methods and filters
that pad, repeat or join, and the result of every call. Per render, what it writes (also into
`{% set %}` blocks and macros), its loop steps and calls, and the sum of what its operations
build and read are counted, so that repeating an allowed operation cannot add up to unbounded
work either. Anything over a limit raises `LimitError`, whose reason is written in the active
language for the template's editor.
"""

import re
import types
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.utils.translation import gettext as _
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.runtime import Macro, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg
from markupsafe import soft_str

# What one render may write: an e-mail or a letter with a few hundred invoices fits easily.
MAX_OUTPUT = 512 * 1024
# The longest text, list or dict a template may build along the way.
MAX_SIZE = MAX_OUTPUT
# The most items of a list a template may build: an item costs Python far more than a character.
MAX_ITEMS = 50_000
# The largest number a template may build: far beyond any amount, far below the size at which
# arithmetic and printing a number start to cost.
MAX_DIGITS = 100
_MAX_BITS = 333  # 2**333 ≈ 10**100
# What the operations of one render may build and read, in all (a tenth of a second of work).
MAX_BUILT = 16 * MAX_SIZE
ITEM_COST = 64
# Loop steps and calls in one render (a few hundredths of a second of work).
MAX_STEPS = 100_000
MACRO_CALL_STEPS = 40

_BUDGET: ContextVar[list[int] | None] = ContextVar("settle_render_budget", default=None)
_OUTPUT = "settle_output"
_OUTPUT_LIMIT = "settle_output_limit"
_STEPS = "settle_steps"


class LimitError(SecurityError):
    """A template asked for more than a render may do; `reason` says what, for the editor."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _too_long(limit: int = MAX_SIZE) -> LimitError:
    return LimitError(
        _("this would build a text or list of more than %(limit)d characters or items.")
        % {"limit": limit}
    )


def _too_big() -> LimitError:
    return LimitError(
        _("this would build a number of more than %(digits)d digits.") % {"digits": MAX_DIGITS}
    )


def output_too_long(limit: int) -> LimitError:
    return LimitError(
        _("the text would be longer than %(limit)d characters; this part may have at most that.")
        % {"limit": limit}
    )


def _too_much_work() -> LimitError:
    return LimitError(
        _("the template repeats too much (more than %(steps)d loop steps and calls).")
        % {"steps": MAX_STEPS}
    )


# --- Sizes ------------------------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _length(value) -> int:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        return len(value)
    return 0


def checked(value):
    """`value`, if it is within the limits."""
    if _is_int(value) and value.bit_length() >= _MAX_BITS and abs(value) >= 10**MAX_DIGITS:
        raise _too_big()
    _size_check(_length(value), items=not isinstance(value, str | bytes))
    _built(_cost(value))
    return value


def _cost(value) -> int:
    # An item of a list costs Python far more than a character of a text.
    if isinstance(value, str | bytes):
        return len(value)
    return _length(value) * ITEM_COST


def _built(size: int) -> None:
    """Count `size` characters or items against what the current render may build in all."""
    budget = _BUDGET.get()
    if budget is not None and size:
        budget[0] += size
        if budget[0] > MAX_BUILT:
            raise _too_much_work()


@contextmanager
def render_budget():
    """A budget for one render of what its operations build and read, in total: each operation
    is limited by itself, and this limits how often a template may repeat a large one."""
    token = _BUDGET.set([0])
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _size_check(estimate: int, *, items: bool = False) -> None:
    limit = MAX_ITEMS if items else MAX_SIZE
    if estimate > limit:
        raise _too_long(limit)


_NUMBER_IN_FORMAT = re.compile(r"\d+")


def _format_check(pattern) -> None:
    """A format string pads to the widths written in it (`'%100000000d'`, `'{:>100000000}'`) or
    taken from its arguments (`'%*d'`), so those are refused."""
    if not isinstance(pattern, str):
        return
    if re.search(r"%[-#0 +\d.]*\*", pattern):
        raise _too_long()
    for number in _NUMBER_IN_FORMAT.findall(pattern):
        if len(number) > 7 or int(number) > MAX_SIZE:
            raise _too_long()


def _widths_check(args, kwargs) -> None:
    """A number argument of a string method or filter is a width or a count: a huge one is a
    huge result (`'x'.ljust(10**9)`, `'x'|center(10**9)`, `[1]|batch(10**9, 0)`)."""
    for value in (*args, *kwargs.values()):
        if _is_int(value) and value > MAX_SIZE:
            raise _too_long()


# --- Operators --------------------------------------------------------------------------------


def _power_check(left, right) -> None:
    growing = _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1
    if growing and (abs(left).bit_length() - 1) * right > _MAX_BITS:
        raise _too_big()


def _product_check(left, right) -> None:
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > _MAX_BITS + 1:
            raise _too_big()
        return
    for sequence, times in ((left, right), (right, left)):
        if _is_int(times) and _length(sequence):
            items = not isinstance(sequence, str | bytes)
            _size_check(_length(sequence) * times, items=items)


def _sum_check(left, right) -> None:
    if _length(left) and _length(right):
        items = not isinstance(left, str | bytes)
        _size_check(_length(left) + _length(right), items=items)


# --- String methods and filters ---------------------------------------------------------------


def _replace_estimate(text, old, new, count=-1, *_rest) -> int:
    text, old, new = str(text), str(old), str(new)
    times = len(text) + 1 if not old else len(text) // len(old)
    if _is_int(count) and count >= 0:
        times = min(times, count)
    return len(text) + times * len(new)


def _join_estimate(separator, items) -> int:
    items = items if hasattr(items, "__len__") else ()
    return len(str(separator)) * len(items) + sum(_length(item) for item in items)


def _method_check(method, args, kwargs) -> None:
    owner = getattr(method, "__self__", None)
    if not isinstance(owner, str):
        return
    _built(len(owner))
    _widths_check(args, kwargs)
    name = method.__name__
    if name == "replace" and len(args) >= 2:
        _size_check(_replace_estimate(owner, *args[:3]))
    elif name == "join" and args:
        _size_check(_join_estimate(owner, args[0]))
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        _size_check(len(owner) + owner.count("\t") * (tab if _is_int(tab) else 8))
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((_length(value) for value in args[0].values()), default=1)
        _size_check(len(owner) * max(longest, 1))
    elif name in ("format", "format_map"):
        _format_check(owner)


def _filter_check(name: str, value, args, kwargs) -> None:
    _built(_cost(value))
    if name in ("batch", "slice"):
        # They make lists of (or padded to) the size they are given.
        _size_check(max((a for a in args[:1] if _is_int(a)), default=0), items=True)
    _widths_check(args, kwargs)
    if name == "replace" and len(args) >= 2:
        _size_check(_replace_estimate(value, *args[:3]))
    elif name == "join":
        separator = args[0] if args else kwargs.get("d", "")
        _size_check(_join_estimate(separator, value))
    elif name == "indent":
        width = args[0] if args else kwargs.get("width", 4)
        width = width if _is_int(width) else len(str(width))
        _size_check(len(str(value)) + (str(value).count("\n") + 1) * width)
    elif name == "wordwrap":
        width = args[0] if args else kwargs.get("width", 79)
        wrap = args[2] if len(args) > 2 else kwargs.get("wrapstring") or "\n"
        lines = len(str(value)) // max(width if _is_int(width) else 1, 1) + 1
        _size_check(len(str(value)) + lines * len(str(wrap)))
    elif name == "format":
        _format_check(value)


def _limited_filter(name: str, function):
    passes_first = _PassArg.from_obj(function) is not None

    @wraps(function)
    def limited(*args, **kwargs):
        first = 1 if passes_first else 0
        if len(args) > first:
            value = args[first]
            if name == "join" and not hasattr(value, "__len__"):
                value = list(value)
                args = (*args[:first], value, *args[first + 1 :])
            _filter_check(name, value, args[first + 1 :], kwargs)
        return checked(function(*args, **kwargs))

    return limited


# --- The environment --------------------------------------------------------------------------


def _count(context, name: str, amount: int, limit: int, error: Callable[[], LimitError]) -> None:
    evaluation = context.eval_ctx
    total = getattr(evaluation, name, 0) + amount
    setattr(evaluation, name, total)
    if total > limit:
        raise error()


class _LimitedCodeGenerator(CodeGenerator):
    """Routes what the template writes, and every `~`, through the environment's counters."""

    def _output_const_repr(self, group) -> str:
        return f"environment.output_counted(context, {super()._output_const_repr(group)})"

    def _output_child_pre(self, node, frame, finalize) -> None:
        self.write("environment.output_counted(context, ")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.concat_checked((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("), ")
        if frame.eval_ctx.volatile:
            self.write("context.eval_ctx.autoescape")
        else:
            self.write("True" if frame.eval_ctx.autoescape else "False")
        self.write(")")


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with the limits above."""

    code_generator_class = _LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters = {name: _limited_filter(name, f) for name, f in self.filters.items()}

    def _parse(self, source, name, filename):
        # Every loop's sequence goes through `steps_counted`, so that a loop step counts.
        try:
            tree = super()._parse(source, name, filename)
        except ValueError as exc:
            # A number literal longer than Python reads (4300 digits).
            raise _too_big() from exc
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(
                nodes.EnvironmentAttribute("steps_counted"),
                [nodes.ContextReference(), loop.iter],
                [],
                None,
                None,
                lineno=loop.iter.lineno,
            )
        return tree

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            _power_check(left, right)
        elif operator == "*":
            _product_check(left, right)
        elif operator == "+":
            _sum_check(left, right)
        elif operator == "%" and isinstance(left, str):
            _format_check(left)
        try:
            return checked(super().call_binop(context, operator, left, right))
        except OverflowError as exc:
            raise _too_big() from exc

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (as the sandbox names them)
        # A macro call costs about as much as forty loop steps.
        weight = MACRO_CALL_STEPS if isinstance(__obj, Macro) else 1
        _count(__context, _STEPS, weight, MAX_STEPS, _too_much_work)
        # The sandbox hands out `str.format` wrapped in a function of its own.
        method = getattr(__obj, "__wrapped__", __obj)
        if isinstance(method, types.BuiltinMethodType):
            _method_check(method, args, kwargs)
        return checked(super().call(__context, __obj, *args, **kwargs))

    def steps_counted(self, context, iterable):
        for item in iterable:
            _count(context, _STEPS, 1, MAX_STEPS, _too_much_work)
            yield item

    def output_counted(self, context, text: str) -> str:
        limit = getattr(context.eval_ctx, _OUTPUT_LIMIT, MAX_OUTPUT)
        _count(context, _OUTPUT, len(text), limit, lambda: output_too_long(limit))
        return text

    def concat_checked(self, parts: tuple, markup: bool) -> str:
        parts = tuple(soft_str(part) for part in parts)
        size = sum(len(part) for part in parts)
        _size_check(size)
        _built(size)
        return markup_join(parts) if markup else str_join(parts)


def output_limit_set(context, limit: int) -> None:
    """Give one render (its Jinja context) a tighter output limit than MAX_OUTPUT."""
    setattr(context.eval_ctx, _OUTPUT_LIMIT, limit)
