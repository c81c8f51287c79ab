from datetime import timedelta

import pytest
from django.utils import timezone, translation

from settle.common.errors import ApplicationError
from settle.dunning.models import DunningHold
from settle.dunning.services import hold_create
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def test_it_holds_an_invoice_until_a_date(admin_user):
    invoice = InvoiceFactory()

    hold = hold_create(
        invoice=invoice, until=in_days(10), reason=" Disputed by phone ", created_by=admin_user
    )

    assert (hold.invoice, hold.debtor, hold.until, hold.reason, hold.created_by) == (
        invoice,
        None,
        in_days(10),
        "Disputed by phone",
        admin_user,
    )
    assert hold.lifted_at is None


def test_it_holds_a_whole_debtor_until_today():
    debtor = DebtorFactory()

    hold = hold_create(debtor=debtor, until=in_days(0), reason="Bankruptcy", created_by=None)

    assert (hold.debtor, hold.invoice) == (debtor, None)


def test_it_refuses_a_hold_on_neither_or_both():
    invoice = InvoiceFactory()

    for target in ({}, {"invoice": invoice, "debtor": invoice.debtor}):
        with pytest.raises(ApplicationError, match="Choose an invoice or a debtor"):
            hold_create(until=in_days(1), reason="x", created_by=None, **target)

    assert not DunningHold.objects.exists()


def test_it_refuses_a_date_in_the_past_and_no_reason():
    with pytest.raises(ApplicationError) as refused:
        hold_create(invoice=InvoiceFactory(), until=in_days(-1), reason="  ", created_by=None)

    assert str(refused.value) == "The hold was not made."
    assert {e.field: str(e.message) for e in refused.value.errors} == {
        "until": "A hold cannot end in the past.",
        "reason": "Say why dunning is put on hold.",
    }


def test_it_refuses_a_reason_too_long():
    with pytest.raises(ApplicationError) as refused:
        hold_create(invoice=InvoiceFactory(), until=in_days(1), reason="x" * 201, created_by=None)

    assert refused.value.errors[0].field == "reason"


def test_it_refuses_in_dutch_for_a_dutch_reader():
    with translation.override("nl"), pytest.raises(ApplicationError) as refused:
        hold_create(invoice=InvoiceFactory(), until=in_days(-1), reason="x", created_by=None)

    assert refused.value.errors[0].message == "Een blokkade kan niet in het verleden eindigen."
