from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from settle.common.errors import ApplicationError
from settle.dunning.selectors import holds_active, invoices_dunnable
from settle.dunning.services import hold_lift
from settle.dunning.tests.factories import DunningHoldFactory
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_lifts_a_hold_early(admin_user):
    hold = DunningHoldFactory()

    hold_lift(hold=hold, lifted_by=admin_user)

    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert not holds_active().exists()
    assert invoices_dunnable().get(pk=hold.invoice_id).dunning_held is False


def test_it_refuses_to_lift_a_hold_twice():
    hold = DunningHoldFactory()
    hold_lift(hold=hold, lifted_by=None)
    lifted_at = DunningHoldFactory._meta.model.objects.get(pk=hold.pk).lifted_at

    with pytest.raises(ApplicationError, match="lifted already"):
        hold_lift(hold=hold, lifted_by=None)

    hold.refresh_from_db()
    assert hold.lifted_at == lifted_at


def test_it_refuses_to_lift_a_hold_that_has_ended():
    hold = DunningHoldFactory(until=timezone.localdate() - timedelta(days=1))

    with pytest.raises(ApplicationError, match="This hold ended on"):
        hold_lift(hold=hold, lifted_by=None)


def test_it_ends_by_itself_after_its_date():
    invoice = InvoiceFactory()
    until = timezone.localdate() + timedelta(days=3)
    DunningHoldFactory(invoice=invoice, until=until)

    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert invoices_dunnable().get(pk=invoice.pk).dunning_held is True
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        assert invoices_dunnable().get(pk=invoice.pk).dunning_held is False
        assert not holds_active(invoice=invoice).exists()
