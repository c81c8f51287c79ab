"""Dunning rows for the tests: groups with their actions, runs with items, holds.

Other parts append their own factories at the end of this file."""

from datetime import timedelta

import factory
from django.utils import timezone

from settle.dunning.models import (
    Action,
    ActionGroup,
    ActionType,
    DunningHold,
    DunningItemInvoice,
    DunningRun,
    DunningRunItem,
    ItemState,
    RunState,
)
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory


class ActionGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionGroup

    name = factory.Sequence(lambda n: f"Group {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    """An e-mail reminder 1 by default; `position` follows the group's actions."""

    class Meta:
        model = Action

    group = factory.SubFactory(ActionGroupFactory)
    position = factory.LazyAttribute(lambda a: a.group.actions.count())
    name = factory.Sequence(lambda n: f"Action {n}")
    action_type = ActionType.EMAIL
    message_kind = "reminder_1"
    channel = ""
    resulting_status = None


class DunningRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DunningRun

    group = factory.SubFactory(ActionGroupFactory)
    state = RunState.RUNNING


class DunningRunItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DunningRunItem

    run = factory.SubFactory(DunningRunFactory)
    debtor = factory.SubFactory(DebtorFactory)
    state = ItemState.PENDING
    due_at = factory.LazyFunction(timezone.now)


class DunningItemInvoiceFactory(factory.django.DjangoModelFactory):
    """An invoice of an item; pass `processed_at` for one the item's actions reached."""

    class Meta:
        model = DunningItemInvoice

    item = factory.SubFactory(DunningRunItemFactory)
    invoice = factory.SubFactory(InvoiceFactory, debtor=factory.SelfAttribute("..item.debtor"))
    skipped_reason = ""
    processed_at = None


class DunningHoldFactory(factory.django.DjangoModelFactory):
    """A hold on an invoice (pass `debtor=` and `invoice=None` for a whole debtor)."""

    class Meta:
        model = DunningHold

    invoice = factory.SubFactory(InvoiceFactory)
    debtor = None
    until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    reason = "Disputed by phone"
