"""Reads the back-office pages share. Each returns a queryset with its joins already applied, so a
page costs the same number of queries for 5 rows as for 50."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from settle.backoffice import dunning_selectors
from settle.backoffice.templatetags.correspondence import kind_label
from settle.common.money import money
from settle.correspondence.models import Message
from settle.portal.models import PortalEvent, PortalLink
from settle.receivables.models import (
    ZERO,
    Debtor,
    Invoice,
    Payment,
    PaymentAllocation,
    PaymentReversal,
    PaymentState,
)
from settle.responses.models import Response
from settle.responses.selectors import invoices_with_dunning_exclusion
from settle.worklist.models import Task, TaskState

OPEN = Q(open_amount__gt=0)
# Not a payment state of its own: open and partly paid together, as the dashboard counts them.
UNPAID = "unpaid"
LINK_VALID, LINK_EXPIRED, LINK_REVOKED = "valid", "expired", "revoked"
INVOICE_SORTS = {
    "number": ("number",),
    "-number": ("-number",),
    "due_date": ("due_date", "number"),
    "-due_date": ("-due_date", "-number"),
    "open_amount": ("open_amount", "number"),
    "-open_amount": ("-open_amount", "-number"),
}


@dataclass(frozen=True)
class DashboardFigures:
    debtors: int
    open_invoices: int
    open_total: Decimal
    overdue_invoices: int
    overdue_total: Decimal


def dashboard_figures() -> DashboardFigures:
    today = timezone.localdate()
    overdue = OPEN & Q(due_date__lt=today)
    invoices = Invoice.objects.aggregate(
        open_invoices=Count("pk", filter=OPEN),
        open_total=Sum("open_amount", filter=OPEN, default=ZERO),
        overdue_invoices=Count("pk", filter=overdue),
        overdue_total=Sum("open_amount", filter=overdue, default=ZERO),
    )
    return DashboardFigures(debtors=Debtor.objects.count(), **invoices)


def debtor_list(*, query: str = "") -> QuerySet[Debtor]:
    """Debtors with the count and total of their open invoices, found by number, name, e-mail
    or city."""
    debtors = Debtor.objects.annotate(
        open_invoice_count=Count("invoices", filter=Q(invoices__open_amount__gt=0)),
        open_total=Coalesce(
            Sum("invoices__open_amount", filter=Q(invoices__open_amount__gt=0)),
            Value(ZERO),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
    ).order_by("number")
    query = query.strip()
    if query:
        debtors = debtors.filter(
            Q(number__icontains=query)
            | Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(city__icontains=query)
        )
    return debtors


def debtor_invoices(*, debtor: Debtor) -> QuerySet[Invoice]:
    return invoices_with_dunning_exclusion(
        Invoice.objects.filter(debtor=debtor)
        .select_related("collection_status")
        .order_by("-due_date", "-number")
    )


def debtor_payments(*, debtor: Debtor) -> QuerySet[Payment]:
    """The debtor's payments, also those booked without a debtor but allocated to their
    invoices, each with its allocations and their invoices."""
    return (
        _payments_of(debtor)
        .select_related("payment_request")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("invoice").order_by(
                    "invoice__number"
                ),
            ),
            Prefetch("reversals", queryset=PaymentReversal.objects.order_by("created_at", "pk")),
        )
        .order_by("-date", "-pk")
    )


def _payments_of(debtor: Debtor) -> QuerySet[Payment]:
    # A subquery rather than a join keeps each payment once without DISTINCT.
    allocated = PaymentAllocation.objects.filter(invoice__debtor=debtor).values("payment_id")
    return Payment.objects.filter(Q(debtor=debtor) | Q(pk__in=allocated))


def invoice_list(
    *,
    query: str = "",
    payment_state: str = "",
    collection_status: str = "",
    overdue: bool = False,
    sort: str = "due_date",
) -> QuerySet[Invoice]:
    """Invoices with their debtor and collection status, searched by invoice number, debtor
    number or name, or payment reference, and filtered as the invoice list offers."""
    invoices = invoices_with_dunning_exclusion(
        Invoice.objects.select_related("debtor", "collection_status")
    )
    query = query.strip()
    if query:
        invoices = invoices.filter(
            Q(number__icontains=query)
            | Q(debtor__number__icontains=query)
            | Q(debtor__name__icontains=query)
            | Q(payment_reference__icontains=query)
        )
    if payment_state == UNPAID:
        invoices = invoices.filter(OPEN)
    elif payment_state in PaymentState.values:
        invoices = invoices.with_payment_state(payment_state)
    if collection_status:
        invoices = invoices.filter(collection_status_id=collection_status)
    if overdue:
        invoices = invoices.filter(OPEN, due_date__lt=timezone.localdate())
    return invoices.order_by(*INVOICE_SORTS.get(sort, INVOICE_SORTS["due_date"]))


def invoice_detail(*, pk: int) -> Invoice:
    """One invoice with its debtor, status and the allocations that paid it; raises
    Invoice.DoesNotExist for an unknown id."""
    invoices = invoices_with_dunning_exclusion(
        Invoice.objects.select_related("debtor", "collection_status")
    )
    return invoices.prefetch_related(
        Prefetch(
            "allocations",
            queryset=PaymentAllocation.objects.select_related("payment").order_by(
                "-payment__date", "-payment__pk"
            ),
        )
    ).get(pk=pk)


# --- Responses, portal links and the debtor's timeline (issue 3) ------------------------------


def response_inbox(*, state: str = "", response_type=None) -> QuerySet[Response]:
    """Responses newest first with everything the inbox shows (debtor, type and its fields,
    invoices, attachments) fetched in a fixed number of queries."""
    responses = Response.objects.select_related("debtor", "response_type").prefetch_related(
        Prefetch("invoices", queryset=Invoice.objects.order_by("number")),
        "attachments",
        "response_type__fields",
    )
    if state:
        responses = responses.filter(state=state)
    if response_type is not None:
        responses = responses.filter(response_type=response_type)
    return responses.order_by("-created_at", "-pk")


def response_detail(*, pk: int) -> Response:
    """One response with its debtor, type, fields, attachments and invoices (each marked when
    excluded from dunning); raises Response.DoesNotExist for an unknown id."""
    invoices = invoices_with_dunning_exclusion(
        Invoice.objects.select_related("collection_status").order_by("number")
    )
    return (
        Response.objects.select_related("debtor", "response_type", "closed_by")
        .prefetch_related(
            Prefetch("invoices", queryset=invoices), "attachments", "response_type__fields"
        )
        .get(pk=pk)
    )


def debtor_portal_links(*, debtor: Debtor) -> QuerySet[PortalLink]:
    """The debtor's portal links newest first, each with `state`: valid, expired or revoked."""
    return (
        PortalLink.objects.filter(debtor=debtor)
        .select_related("created_by")
        .annotate(
            state=Case(
                When(revoked_at__isnull=False, then=Value(LINK_REVOKED)),
                When(expires_at__lte=timezone.now(), then=Value(LINK_EXPIRED)),
                default=Value(LINK_VALID),
                output_field=CharField(),
            )
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened with a debtor, whichever app it comes from."""

    at: datetime
    source: str  # "portal", "response", "message", "task", "payment", "reversal", "dunning"
    title: str
    detail: str = ""
    state: str = ""
    state_label: str = ""
    url: str = ""
    actor: str = ""


def person_name(user) -> str:
    """How an employee is named on pages: full name, else user name ("" for nobody)."""
    return (user.get_full_name() or user.get_username()) if user else ""


def _portal_entries(debtor: Debtor, limit: int) -> list[TimelineEntry]:
    events = PortalEvent.objects.filter(debtor=debtor).select_related("actor")[:limit]
    return [
        TimelineEntry(
            at=event.created_at,
            source="portal",
            title=event.get_kind_display(),
            detail=event.get_reason_display() if event.reason else "",
            state=event.kind,
            actor=person_name(event.actor),
        )
        for event in events
    ]


def _response_entries(debtor: Debtor, limit: int) -> list[TimelineEntry]:
    responses = (
        Response.objects.filter(debtor=debtor)
        .select_related("response_type")
        .prefetch_related(Prefetch("invoices", queryset=Invoice.objects.order_by("number")))
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        TimelineEntry(
            at=response.created_at,
            source="response",
            title=gettext("Response: %(type)s") % {"type": response.response_type.name},
            detail=", ".join(invoice.number for invoice in response.invoices.all()),
            state=response.state,
            state_label=response.get_state_display(),
            url=reverse("backoffice:response_detail", args=[response.pk]),
        )
        for response in responses
    ]


def _message_entries(debtor: Debtor, limit: int) -> list[TimelineEntry]:
    sent = Message.objects.filter(debtor=debtor).select_related("created_by")
    return [
        TimelineEntry(
            at=message.created_at,
            source="message",
            title=gettext("%(kind)s (%(channel)s)")
            % {
                "kind": kind_label(message.kind),
                "channel": message.get_channel_display(),
            },
            detail=message.recipient,
            state=message.status,
            state_label=message.get_status_display(),
            url=reverse("backoffice:message_detail", args=[message.pk]),
            actor=person_name(message.created_by),
        )
        for message in sent.order_by("-created_at", "-pk")[:limit]
    ]


# A long outcome is read on the task's page; the timeline shows its start.
OUTCOME_IN_TIMELINE = 200


def _task_entries(debtor: Debtor, limit: int) -> list[TimelineEntry]:
    """A task's creation and, once done, its completion with the outcome: the tasks with the
    newest of either, in one query."""
    tasks = (
        Task.objects.filter(debtor=debtor)
        .select_related("closed_by")
        .order_by(Coalesce("closed_at", "created_at").desc(), "-pk")[:limit]
    )
    entries = []
    for task in tasks:
        url = reverse("backoffice:task_detail", args=[task.pk])
        entries.append(
            TimelineEntry(
                at=task.created_at,
                source="task",
                title=gettext("Task: %(title)s") % {"title": task.title_text},
                detail=task.get_kind_display(),
                state=task.state,
                state_label=task.get_state_display(),
                url=url,
            )
        )
        if task.state == TaskState.DONE:
            entries.append(
                TimelineEntry(
                    at=task.closed_at,
                    source="task",
                    title=gettext("Task done: %(title)s") % {"title": task.title_text},
                    detail=Truncator(task.outcome).chars(OUTCOME_IN_TIMELINE),
                    url=url,
                    actor=person_name(task.closed_by),
                )
            )
    return entries


def _payment_url(payment: Payment) -> str:
    query = payment.reference or (payment.debtor.number if payment.debtor else "")
    return f"{reverse('backoffice:payment_list')}?q={quote(query)}#payment-{payment.pk}"


def _payment_entries(debtor: Debtor, limit: int) -> list[TimelineEntry]:
    payments = _payments_of(debtor).select_related("debtor").order_by("-created_at", "-pk")
    return [
        TimelineEntry(
            at=payment.created_at,
            source="payment",
            title=gettext("Payment booked: %(amount)s")
            % {"amount": money(payment.amount, payment.currency)},
            detail=" · ".join(filter(None, [payment.get_source_display(), payment.reference])),
            url=_payment_url(payment),
        )
        for payment in payments[:limit]
    ]


def _reversal_entries(debtor: Debtor, limit: int) -> list[TimelineEntry]:
    reversals = (
        PaymentReversal.objects.filter(payment__in=_payments_of(debtor))
        .select_related("payment__debtor")
        .order_by("-created_at", "-pk")
    )
    return [
        TimelineEntry(
            at=reversal.created_at,
            source="reversal",
            title=gettext("Payment reversed: %(amount)s")
            % {"amount": money(reversal.amount, reversal.payment.currency)},
            detail=" · ".join(filter(None, [reversal.reason, reversal.payment.reference])),
            url=_payment_url(reversal.payment),
        )
        for reversal in reversals[:limit]
    ]


def _dunning_entries(debtor: Debtor, limit: int) -> list[TimelineEntry]:
    """Processed dunning items and dunning holds (see dunning_selectors)."""
    events = dunning_selectors.timeline_events(debtor=debtor, limit=limit)
    return [TimelineEntry(source="dunning", **event) for event in events]


# Each source gives a debtor's newest entries from one app, in a fixed number of queries.
TIMELINE_SOURCES: list[Callable[[Debtor, int], list[TimelineEntry]]] = [
    _portal_entries,
    _response_entries,
    _message_entries,
    _task_entries,
    _payment_entries,
    _reversal_entries,
    _dunning_entries,
]
TIMELINE_LENGTH = 100


def debtor_timeline(*, debtor: Debtor, limit: int = TIMELINE_LENGTH) -> list[TimelineEntry]:
    """What happened with a debtor across the apps, newest first, at most `limit` entries."""
    entries = [entry for source in TIMELINE_SOURCES for entry in source(debtor, limit)]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def task_detail(*, pk: int) -> Task:
    """One task with its debtor, people, response (type and fields) and invoices, each invoice
    marked when excluded from dunning; raises Task.DoesNotExist for an unknown id."""
    invoices = invoices_with_dunning_exclusion(
        Invoice.objects.select_related("collection_status").order_by("number")
    )
    return (
        Task.objects.select_related("debtor", "assignee", "closed_by", "response__response_type")
        .prefetch_related(
            Prefetch("invoices", queryset=invoices), "response__response_type__fields"
        )
        .get(pk=pk)
    )
