"""Reads of dunning: which invoices may be reminded and why not, the groups on offer, the holds
in force, and the counts an employee confirms before a run starts.

Everything here works on querysets in a fixed number of queries, whatever the selection's size:
the overview pages 100,000 invoices and "select all" confirms them all.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from settle.arrangements.models import ArrangementState
from settle.common.dates import organisation_today
from settle.dunning.channels import (
    MESSAGE_ACTION_TYPES,
    Reach,
    action_channel,
    reach_channel,
)
from settle.dunning.models import Action, ActionGroup, DunningHold, DunningItemInvoice
from settle.payments.models import IN_PROGRESS_STATES, PaymentRequestInvoice
from settle.receivables.models import Debtor, Invoice
from settle.responses.models import Response
from settle.responses.selectors import invoices_excluded_from_dunning

__all__ = [
    "EXCLUDED_SKIP_REASON",
    "SKIP_REASONS",
    "SelectionSummary",
    "action_channel",
    "groups_active",
    "holds_active",
    "invoices_dunnable",
    "selection_summary",
    "skip_reason_expression",
]

# Why an invoice or a debtor was left out of a run, as stored in DunningRun.skipped,
# DunningRunItem.reason and DunningItemInvoice.skipped_reason.
SKIP_REASONS = {
    "excluded_response": _("Excluded: open response"),
    "excluded_arrangement": _("Excluded: running payment arrangement"),
    "payment_in_progress": _("Payment in progress"),
    "held": _("On hold for dunning"),
    "paid": _("Paid, nothing open"),
    "no_address": _("No address for the channel"),
    "not_consumer": _("Not a consumer: the 14-day letter is for consumers"),
    "render_failed": _("The message could not be written from its template"),
    "error": _("Failed after several attempts"),
}

# `dunning_excluded_reason` → the skip reason it gives.
EXCLUDED_SKIP_REASON = {
    "response": "excluded_response",
    "arrangement": "excluded_arrangement",
    "payment": "payment_in_progress",
}

ResponseInvoice = Response.invoices.through

ANNOTATIONS = (
    "dunning_excluded_reason",
    "dunning_held",
    "dunning_skip_reason",
    "last_dunning_at",
    "last_dunning_action",
)


def invoices_dunnable(queryset: QuerySet[Invoice] | None = None) -> QuerySet[Invoice]:
    """The invoices (all, or `queryset`) with what dunning needs to know of each, in the one
    query that lists them:

    - `dunning_excluded_reason`: "arrangement" (a running payment arrangement covers it),
      "response" (an open response of a type that excludes it), "payment" (a payment in
      progress), or "" — the first that applies, in that order, the most specific first (an
      arrangement's response is itself an excluding open response);
    - `dunning_held`: an active hold on the invoice or on its debtor;
    - `dunning_skip_reason`: the SKIP_REASONS code a run would skip it with ("paid" when nothing
      is open, then the exclusion, then "held"), or "" when a run would remind it;
    - `last_dunning_at`, `last_dunning_action`: when a run's actions last reached it and that
      run's group's name (None when never).

    Holds are judged on today's date when this is called. A queryset annotated here already is
    returned as it is.
    """
    queryset = Invoice.objects.all() if queryset is None else queryset
    if all(name in queryset.query.annotations for name in ANNOTATIONS):
        return queryset
    arrangement, response, payment, held = _conditions()
    last = DunningItemInvoice.objects.filter(
        invoice_id=OuterRef("pk"), processed_at__isnull=False, skipped_reason=""
    ).order_by("-processed_at", "-pk")
    return queryset.annotate(
        dunning_excluded_reason=Case(
            When(arrangement, then=Value("arrangement")),
            When(response, then=Value("response")),
            When(payment, then=Value("payment")),
            default=Value(""),
            output_field=CharField(),
        ),
        dunning_held=Case(
            When(held, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        dunning_skip_reason=skip_reason_expression(),
        last_dunning_at=Subquery(last.values("processed_at")[:1]),
        last_dunning_action=Subquery(last.values("item__run__group__name")[:1]),
    )


def skip_reason_expression() -> Case:
    """The SKIP_REASONS code an invoice is left out of a run with, or "" (see
    `invoices_dunnable`), as one expression over the invoice's own row.

    Built from the conditions themselves rather than from the other annotations: Django copies
    an annotation into each expression that names it, and the database would then run every
    subquery several times per invoice. A CASE stops at the first condition that holds.
    """
    arrangement, response, payment, held = _conditions()
    return Case(
        When(open_amount__lte=0, then=Value("paid")),
        When(arrangement, then=Value("excluded_arrangement")),
        When(response, then=Value("excluded_response")),
        When(payment, then=Value("payment_in_progress")),
        When(held, then=Value("held")),
        default=Value(""),
        output_field=CharField(),
    )


def _conditions() -> tuple[Exists, Exists, Exists, Q]:
    """Per invoice: a running arrangement covers it; an excluding open response covers it (as
    the responses app decides); a payment is in progress; a hold in force today is on it or on
    its debtor."""
    arrangement = ResponseInvoice.objects.filter(
        invoice_id=OuterRef("pk"), response__arrangement__state=ArrangementState.ACCEPTED
    )
    response = invoices_excluded_from_dunning(Invoice.objects.filter(pk=OuterRef("pk")))
    payment = PaymentRequestInvoice.objects.filter(
        invoice_id=OuterRef("pk"),
        request__state__in=IN_PROGRESS_STATES,
        request__superseded_by__isnull=True,
    )
    holds = DunningHold.objects.filter(lifted_at__isnull=True, until__gte=organisation_today())
    held = Q(Exists(holds.filter(invoice_id=OuterRef("pk")))) | Q(
        Exists(holds.filter(debtor_id=OuterRef("debtor_id")))
    )
    return Exists(arrangement), Exists(response), Exists(payment), held


def groups_active() -> QuerySet[ActionGroup]:
    """The groups an employee may run, by name, with their actions in order."""
    return ActionGroup.objects.filter(archived_at__isnull=True).prefetch_related(
        Prefetch(
            "actions",
            queryset=Action.objects.select_related("resulting_status").order_by("position", "pk"),
        )
    )


def holds_active(
    *, debtor: Debtor | None = None, invoice: Invoice | None = None
) -> QuerySet[DunningHold]:
    """The holds in force today, newest first: all of them; or those that keep `debtor`'s
    invoices out (on the debtor and on any of its invoices); or those that keep `invoice` out
    (on the invoice and on its debtor)."""
    holds = DunningHold.objects.filter(
        lifted_at__isnull=True, until__gte=organisation_today()
    ).select_related("invoice", "debtor", "created_by")
    if debtor is not None:
        holds = holds.filter(Q(debtor=debtor) | Q(invoice__debtor=debtor))
    if invoice is not None:
        holds = holds.filter(Q(invoice=invoice) | Q(debtor_id=invoice.debtor_id))
    return holds


@dataclass(frozen=True)
class SelectionSummary:
    """What a run over a selection would do, for the employee to confirm.

    `invoice_count` and `debtor_count` are what the run would work on; `messages_by_channel`
    the messages it would send ({"email": 120, "letter": 3}: one per debtor per message action,
    after the fallback to the debtor's delivery method); `skipped` what it leaves out: invoices
    by reason ("paid", "held", "excluded_…", "payment_in_progress") and, under "no_address",
    the debtors who cannot receive one or more of the group's messages.
    """

    invoice_count: int
    debtor_count: int
    messages_by_channel: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)


def selection_summary(*, invoices: QuerySet[Invoice], group: ActionGroup) -> SelectionSummary:
    """The confirmation's counts for running `group` on `invoices`, in two queries: the
    invoices grouped by skip reason and by what their debtor can be reached by (a handful of
    rows, however many invoices), and the group's actions."""
    rows = (
        invoices.order_by()
        .annotate(
            summary_reason=skip_reason_expression(),
            has_email=_present("debtor__email"),
            has_mobile=_present("debtor__mobile"),
            has_address=Case(
                When(
                    Q(debtor__street="")
                    & Q(debtor__postal_code="")
                    & Q(debtor__city="")
                    & Q(debtor__country__in=("", "NL")),
                    then=Value(False),
                ),
                default=Value(True),
                output_field=BooleanField(),
            ),
        )
        .values(
            "summary_reason", "has_email", "has_mobile", "has_address", "debtor__delivery_method"
        )
        .annotate(invoices=Count("pk"), debtors=Count("debtor_id", distinct=True))
    )
    actions = [
        action
        for action in group.actions.order_by("position", "pk")
        if action.action_type in MESSAGE_ACTION_TYPES
    ]
    skipped: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    invoice_count = debtor_count = unreachable = 0
    for row in rows:
        if row["summary_reason"]:
            skipped[row["summary_reason"]] += row["invoices"]
            continue
        # A debtor has one reach, so the debtors of the remindable rows are counted once.
        reach = Reach(
            email=row["has_email"],
            mobile=row["has_mobile"],
            address=row["has_address"],
            delivery_method=row["debtor__delivery_method"],
        )
        invoice_count += row["invoices"]
        debtor_count += row["debtors"]
        channels = [reach_channel(action=action, reach=reach) for action in actions]
        for channel in channels:
            if channel:
                messages[str(channel)] += row["debtors"]
        if None in channels:
            unreachable += row["debtors"]
    if unreachable:
        skipped["no_address"] = unreachable
    return SelectionSummary(
        invoice_count=invoice_count,
        debtor_count=debtor_count,
        messages_by_channel=dict(messages),
        skipped=dict(skipped),
    )


def _present(field_name: str) -> Case:
    """Whether a text field is filled in, as Reach.of judges it."""
    return Case(
        When(**{field_name: ""}, then=Value(False)),
        default=Value(True),
        output_field=BooleanField(),
    )
