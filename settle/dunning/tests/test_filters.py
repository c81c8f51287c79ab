from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import override

from settle.common.dates import organisation_today
from settle.common.errors import ApplicationError
from settle.dunning.filters import InvoiceDunningFilter, invoices_filtered, selection_query
from settle.dunning.tests.factories import (
    ActionGroupFactory,
    DunningHoldFactory,
    DunningItemInvoiceFactory,
    DunningRunFactory,
    DunningRunItemFactory,
)
from settle.receivables.models import DeliveryMethod, PaymentMethod
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def numbers(query: str) -> list[str]:
    return [invoice.number for invoice in invoices_filtered(query)]


def errors(query: str, language: str = "en") -> dict[str, list[str]]:
    with override(language):
        filterset = InvoiceDunningFilter(QueryDict(query))
        assert not filterset.is_valid()
        return {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}


def days_ago(days: int):
    return organisation_today() - timedelta(days=days)


def reminded(invoice, *, group_name="Herinnering 1", days=3):
    """The invoice as reached by a run of the group `days` ago."""
    item = DunningRunItemFactory(
        run=DunningRunFactory(group=ActionGroupFactory(name=group_name)), debtor=invoice.debtor
    )
    DunningItemInvoiceFactory(
        item=item, invoice=invoice, processed_at=timezone.now() - timedelta(days=days)
    )


def test_it_selects_only_open_invoices():
    InvoiceFactory(number="OPEN")
    InvoiceFactory(number="PAID", open_amount=Decimal("0.00"))

    assert numbers("") == ["OPEN"]


def test_it_finds_the_debtor_by_number_or_name():
    InvoiceFactory(number="A", debtor=DebtorFactory(number="D-100", name="Jansen BV"))
    InvoiceFactory(number="B", debtor=DebtorFactory(number="D-200", name="Pietersen"))

    assert numbers("debtor=jansen") == ["A"]
    assert numbers("debtor=D-200") == ["B"]


def test_it_finds_an_invoice_by_part_of_its_number():
    InvoiceFactory(number="F-2026-001")
    InvoiceFactory(number="F-2026-002")

    assert numbers("number=001") == ["F-2026-001"]


def test_it_filters_the_open_amount_from_and_to():
    for amount in ("10.00", "50.00", "100.00"):
        InvoiceFactory(number=amount, amount=Decimal(amount))

    assert sorted(numbers("open_amount_min=50")) == ["100.00", "50.00"]
    assert sorted(numbers("open_amount_max=50")) == ["10.00", "50.00"]
    assert numbers("open_amount_min=20&open_amount_max=99.99") == ["50.00"]


def test_it_filters_the_due_date_from_and_to():
    for days in (5, 10, 20):
        InvoiceFactory(number=f"D{days}", due_date=days_ago(days))

    query = f"due_from={days_ago(12).isoformat()}&due_to={days_ago(6).isoformat()}"
    assert numbers(query) == ["D10"]


def test_it_filters_the_days_overdue_from_and_to():
    for days in (-3, 7, 14, 21):
        InvoiceFactory(number=f"D{days}", due_date=days_ago(days))

    assert numbers("overdue_min=7&overdue_max=20") == ["D14", "D7"]
    assert numbers("overdue_min=21") == ["D21"]


def test_it_filters_the_collection_status():
    InvoiceFactory(number="OPEN")
    InvoiceFactory(number="R1", collection_status_id="reminder_1")

    assert numbers("status=reminder_1") == ["R1"]


def test_it_filters_the_debtors_payment_and_delivery_method():
    InvoiceFactory(number="DD", debtor=DebtorFactory(payment_method=PaymentMethod.DIRECT_DEBIT))
    InvoiceFactory(number="POST", debtor=DebtorFactory(delivery_method=DeliveryMethod.POST))

    assert numbers("payment_method=direct_debit") == ["DD"]
    assert numbers("delivery_method=post") == ["POST"]


