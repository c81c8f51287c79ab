"""Cursor pagination: a page ends with an opaque cursor that says where the next one starts.

Pages go by primary key, so rows created or updated while a client walks the list never make it
see a row twice or skip one that existed when it started.
"""

import base64
import binascii

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError

CURSOR_VERSION = "1"


def cursor_encode(pk: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_VERSION}:{pk}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, pk = raw.split(":")
        if version != CURSOR_VERSION or not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
            raise ValueError(raw)
        return int(pk)
    except (ValueError, binascii.Error) as exc:
        raise ApplicationError(
            _("The cursor is not valid."),
            errors=[
                FieldError(
                    field="cursor",
                    message=_("Use the next_cursor of a previous page, unchanged."),
                )
            ],
        ) from exc


def paginate(queryset: QuerySet, *, cursor: str | None, limit: int) -> dict:
    """One page of `queryset` (ordered by pk) after `cursor`, and the cursor of the next page."""
    if cursor:
        queryset = queryset.filter(pk__gt=cursor_decode(cursor))
    rows = list(queryset.order_by("pk")[: limit + 1])
    next_cursor = cursor_encode(rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": next_cursor}
