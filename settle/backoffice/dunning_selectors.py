"""Reads of the dunning history pages (runs, items, their messages and letters) and of the
dunning entries in a debtor's timeline. Each costs a fixed number of queries per page.

A dunning message belongs to its item by its idempotency key, f"dunning:{item.pk}:{action.pk}"
(the key the run's processing writes), and to the item's debtor: no foreign key links them.
"""

from datetime import datetime, time, timedelta

from django.db.models import (
    CharField,
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from settle.correspondence.models import Channel, Message, MessageStatus
from settle.dunning.models import (
    Action,
    ActionType,
    DunningHold,
    DunningItemInvoice,
    DunningRun,
    DunningRunItem,
    ItemState,
)
from settle.dunning.selectors import SKIP_REASONS
from settle.receivables.models import Debtor, Invoice

CAUSE = "dunning"


def run_list(*, group=None) -> QuerySet[DunningRun]:
    """Runs newest first with their group, starter and item counts by state."""
    runs = DunningRun.objects.select_related("group", "created_by").annotate(
        sent=Count("items", filter=Q(items__state=ItemState.SENT)),
        skipped_items=Count("items", filter=Q(items__state=ItemState.SKIPPED)),
        failed=Count("items", filter=Q(items__state=ItemState.FAILED)),
    )
    if group is not None:
        runs = runs.filter(group=group)
    return runs.order_by("-created_at", "-pk")


def run_detail(*, pk: int) -> DunningRun:
    """One run with its group's actions; raises DunningRun.DoesNotExist for an unknown id."""
    return (
        DunningRun.objects.select_related("group", "created_by", "schedule")
        .prefetch_related(Prefetch("group__actions", queryset=Action.objects.order_by("position")))
        .get(pk=pk)
    )


def _lines() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=DunningItemInvoice.objects.select_related("invoice").order_by("invoice__number"),
    )


def run_items(*, run: DunningRun) -> QuerySet[DunningRunItem]:
    return (
        DunningRunItem.objects.filter(run=run)
        .select_related("debtor")
        .prefetch_related(_lines())
        .order_by("pk")
    )


def item_detail(*, pk: int) -> DunningRunItem:
    return (
        DunningRunItem.objects.select_related("run__group", "run__created_by", "debtor")
        .prefetch_related(_lines())
        .get(pk=pk)
    )


def run_messages(*, run: DunningRun) -> QuerySet[Message]:
    """Every message the run's items made: the item of the message's debtor in this run, and a
    key of that item."""
    item = DunningRunItem.objects.filter(run=run, debtor=OuterRef("debtor")).values("pk")[:1]
    return (
        Message.objects.filter(cause=CAUSE, debtor_id__in=run.items.values("debtor_id"))
        .annotate(run_item=Subquery(item))
        .filter(
            idempotency_key__startswith=Concat(
                Value(f"{CAUSE}:"),
                Cast("run_item", CharField()),
                Value(":"),
                output_field=CharField(),
            )
        )
    )


def messages_by_item(*, run: DunningRun, items: list[DunningRunItem]) -> dict[int, list[Message]]:
    """The messages of a page of items, in one query."""
    found: dict[int, list[Message]] = {item.pk: [] for item in items}
    if not items:
        return found
    messages = (
        run_messages(run=run)
        .filter(debtor_id__in=[item.debtor_id for item in items])
        .defer("body_html", "body_text")
        .order_by("pk")
    )
    for message in messages:
        found.setdefault(message.run_item, []).append(message)
    return found


def letters_ready(messages: QuerySet[Message]) -> QuerySet[Message]:
    """The letters among `messages` whose PDF is made (at delivery, by the worker)."""
    return (
        messages.filter(channel=Channel.LETTER)
        .exclude(pdf="")
        .defer("body_html", "body_text")
        .order_by("pk")
    )


def letters_in_making(messages: QuerySet[Message]) -> int:
    """Letters still waiting for their PDF: not made yet and not given up on."""
    return (
        messages.filter(channel=Channel.LETTER, pdf="").exclude(status=MessageStatus.FAILED).count()
    )


def has_agency_action(run: DunningRun) -> bool:
    return any(
        action.action_type == ActionType.COLLECTION_AGENCY for action in run.group.actions.all()
    )


# --- Timeline ---------------------------------------------------------------------------------


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _item_events(debtor: Debtor, limit: int) -> list[dict]:
    items = (
        DunningRunItem.objects.filter(debtor=debtor, processed_at__isnull=False)
        .select_related("run__group", "run__created_by")
        .prefetch_related(
            Prefetch("run__group__actions", queryset=Action.objects.order_by("position")),
            _lines(),
        )
        .order_by("-processed_at", "-pk")[:limit]
    )
    events = []
    for item in items:
        reached = [line.invoice.number for line in item.lines.all() if not line.skipped_reason]
        parts = [", ".join(action.name for action in item.run.group.actions.all())]
        if item.state == ItemState.SENT:
            parts.append(", ".join(reached))
        else:
            parts.append(item.detail or str(SKIP_REASONS.get(item.reason, item.reason)))
        events.append(
            {
                "at": item.processed_at,
                "title": gettext("Dunning: %(group)s") % {"group": item.run.group.name},
                "detail": " · ".join(filter(None, parts)),
                "state": item.state,
                "state_label": item.get_state_display(),
                "url": reverse("backoffice:dunning_item", args=[item.pk]),
                "actor": _person(item.run.created_by),
            }
        )
    return events


def _hold_events(debtor: Debtor, limit: int) -> list[dict]:
    holds = (
        DunningHold.objects.filter(
            Q(debtor=debtor) | Q(invoice__in=Invoice.objects.filter(debtor=debtor))
        )
        .select_related("invoice", "created_by")
        .order_by("-created_at", "-pk")[:limit]
    )
    today = timezone.localdate()
    events = []
    for hold in holds:
        what = hold.invoice.number if hold.invoice else gettext("all invoices")
        events.append(
            {
                "at": hold.created_at,
                "title": gettext("On hold for dunning until %(date)s")
                % {"date": date_format(hold.until, "SHORT_DATE_FORMAT")},
                "detail": f"{what} · {hold.reason}",
                "actor": _person(hold.created_by),
            }
        )
        if hold.lifted_at:
            ended = hold.lifted_at
            title = gettext("Dunning hold lifted")
        elif hold.until < today:
            # A hold ends by itself after its last day: shown at the start of the next.
            ended = timezone.make_aware(datetime.combine(hold.until + timedelta(days=1), time()))
            title = gettext("Dunning hold ended")
        else:
            continue
        events.append({"at": ended, "title": title, "detail": f"{what} · {hold.reason}"})
    return events


def timeline_events(*, debtor: Debtor, limit: int) -> list[dict]:
    """The debtor's processed dunning items and holds (made, lifted, ended) as the fields of
    timeline entries, in at most four queries."""
    return _item_events(debtor, limit) + _hold_events(debtor, limit)
