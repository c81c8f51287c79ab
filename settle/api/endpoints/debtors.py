from django.http import HttpRequest
from ninja import Query, Router

from settle.api import selectors
from settle.api.bodies import DEBTOR_SHAPE, batch_items, refuse_bad_shapes
from settle.api.openapi import batch_body
from settle.api.pagination import paginate
from settle.api.schemas import DebtorIn, DebtorPage, ErrorOut, PageParams, UpsertOut
from settle.receivables.services.checks import debtor_records_check
from settle.receivables.services.debtors import debtors_upsert_batch

router = Router(tags=["debtors"])


@router.put(
    "",
    response={200: UpsertOut, 401: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Create or update debtors",
    openapi_extra=batch_body(DebtorIn),
)
def debtors_put(request: HttpRequest):
    """Upsert up to 1,000 debtors by `number`.

    All or nothing: if any item is invalid, nothing changes and the 422 answer lists every
    problem as (index, field, message). Sending the same batch again reports every item unchanged.
    """
    items = batch_items(request)
    refuse_bad_shapes(items, DEBTOR_SHAPE, debtor_records_check)
    return debtors_upsert_batch(items=items)


@router.get("", response={200: DebtorPage, 401: ErrorOut, 422: ErrorOut}, summary="List debtors")
def debtors_get(request: HttpRequest, page: Query[PageParams]):
    """All debtors, a page at a time; follow `next_cursor` until it is null."""
    return paginate(selectors.debtor_list(), cursor=page.cursor, limit=page.limit)