def test_it_filters_the_last_dunning_action_and_never_reminded():
    never = InvoiceFactory(number="NEVER")
    first = InvoiceFactory(number="FIRST")
    second = InvoiceFactory(number="SECOND")
    reminded(first, group_name="Herinnering 1")
    reminded(second, group_name="Aanmaning")

    assert numbers("last_action=never") == [never.number]
    assert numbers("last_action=Herinnering+1") == [first.number]
    assert numbers("last_action=Aanmaning") == [second.number]


def test_it_filters_the_date_of_the_last_dunning_action():
    recent = InvoiceFactory(number="RECENT")
    old = InvoiceFactory(number="OLD")
    reminded(recent, days=2)
    reminded(old, days=30)

    assert numbers(f"last_from={days_ago(5).isoformat()}") == ["RECENT"]
    assert numbers(f"last_to={days_ago(20).isoformat()}") == ["OLD"]


def test_it_filters_invoices_excluded_from_dunning_or_held():
    free = InvoiceFactory(number="FREE")
    disputed = InvoiceFactory(number="DISPUTED")
    ResponseFactory(debtor=disputed.debtor, invoices=[disputed], values={"text": "Klopt niet"})
    held = InvoiceFactory(number="HELD")
    DunningHoldFactory(invoice=held)

    assert numbers("excluded=no") == [free.number]
    assert sorted(numbers("excluded=yes")) == ["DISPUTED", "HELD"]
    assert numbers("excluded=response") == ["DISPUTED"]
    assert numbers("excluded=held") == ["HELD"]


def test_it_sorts_by_each_sortable_column():
    a = InvoiceFactory(
        number="A",
        amount=Decimal("300.00"),
        due_date=days_ago(30),
        collection_status_id="final_notice",
        debtor=DebtorFactory(payment_method=PaymentMethod.ONLINE, delivery_method="sms"),
    )
    b = InvoiceFactory(
        number="B",
        amount=Decimal("100.00"),
        due_date=days_ago(5),
        collection_status_id="reminder_1",
        debtor=DebtorFactory(payment_method=PaymentMethod.BANK_TRANSFER, delivery_method="email"),
    )

    assert numbers("sort=open_amount") == [b.number, a.number]
    assert numbers("sort=-open_amount") == [a.number, b.number]
    assert numbers("sort=due_date") == [a.number, b.number]
    assert numbers("sort=days_overdue") == [b.number, a.number]
    assert numbers("sort=-days_overdue") == [a.number, b.number]
    assert numbers("sort=status") == [b.number, a.number]
    assert numbers("sort=payment_method") == [b.number, a.number]
    assert numbers("sort=-delivery_method") == [a.number, b.number]


def test_it_gives_a_translated_error_for_a_letter_in_an_amount():
    assert "open_amount_min" in errors("open_amount_min=abc")
    [dutch] = errors("open_amount_min=abc", "nl")["open_amount_min"]
    assert "getal" in dutch


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("open_amount_min=100&open_amount_max=10", "open_amount_max"),
        ("due_from=2026-02-01&due_to=2026-01-01", "due_to"),
        ("overdue_min=20&overdue_max=7", "overdue_max"),
        ("last_from=2026-02-01&last_to=2026-01-01", "last_to"),
    ],
)
def test_it_refuses_a_reversed_range_on_its_end(query, field):
    assert list(errors(query)) == [field]


@pytest.mark.parametrize(
    "query",
    [
        "due_from=yesterday",
        "overdue_min=1.5",
        "overdue_min=-1",
        "open_amount_min=-5",
        "open_amount_max=1e400",
        "status=no-such-status",
        "payment_method=cash",
        "excluded=maybe",
        "sort=secret_field",
        "debtor=" + "x" * 201,
    ],
)
def test_it_refuses_a_saved_query_it_cannot_read_instead_of_selecting_more(query):
    InvoiceFactory()

    with pytest.raises(ApplicationError) as refused:
        invoices_filtered(query)

    assert refused.value.errors


def test_it_keeps_the_filter_but_not_the_page_of_a_query_string():
    assert selection_query(QueryDict("debtor=jansen&page=3&sort=-open_amount")) == (
        "debtor=jansen&sort=-open_amount"
    )
