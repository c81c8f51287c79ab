"""Cursor pagination: a page ends with an opaque cursor that says where the next one starts.

Pages go by primary key, so rows created or updated while a client walks the list never make it
see a row twice or skip one that existed when it started.
"""

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError

# "v1." and the last row's key: opaque to clients, which pass it back unchanged, yet a shape the
# OpenAPI document can state exactly, so that every cursor it allows is one the server reads.
# The version lets a later format be told apart. Empty means the first page, like no cursor.
CURSOR_PREFIX = "v1."
CURSOR_PATTERN = r"^(v1\.[0-9]{1,18})?$"
CURSOR_RE = re.compile(CURSOR_PATTERN)


def cursor_encode(pk: int) -> str:
    return f"{CURSOR_PREFIX}{pk}"


def cursor_decode(cursor: str) -> int | None:
    """The key after which the page starts; None for the first page."""
    if not CURSOR_RE.fullmatch(cursor):
        raise ApplicationError(
            _("The cursor is not valid."),
            errors=[
                FieldError(
                    field="cursor",
                    message=_("Use the next_cursor of a previous page, unchanged."),
                )
            ],
        )
    return int(cursor.removeprefix(CURSOR_PREFIX)) if cursor else None


def paginate(queryset: QuerySet, *, cursor: str | None, limit: int) -> dict:
    """One page of `queryset` (ordered by pk) after `cursor`, and the cursor of the next page."""
    after = cursor_decode(cursor) if cursor is not None else None
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: limit + 1])
    next_cursor = cursor_encode(rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": next_cursor}
