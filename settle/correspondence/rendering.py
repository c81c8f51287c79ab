"""Rendering administrator-written templates, sandboxed, and checking them before they are saved.

Templates are Jinja2 in an immutable sandbox with no globals, no loader and strict undefined
values: a template sees only the plain strings, lists and dicts it is given (no model objects,
so no attribute path leads to the database or settings), cannot include another file, and a
misspelt variable fails loudly instead of printing nothing. The sandbox of `limits.py` bounds
the work a render may do and the length of what it writes.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2 import meta as jinja_meta
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError

from settle.correspondence.limits import (
    MAX_OUTPUT,
    LimitedEnvironment,
    LimitError,
    output_limit_set,
    render_budget,
)
from settle.correspondence.models import Channel

TEMPLATE_NAME = "<template>"
# How long a rendered part may be. An SMS has its own, much tighter check of its parts (eight
# at most); this limit only stops the render long before that check would refuse it anyway.
SUBJECT_OUTPUT = 1_000
SMS_OUTPUT = 16_000


def output_limit(*, channel: str, part: str) -> int:
    """The most characters one part of a template on `channel` may render to."""
    if part == "subject":
        return SUBJECT_OUTPUT
    if channel == Channel.SMS:
        return SMS_OUTPUT
    return MAX_OUTPUT


def _environment(*, autoescape: bool) -> LimitedEnvironment:
    environment = LimitedEnvironment(
        undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=False
    )
    # Nothing but the variables: no range/lipsum/dict/namespace helpers, and no loader, so
    # {% include %} and {% import %} have nothing to reach.
    environment.globals.clear()
    return environment


TEXT = _environment(autoescape=False)
HTML = _environment(autoescape=True)


@dataclass(frozen=True)
class Problem:
    """What is wrong with a template part, for the editor: which part, which line, why."""

    part: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return self.reason
        return _("Line %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}


@lru_cache(maxsize=512)
def template_compile(source: str, *, html: bool):
    """The compiled template, kept by its text: compiling costs far more than rendering, and a
    run of messages uses the same few templates. A changed template is new text, so it is
    compiled anew; a compiled template holds no state between renders."""
    environment = HTML if html else TEXT
    return environment.from_string(source)


def template_problems(
    source: str,
    *,
    part: str,
    html: bool,
    allowed: frozenset[str],
    sample: dict,
    limit: int = MAX_OUTPUT,
) -> list[Problem]:
    """Everything that keeps `source` from rendering: syntax, unknown variables, and failures
    of a render with sample values (e.g. an attribute an invoice does not have, or a limit on
    the work a template may do or the length of what it writes)."""
    environment = HTML if html else TEXT
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError as exc:
        return [Problem(part, exc.lineno, exc.message or _("syntax error"))]
    except LimitError as exc:
        return [Problem(part, None, exc.reason)]
    problems = []
    unknown = jinja_meta.find_undeclared_variables(tree) - allowed
    for name in sorted(unknown, key=lambda name: _first_line(tree, name)):
        problems.append(
            Problem(
                part,
                _first_line(tree, name),
                _("unknown variable “%(name)s”.") % {"name": name},
            )
        )
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        problems.append(Problem(part, node.lineno, _("templates cannot include other files.")))
    if problems:
        return problems
    try:
        template_render(environment.from_string(source), sample, limit=limit)
    except RENDER_ERRORS as exc:
        return [Problem(part, _error_line(exc), render_reason(exc))]
    return []


# What a render of a checked template can still raise: with other values than the sample's, a
# limit can be reached (more invoices) or a value can be missing.
RENDER_ERRORS = (
    UndefinedError,
    SecurityError,
    TemplateError,
    ArithmeticError,
    TypeError,
    ValueError,
    RecursionError,
)


def template_render(compiled, context: dict, *, limit: int = MAX_OUTPUT) -> str:
    """The rendered text, stripped; LimitError once it would pass `limit` characters."""
    jinja_context = compiled.new_context(dict(context))
    output_limit_set(jinja_context, limit)
    try:
        with render_budget():
            return compiled.environment.concat(compiled.root_render_func(jinja_context)).strip()
    except Exception:  # noqa: BLE001 (re-raised, with the template's own line numbers)
        compiled.environment.handle_exception()


def _first_line(tree, name: str) -> int:
    lines = [node.lineno for node in tree.find_all(nodes.Name) if node.name == name]
    return min(lines) if lines else 1


def _error_line(exc: BaseException) -> int | None:
    # Jinja rewrites tracebacks so that frames of the template carry its own line numbers.
    line = None
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def render_reason(exc: BaseException) -> str:
    if isinstance(exc, LimitError):
        return exc.reason
    if isinstance(exc, RecursionError):
        return _("the template calls itself too deeply.")
    if isinstance(exc, UndefinedError):
        missing = re.search(r"has no attribute '([^']*)'", str(exc)) or re.search(
            r"'([^']*)' is undefined", str(exc)
        )
        if missing:
            return _("“%(name)s” does not exist here.") % {"name": missing.group(1)}
        return _("a value used here does not exist.")
    if isinstance(exc, SecurityError):
        return _("this is not allowed in a template.")
    return _("the template cannot be rendered (%(error)s).") % {"error": exc}
