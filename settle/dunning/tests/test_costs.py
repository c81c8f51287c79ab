"""Statutory collection costs, commercial interest, and the values messages get from them."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Message, MessageStatus
from settle.correspondence.services import message_send
from settle.dunning.costs import (
    COMPENSATION_FEE,
    collection_costs,
    commercial_interest,
    costs_deadline,
    interest_rates,
    message_cost_values,
)
from settle.receivables.models import DebtorKind
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

# The worked examples of /work/shared/reference/statutory-collection-costs.md (the scale of the
# Besluit vergoeding voor buitengerechtelijke incassokosten, Stb. 2012, 141), copied as given.
PUBLISHED_EXAMPLES = [
    ("100.00", "40.00"),  # the minimum
    ("266.67", "40.00"),
    ("1000.00", "150.00"),
    ("2500.00", "375.00"),
    ("3000.00", "425.00"),
    ("5000.00", "625.00"),
    ("10000.00", "875.00"),
    ("200000.00", "2775.00"),
    ("1000000.00", "6775.00"),  # the maximum
]


@pytest.mark.parametrize(("principal", "costs"), PUBLISHED_EXAMPLES)
def test_it_computes_the_published_examples_of_the_scale(principal, costs):
    assert collection_costs(Decimal(principal)) == Decimal(costs)


@pytest.mark.parametrize(
    ("principal", "costs"),
    [
        ("0.00", "0.00"),  # nothing owed, nothing to charge
        ("266.66", "40.00"),
        ("266.70", "40.01"),  # 15 % passes the minimum
        ("1234.57", "185.19"),  # 185.1855 rounds half up to cents
        ("7500.00", "750.00"),  # 375 + 250 + 5 % of 2,500
        ("950000.00", "6525.00"),  # 2,775 + 0.5 % of 750,000, just under the maximum
        ("5000000.00", "6775.00"),
    ],
)
def test_it_applies_the_bands_the_minimum_and_the_maximum(principal, costs):
    assert collection_costs(Decimal(principal)) == Decimal(costs)


RATES = [
    (date(2024, 1, 1), Decimal("12.50")),
    (date(2024, 7, 1), Decimal("12.25")),
    (date(2025, 1, 1), Decimal("11.15")),
    (date(2025, 7, 1), Decimal("10.15")),
]


def test_it_computes_simple_interest_within_one_period():
    # 1,000 × 10.15 % × 30/365 = 8.3424…
    interest = commercial_interest(
        principal=Decimal("1000.00"),
        due_date=date(2025, 7, 1),
        until=date(2025, 7, 31),
        rates=RATES,
    )

    assert interest == Decimal("8.34")


def test_it_gives_each_day_the_rate_of_its_period():
    # 2 … 31 December 2024 (30 days) at 12.25 %, 1 … 31 January 2025 (31 days) at 11.15 %.
    interest = commercial_interest(
        principal=Decimal("1000.00"),
        due_date=date(2024, 12, 1),
        until=date(2025, 1, 31),
        rates=reversed(RATES),
    )

    assert interest == Decimal("19.54")  # 10.0685 + 9.4699


def test_it_compounds_the_interest_after_each_full_year():
    rates = [(date(2020, 1, 1), Decimal("10.00"))]

    interest = commercial_interest(
        principal=Decimal("1000.00"), due_date=date(2023, 1, 1), until=date(2025, 1, 1), rates=rates
    )

    # Year one: 100.00; year two on 1,100.00 over 366 days (2024 is a leap year): 110.30.
    # Simple interest would have been 200.27.
    assert interest == Decimal("210.30")


def test_it_charges_no_interest_before_the_due_date_has_passed():
    assert commercial_interest(
        principal=Decimal("1000.00"), due_date=date(2025, 7, 1), until=date(2025, 7, 1), rates=RATES
    ) == Decimal("0.00")


def test_it_charges_nothing_for_days_before_the_rate_table_starts():
    interest = commercial_interest(
        principal=Decimal("1000.00"),
        due_date=date(2023, 12, 1),
        until=date(2024, 1, 10),
        rates=RATES,
    )

    # Only 1 … 10 January 2024 has a known rate: 1,000 × 12.5 % × 10/365 = 3.4246…
    assert interest == Decimal("3.42")


def test_it_gives_the_last_day_to_pay_without_costs_after_delivery_and_the_term():
    assert costs_deadline(date(2026, 12, 4)) == date(2026, 12, 20)


@pytest.mark.django_db
def test_it_seeds_the_published_commercial_rates():
    assert interest_rates()[:4] == RATES


TODAY = date(2026, 12, 4)


def _consumer_with_invoices():
    debtor = DebtorFactory(kind=DebtorKind.CONSUMER, name="Carla Consument")
    overdue = [
        InvoiceFactory(
            debtor=debtor, open_amount=Decimal("1000.00"), due_date=TODAY - timedelta(days=30)
        ),
        InvoiceFactory(
            debtor=debtor, open_amount=Decimal("500.00"), due_date=TODAY - timedelta(days=10)
        ),
    ]
    not_due = InvoiceFactory(
        debtor=debtor, open_amount=Decimal("900.00"), due_date=TODAY + timedelta(days=5)
    )
    return debtor, overdue, not_due


def _fourteen_day_letter(debtor, invoices, *, days_ago, status=MessageStatus.SENT):
    sent_at = datetime.combine(TODAY, time(12), tzinfo=timezone.get_default_timezone())
    message = Message.objects.create(
        channel=Channel.LETTER,
        recipient="Dorpsstraat 1",
        debtor=debtor,
        cause="dunning",
        idempotency_key=f"letter-{debtor.pk}-{days_ago}",
        kind=Kind.FOURTEEN_DAY_LETTER,
        status=status,
        sent_at=sent_at - timedelta(days=days_ago),
        due_at=sent_at - timedelta(days=days_ago),
    )
    message.invoices.set(invoices)
    return message


@pytest.mark.django_db
def test_it_gives_a_consumer_the_costs_over_the_overdue_amount_and_the_deadline():
    debtor, overdue, not_due = _consumer_with_invoices()

    values = message_cost_values(
        debtor=debtor, invoices=[*overdue, not_due], kind=Kind.FOURTEEN_DAY_LETTER, today=TODAY
    )

    assert values == {
        "collection_costs": Decimal("225.00"),  # 15 % of 1,500; the 900 is not due yet
        "collection_costs_deadline": date(2026, 12, 20),
        "collection_costs_chargeable": False,
        "commercial_interest": "",
        "compensation_fee": "",
    }


@pytest.mark.django_db
def test_it_makes_the_costs_chargeable_once_the_term_of_the_14_day_letter_has_passed():
    debtor, overdue, _not_due = _consumer_with_invoices()
    _fourteen_day_letter(debtor, overdue, days_ago=17)

    values = message_cost_values(debtor=debtor, invoices=overdue, kind=Kind.REMINDER_2, today=TODAY)

    assert values["collection_costs_chargeable"] is True
    assert values["collection_costs"] == Decimal("225.00")


@pytest.mark.django_db
def test_it_keeps_the_costs_unchargeable_on_the_last_day_of_the_term():
    debtor, overdue, _not_due = _consumer_with_invoices()
    _fourteen_day_letter(debtor, overdue, days_ago=16)

    values = message_cost_values(debtor=debtor, invoices=overdue, kind=Kind.REMINDER_2, today=TODAY)

    assert values["collection_costs_chargeable"] is False


@pytest.mark.django_db
def test_it_keeps_the_costs_unchargeable_while_an_invoice_had_no_14_day_letter():
    debtor, overdue, _not_due = _consumer_with_invoices()
    _fourteen_day_letter(debtor, overdue[:1], days_ago=30)

    values = message_cost_values(
        debtor=debtor, invoices=overdue, kind=Kind.FINAL_NOTICE, today=TODAY
    )

    assert values["collection_costs_chargeable"] is False


@pytest.mark.django_db
def test_it_does_not_count_a_14_day_letter_that_failed():
    debtor, overdue, _not_due = _consumer_with_invoices()
    _fourteen_day_letter(debtor, overdue, days_ago=30, status=MessageStatus.FAILED)

    values = message_cost_values(
        debtor=debtor, invoices=overdue, kind=Kind.FINAL_NOTICE, today=TODAY
    )

    assert values["collection_costs_chargeable"] is False


@pytest.mark.django_db
def test_it_gives_a_business_interest_and_the_compensation_per_overdue_invoice():
    debtor = DebtorFactory(kind=DebtorKind.BUSINESS)
    invoices = [
        InvoiceFactory(debtor=debtor, open_amount=Decimal("1000.00"), due_date=date(2025, 7, 1)),
        InvoiceFactory(debtor=debtor, open_amount=Decimal("1000.00"), due_date=date(2024, 12, 1)),
        InvoiceFactory(debtor=debtor, open_amount=Decimal("0.00"), due_date=date(2024, 1, 1)),
    ]

    values = message_cost_values(
        debtor=debtor, invoices=invoices, kind=Kind.FINAL_NOTICE, today=date(2025, 7, 31)
    )

    assert values["compensation_fee"] == COMPENSATION_FEE * 2  # the paid one is not late
    expected = commercial_interest(
        principal=Decimal("1000.00"),
        due_date=date(2024, 12, 1),
        until=date(2025, 7, 31),
        rates=RATES,
    ) + Decimal("8.34")
    assert values["commercial_interest"] == expected
    assert values["collection_costs"] == ""
    assert values["collection_costs_chargeable"] is False


@pytest.mark.django_db
def test_it_never_leaves_the_costs_out_of_a_14_day_letter_to_a_business():
    debtor = DebtorFactory(kind=DebtorKind.BUSINESS)
    invoice = InvoiceFactory(
        debtor=debtor, open_amount=Decimal("1000.00"), due_date=TODAY - timedelta(days=30)
    )

    values = message_cost_values(
        debtor=debtor, invoices=[invoice], kind=Kind.FOURTEEN_DAY_LETTER, today=TODAY
    )

    assert values["collection_costs"] == Decimal("150.00")
    assert values["collection_costs_deadline"] == date(2026, 12, 20)
    assert values["collection_costs_chargeable"] is False


@pytest.mark.django_db
def test_it_gives_no_cost_values_to_kinds_that_show_none():
    debtor, overdue, _not_due = _consumer_with_invoices()

    assert (
        message_cost_values(debtor=debtor, invoices=overdue, kind=Kind.REMINDER_1, today=TODAY)
        == {}
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.mark.django_db
def test_it_writes_the_costs_and_the_deadline_in_a_consumers_14_day_letter(today):
    debtor = DebtorFactory(kind=DebtorKind.CONSUMER)
    invoice = InvoiceFactory(
        debtor=debtor, open_amount=Decimal("3000.00"), due_date=today - timedelta(days=20)
    )
    values = message_cost_values(
        debtor=debtor, invoices=[invoice], kind=Kind.FOURTEEN_DAY_LETTER, today=today
    )

    message = message_send(
        kind=Kind.FOURTEEN_DAY_LETTER,
        channel=Channel.EMAIL,
        debtor=debtor,
        cause="dunning",
        idempotency_key="fourteen-1",
        invoices=[invoice],
        extra=values,
    )

    assert message.status != MessageStatus.FAILED, message.last_error
    assert "€\xa0425,00" in message.body_text
    assert "binnen 14 dagen na de dag waarop u deze e-mail heeft ontvangen" in message.body_text
    deadline = today + timedelta(days=16)
    assert f"{deadline.day} " in message.body_text and str(deadline.year) in message.body_text


@pytest.mark.django_db
def test_it_shows_chargeable_costs_in_a_second_reminder_only_after_the_term(today):
    debtor = DebtorFactory(kind=DebtorKind.CONSUMER)
    invoice = InvoiceFactory(
        debtor=debtor, open_amount=Decimal("1000.00"), due_date=today - timedelta(days=40)
    )

    def send(key):
        values = message_cost_values(
            debtor=debtor, invoices=[invoice], kind=Kind.REMINDER_2, today=today
        )
        return message_send(
            kind=Kind.REMINDER_2,
            channel=Channel.EMAIL,
            debtor=debtor,
            cause="dunning",
            idempotency_key=key,
            invoices=[invoice],
            extra=values,
        )

    before = send("r2-before")
    letter = Message.objects.create(
        channel=Channel.LETTER,
        recipient="Dorpsstraat 1",
        debtor=debtor,
        cause="dunning",
        idempotency_key="fourteen-old",
        kind=Kind.FOURTEEN_DAY_LETTER,
        status=MessageStatus.SENT,
        sent_at=timezone.now() - timedelta(days=20),
        due_at=timezone.now() - timedelta(days=20),
    )
    letter.invoices.set([invoice])
    after = send("r2-after")

    assert "incassokosten" not in before.body_text
    assert "wettelijke incassokosten van €\xa0150,00" in after.body_text
    assert "wettelijke incassokosten van <strong>€\xa0150,00</strong>" in after.body_html


@pytest.mark.django_db
def test_it_still_sends_a_second_reminder_by_hand_without_cost_values():
    debtor = DebtorFactory(kind=DebtorKind.CONSUMER)
    InvoiceFactory(debtor=debtor, open_amount=Decimal("1000.00"))

    message = message_send(
        kind=Kind.FINAL_NOTICE,
        channel=Channel.EMAIL,
        debtor=debtor,
        cause="manual",
        idempotency_key="fn-by-hand",
    )

    assert message.status != MessageStatus.FAILED, message.last_error
    assert "handelsrente" not in message.body_text


@pytest.mark.django_db
def test_it_shows_a_business_the_interest_and_compensation_on_a_final_notice(today):
    debtor = DebtorFactory(kind=DebtorKind.BUSINESS)
    invoice = InvoiceFactory(
        debtor=debtor, open_amount=Decimal("1000.00"), due_date=today - timedelta(days=30)
    )
    values = message_cost_values(
        debtor=debtor, invoices=[invoice], kind=Kind.FINAL_NOTICE, today=today
    )

    message = message_send(
        kind=Kind.FINAL_NOTICE,
        channel=Channel.LETTER,
        debtor=debtor,
        cause="dunning",
        idempotency_key="fn-business",
        invoices=[invoice],
        extra=values,
    )

    assert message.status != MessageStatus.FAILED, message.last_error
    assert "wettelijke handelsrente" in message.body_html
    assert "<strong>€\xa040,00</strong>" in message.body_html
