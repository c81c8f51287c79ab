"""pydantic's own validation messages in the client's language.

pydantic writes its messages ("Field required", "Input should be ...") in English only. Those the
API's inputs can produce are written here through gettext, so that a client that asks for Dutch
reads every message in Dutch; any other keeps pydantic's English text.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _


def _required(ctx: dict) -> str:
    return _("This field is required.")


def _string(ctx: dict) -> str:
    return _("Must be a string.")


def _too_long(ctx: dict) -> str:
    return _("At most %(max)d characters.") % {"max": ctx["max_length"]}


def _choice(ctx: dict) -> str:
    # pydantic lists the choices as "'a', 'b' or 'c'", with an English "or".
    choices = ctx["expected"].replace(" or ", ", ")
    return _("Must be one of: %(choices)s.") % {"choices": choices}


def _object(ctx: dict) -> str:
    return _("Must be an object.")


def _boolean(ctx: dict) -> str:
    return _("Must be true or false.")


def _whole_number(ctx: dict) -> str:
    return _("Must be a whole number.")


def _at_least(ctx: dict) -> str:
    return _("Must be at least %(min)s.") % {"min": ctx["ge"]}


def _at_most(ctx: dict) -> str:
    return _("Must be at most %(max)s.") % {"max": ctx["le"]}


def _list(ctx: dict) -> str:
    return _("Must be a list.")


def _too_many(ctx: dict) -> str:
    return _("At most %(max)d items.") % {"max": ctx["max_length"]}


MESSAGES: dict[str, Callable[[dict], str]] = {
    "missing": _required,
    "string_type": _string,
    "string_too_long": _too_long,
    "literal_error": _choice,
    "enum": _choice,
    "model_type": _object,
    "model_attributes_type": _object,
    "dict_type": _object,
    "bool_type": _boolean,
    "bool_parsing": _boolean,
    "int_type": _whole_number,
    "int_parsing": _whole_number,
    "int_from_float": _whole_number,
    "greater_than_equal": _at_least,
    "less_than_equal": _at_most,
    "list_type": _list,
}


def pydantic_message(error: dict[str, Any]) -> str:
    """The message of one pydantic error, translated where we know its type."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "too_long" and "max_length" in ctx:
        return _too_many(ctx)
    message = MESSAGES.get(kind)
    try:
        return message(ctx) if message else error.get("msg", "")
    except (KeyError, TypeError):
        # A context without the expected value: pydantic's own text still says what is wrong.
        return error.get("msg", "")
