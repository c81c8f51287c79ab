"""holds_active: the holds in force, all of them or those that keep a debtor or an invoice out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from settle.dunning.selectors import holds_active
from settle.dunning.tests.factories import DunningHoldFactory
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_holds_in_force():
    active = DunningHoldFactory()
    DunningHoldFactory(lifted_at=timezone.now())
    DunningHoldFactory(until=timezone.localdate() - timedelta(days=1))

    assert list(holds_active()) == [active]


def test_it_lists_a_debtors_own_hold_and_those_on_its_invoices():
    debtor = DebtorFactory()
    on_debtor = DunningHoldFactory(invoice=None, debtor=debtor)
    on_invoice = DunningHoldFactory(invoice=InvoiceFactory(debtor=debtor))
    DunningHoldFactory()

    assert set(holds_active(debtor=debtor)) == {on_debtor, on_invoice}


def test_it_lists_an_invoices_own_hold_and_its_debtors():
    invoice = InvoiceFactory()
    on_invoice = DunningHoldFactory(invoice=invoice)
    on_debtor = DunningHoldFactory(invoice=None, debtor=invoice.debtor)
    DunningHoldFactory(invoice=InvoiceFactory(debtor=invoice.debtor))

    assert set(holds_active(invoice=invoice)) == {on_invoice, on_debtor}
