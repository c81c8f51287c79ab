"""Writing debtors: by the rows of a checked file, or by an all-or-nothing API batch."""

from collections.abc import Sequence
from dataclasses import astuple
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError
from settle.receivables.models import Debtor
from settle.receivables.records import DebtorRecord
from settle.receivables.services.checks import DEBTOR_FIELDS, debtor_records_check
from settle.receivables.services.upserts import Progress, UpsertResult, rows_upsert


def debtors_upsert(
    *, records: Sequence[DebtorRecord], on_progress: Progress | None = None
) -> UpsertResult:
    """Create or update debtors by number; rows equal to what is stored are left alone."""
    rows = [astuple(r) for r in records]
    return rows_upsert(Debtor, DEBTOR_FIELDS, rows, on_progress)


def debtors_upsert_batch(*, items: Sequence[dict[str, Any]]) -> UpsertResult:
    """All-or-nothing upsert of an API batch: any bad item refuses the whole batch."""
    records, errors = debtor_records_check(enumerate(items))
    if errors:
        raise ApplicationError(_("The batch was refused; nothing was changed."), errors=errors)
    with transaction.atomic():
        return debtors_upsert(records=records)
