"""Reading the JSON bodies of batch requests.

The batch endpoints read the body themselves instead of through a schema, so that one bad item
never hides another: the shape of every item is checked here, its content by the receivables
services, and the answer lists every problem of every item at once.
"""

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError

MAX_BATCH = 1000

_TEXT = (str,)
_BOOL = (bool,)
# A decimal string. Checked here as well because the record parser cannot yet cope with
# exponents such as "1e400" (reported); what passes is checked in full by the parser.
_MONEY = re.compile(r"^\s*[-+]?\d{1,15}(\.\d{1,15})?\s*$")
# The JSON type each known field must have (or null); unknown fields are ignored.
DEBTOR_SHAPE: dict[str, Any] = {
    "number": _TEXT,
    "name": _TEXT,
    "language": _TEXT,
    "email": _TEXT,
    "mobile": _TEXT,
    "address": {"street": _TEXT, "postal_code": _TEXT, "city": _TEXT, "country": _TEXT},
    "payment_method": _TEXT,
    "delivery_method": _TEXT,
    "active": _BOOL,
    "kind": _TEXT,
}
INVOICE_SHAPE: dict[str, Any] = {
    "number": _TEXT,
    "debtor_number": _TEXT,
    "issue_date": _TEXT,
    "due_date": _TEXT,
    "amount": _MONEY,
    "open_amount": _MONEY,
    "currency": _TEXT,
    "payment_reference": _TEXT,
    "collection_status": _TEXT,
}

Check = Callable[[Iterable[tuple[int, dict[str, Any]]]], tuple[list, list[FieldError]]]


def json_body(request: HttpRequest) -> Any:
    """The request body as JSON, or an ApplicationError saying what is wrong with it."""
    raw = request.body
    if not raw.strip():
        raise ApplicationError(_("The request body is empty; send JSON."))
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ApplicationError(
            _("The request body is not valid JSON: %(error)s") % {"error": exc}
        ) from exc


def batch_items(request: HttpRequest) -> list[Any]:
    """The body as a list of at most MAX_BATCH items (each still to be checked)."""
    data = json_body(request)
    if not isinstance(data, list):
        raise ApplicationError(_("The request body must be a JSON list of items."))
    if len(data) > MAX_BATCH:
        raise ApplicationError(
            _(
                "A batch holds at most %(max)d items; this one has %(count)d. "
                "Send it in several batches."
            )
            % {"max": MAX_BATCH, "count": len(data)}
        )
    return data


def _problem(value: Any, expected: Any) -> str | None:
    """What is wrong with the JSON type of one field's value, if anything."""
    if expected is _BOOL:
        return None if isinstance(value, bool) else _("Must be true or false.")
    if not isinstance(value, str):
        if expected is _MONEY:
            return _('Send amounts as decimal strings, e.g. "125.50".')
        return _("Must be a string.")
    if "\x00" in value:
        # PostgreSQL cannot store a NUL character; refuse it here rather than fail there.
        return _("Must not contain NUL characters.")
    if expected is _MONEY and not _MONEY.match(value):
        return _('Not a valid amount; send a decimal string, e.g. "125.50".')
    return None


def _shape_errors(value: dict, shape: dict[str, Any], *, index: int, prefix: str = ""):
    for name, expected in shape.items():
        field_value = value.get(name)
        if field_value is None:
            continue
        if isinstance(expected, dict):
            if isinstance(field_value, dict):
                yield from _shape_errors(field_value, expected, index=index, prefix=f"{name}.")
            else:
                yield FieldError(index=index, field=prefix + name, message=_("Must be an object."))
            continue
        problem = _problem(field_value, expected)
        if problem:
            yield FieldError(index=index, field=prefix + name, message=problem)


def item_shape_errors(items: list[Any], shape: dict[str, Any]) -> list[FieldError]:
    """One error per item that is not an object and per field of the wrong JSON type."""
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            errors.extend(_shape_errors(item, shape, index=index))
        else:
            errors.append(FieldError(index=index, field="", message=_("Must be an object.")))
    return errors


def refuse_bad_shapes(items: list[Any], shape: dict[str, Any], check: Check) -> None:
    """Refuse the batch if any item has the wrong shape, listing those errors together with
    the content errors of the remaining items, so that the client can fix everything at once."""
    errors = item_shape_errors(items, shape)
    if not errors:
        return
    bad = {error.index for error in errors}
    _records, content_errors = check((i, item) for i, item in enumerate(items) if i not in bad)
    raise ApplicationError(
        _("The batch was refused; nothing was changed."),
        errors=sorted([*errors, *content_errors], key=lambda e: e.index),
    )
