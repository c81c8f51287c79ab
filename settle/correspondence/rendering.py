"""Rendering administrator-written templates, sandboxed, and checking them before they are saved.

Templates are Jinja2 in an immutable sandbox with no globals, no loader and strict undefined
values: a template sees only the plain strings, lists and dicts it is given (no model objects,
so no attribute path leads to the database or settings), cannot include another file, and a
misspelt variable fails loudly instead of printing nothing.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2 import meta as jinja_meta
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATE_NAME = "<template>"


def _environment(*, autoescape: bool) -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
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
    source: str, *, part: str, html: bool, allowed: frozenset[str], sample: dict
) -> list[Problem]:
    """Everything that keeps `source` from rendering: syntax, unknown variables, and failures
    of a render with sample values (e.g. an attribute an invoice does not have)."""
    environment = HTML if html else TEXT
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError as exc:
        return [Problem(part, exc.lineno, exc.message or _("syntax error"))]
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
        environment.from_string(source).render(sample)
    except (UndefinedError, SecurityError, TemplateError, ArithmeticError, TypeError) as exc:
        return [Problem(part, _error_line(exc), _render_reason(exc))]
    return []


def template_render(compiled, context: dict) -> str:
    return compiled.render(context).strip()


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


def _render_reason(exc: BaseException) -> str:
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
