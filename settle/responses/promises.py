"""Promises to pay: the window a promised date must fall in, the promise made from a response,
and its check at the promised date plus the grace days.

A check is a `PaymentPromise` row with a due time; the worker claims due ones in batches
(`promises_process_due`). Every outcome — the state, the response closed, the task, the message
— is written in one transaction that first locks the promises it settles and skips any that are
no longer pending or no longer leased by this worker. So each promise is settled exactly once,
whether two workers run, a worker dies halfway (the batch rolls back and is claimed again once
its lease runs out) or a payment keeps the promise at the same moment (`promises_keep`).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from settle.common.claims import DEFAULT_LEASE, claim_due
from settle.common.dates import check_time, iso_date
from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel
from settle.correspondence.notifications import message_notify
from settle.receivables.models import ZERO, Debtor, Invoice
from settle.responses.closing import responses_close
from settle.responses.models import (
    OnBroken,
    PaymentPromise,
    PromiseState,
    Response,
    ResponseState,
    ResponseType,
)
from settle.worklist.models import TaskKind
from settle.worklist.services import TaskDraft, tasks_create
from settle.worklist.texts import amount as task_amount
from settle.worklist.texts import day as task_day
from settle.worklist.texts import layout, sentence

CHECK_BATCH = 2000
# Not renewed: the batch is settled in one transaction that locks its rows (PostgreSQL) or the
# database (SQLite), so no other worker can take them over while it runs.
CHECK_LEASE = DEFAULT_LEASE
ResponseInvoice = Response.invoices.through


def promise_date_check(*, response_type: ResponseType, promised: date) -> None:
    """Refuse (ValidationError) a promised date before today or more than the type's maximum
    number of days ahead; the portal shows the message next to the date."""
    today = timezone.localdate()
    latest = today + timedelta(days=response_type.promise_max_days)
    if promised < today:
        raise ValidationError(_("Choose today or a later date."), code="past")
    if promised > latest:
        raise ValidationError(
            _("Choose a date at most %(days)d days from today: %(date)s or earlier.")
            % {
                "days": response_type.promise_max_days,
                # Written out: "01/04/2026" reads as two different days in two countries.
                "date": date_format(latest, "j F Y"),
            },
            code="too_late",
        )


def _promised_date(response: Response) -> date:
    """The date from the response. Never guessed: a promise without a readable date is refused
    (response_submit already refuses one without any), so the debtor is never held to a date
    they did not choose."""
    promised = iso_date(response.values.get("promised_date"))
    if promised is None:
        raise ApplicationError(
            _("A promise to pay needs the date you will pay by; it has not been saved."),
            errors=[FieldError("promised_date", _("Enter a valid date."))],
        )
    return promised


def promise_start(*, response: Response, invoices: Sequence[Invoice]) -> PaymentPromise:
    """Record the promise of a new promise response with its check, and queue the "promise
    confirmed" e-mail when the debtor has an address. Runs in response_submit's transaction.

    The type's grace days and what happens on a broken promise are copied onto the promise.
    """
    response_type = response.response_type
    promised = _promised_date(response)
    amount = sum((invoice.open_amount for invoice in invoices), ZERO)
    promise = PaymentPromise.objects.create(
        response=response,
        debtor=response.debtor,
        promised_date=promised,
        amount=amount,
        grace_days=response_type.grace_days,
        on_broken=response_type.on_broken,
        notify_broken=response_type.notify_broken,
        due_at=check_time(promised, grace_days=response_type.grace_days),
    )
    _promise_message(
        promise,
        kind=Kind.PROMISE_CONFIRMED,
        invoices=invoices,
        key=f"promise-confirmed:{promise.pk}",
    )
    return promise


def _promise_message(
    promise: PaymentPromise, *, kind: str, invoices: Sequence[Invoice], key: str
) -> None:
    # By e-mail only: a debtor without an address hears of their promise in the portal (and of
    # a broken one from the reminders that follow), not by a letter of its own.
    message_notify(
        debtor=promise.debtor,
        kind=kind,
        channels=(Channel.EMAIL,),
        invoices=invoices,
        extra={"promise_date": promise.promised_date, "promise_amount": promise.amount},
        cause=f"response:{promise.response_id}",
        idempotency_key=key,
    )


def promises_process_due(*, limit: int = CHECK_BATCH) -> int:
    """Check a batch of promises whose check time has come; return how many were claimed.

    Every invoice paid: the promise is kept and its response closes, quietly. Otherwise it is
    broken and, as the promise recorded when it was made, a task "Promise to pay not kept" is
    created or the response closes so that dunning resumes; and the debtor may get the
    "promise broken" message. A response that was closed before its check (an employee dealt
    with it) only gets the outcome recorded.
    """
    claimed = claim_due(
        PaymentPromise.objects.filter(state=PromiseState.PENDING),
        limit=limit,
        lease=CHECK_LEASE,
    )
    if not claimed:
        return 0
    # Staff read the closing notes in the organisation's language, whoever runs the worker (tasks
    # are written in each reader's own; see worklist/texts.py).
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        _promises_settle(claimed)
    return len(claimed)


class _Found(NamedTuple):
    """What the check reads with the lock on a promise."""

    response_state: str
    unpaid: bool
    debtor_email: str


def _promises_settle(claimed: list[PaymentPromise]) -> None:
    token = claimed[0].lease_token
    unpaid_invoice = ResponseInvoice.objects.filter(
        response_id=OuterRef("response_id"), invoice__open_amount__gt=ZERO
    )
    # Lock what is still ours and still pending: a payment may have kept a promise since the
    # claim (promises_keep), or a worker taken over a lease that ran out. With it, in the same
    # query: whether an invoice is still unpaid, and whether the response is still open.
    locked = {
        pk: _Found(*found)
        for pk, *found in (
            PaymentPromise.objects.select_for_update(of=("self",))
            .filter(
                pk__in=[promise.pk for promise in claimed],
                lease_token=token,
                state=PromiseState.PENDING,
            )
            .annotate(unpaid=Exists(unpaid_invoice))
            .values_list("pk", "response__state", "unpaid", "debtor__email")
        )
    }
    promises = [promise for promise in claimed if promise.pk in locked]
    if not promises:
        return
    kept = [promise for promise in promises if not locked[promise.pk].unpaid]
    broken = [promise for promise in promises if locked[promise.pk].unpaid]
    now = timezone.now()
    for state, group in ((PromiseState.KEPT, kept), (PromiseState.BROKEN, broken)):
        if group:
            PaymentPromise.objects.filter(pk__in=[p.pk for p in group], lease_token=token).update(
                state=state, settled_at=now, leased_until=None, lease_token=None, updated_at=now
            )
    # Only a response still open is acted on; one closed meanwhile was handled by a person.
    kept = [p for p in kept if locked[p.pk].response_state == ResponseState.OPEN]
    broken = [p for p in broken if locked[p.pk].response_state == ResponseState.OPEN]
    responses_close(
        response_ids=[p.response_id for p in kept], note=_("The promise to pay was kept.")
    )
    responses_close(
        response_ids=[p.response_id for p in broken if p.on_broken == OnBroken.RESUME],
        note=_("The promise to pay was not kept; dunning resumes."),
    )
    if not broken:
        return
    links = _invoice_links([p.response_id for p in broken])
    _broken_tasks_create([p for p in broken if p.on_broken == OnBroken.TASK], links=links)
    told = [p for p in broken if p.notify_broken and locked[p.pk].debtor_email]
    debtors = Debtor.objects.in_bulk({promise.debtor_id for promise in told})
    invoices = Invoice.objects.in_bulk(
        {link.invoice_id for promise in told for link in links[promise.response_id]}
    )
    for promise in told:
        promise.debtor = debtors[promise.debtor_id]
        _promise_message(
            promise,
            kind=Kind.PROMISE_BROKEN,
            invoices=[invoices[link.invoice_id] for link in links[promise.response_id]],
            key=f"promise-broken:{promise.pk}",
        )


class _Link(NamedTuple):
    invoice_id: int
    number: str
    open_amount: Decimal


def _invoice_links(response_ids: Iterable[int]) -> dict[int, list[_Link]]:
    """The invoices of each response, oldest due first, as plain rows: a batch reads them
    without building an Invoice per row."""
    rows = (
        ResponseInvoice.objects.filter(response_id__in=list(response_ids))
        .order_by("invoice__due_date", "invoice__number")
        .values_list("response_id", "invoice_id", "invoice__number", "invoice__open_amount")
    )
    found: dict[int, list[_Link]] = defaultdict(list)
    for response_id, *link in rows:
        found[response_id].append(_Link(*link))
    return found


def _broken_tasks_create(promises: Sequence[PaymentPromise], *, links: dict[int, list[_Link]]):
    """One task "Promise to pay not kept", due today, per promise: what task_create makes, in
    two statements for the whole batch rather than three per task (a sweep after a quiet
    weekend can break thousands of promises at once; see bench/promise_sweep.py)."""
    if not promises:
        return
    tasks_create(
        kind=TaskKind.PROMISE_BROKEN,
        due_date=timezone.localdate(),
        drafts=[
            TaskDraft(
                debtor_id=promise.debtor_id,
                response_id=promise.response_id,
                params={"lines": _broken_lines(promise, links[promise.response_id])},
                invoice_ids=[link.invoice_id for link in links[promise.response_id]],
            )
            for promise in promises
        ],
    )


def _broken_lines(promise: PaymentPromise, links: Sequence[_Link]) -> list:
    """The text of a "promise not kept" task, for any reader's language (worklist/texts.py)."""
    promised = sentence(
        gettext_noop("Promised to pay %(amount)s by %(date)s; checked after %(days)d grace days."),
        amount=task_amount(promise.amount),
        date=task_day(promise.promised_date),
        days=promise.grace_days,
    )
    still_open = [
        layout("- %(number)s: %(amount)s", number=link.number, amount=task_amount(link.open_amount))
        for link in links
        if link.open_amount > ZERO
    ]
    return [promised, sentence(gettext_noop("Still open:")), *still_open]


def promises_keep(*, responses: Iterable[Response]) -> int:
    """Keep the pending promises of `responses` at once (a payment has just paid all their
    invoices) and close those responses. In the caller's transaction; returns how many were
    kept.

    A promise whose check is running at this very moment is left to that check, which saw the
    invoices unpaid: waiting for it would deadlock, since the check in turn waits for the
    invoices this payment holds. Should that check not finish, the next one finds them paid.
    """
    response_ids = [response.pk for response in responses]
    if not response_ids:
        return 0
    now = timezone.now()
    kept = dict(
        PaymentPromise.objects.select_for_update(skip_locked=True)
        .filter(response_id__in=response_ids, state=PromiseState.PENDING)
        .values_list("pk", "response_id")
    )
    if not kept:
        return 0
    PaymentPromise.objects.filter(pk__in=list(kept)).update(
        state=PromiseState.KEPT, settled_at=now, leased_until=None, lease_token=None, updated_at=now
    )
    with translation.override(settings.LANGUAGE_CODE):
        note = _("The promise to pay was kept: the invoices have been paid.")
    responses_close(response_ids=list(kept.values()), note=note)
    return len(kept)
