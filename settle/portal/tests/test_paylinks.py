"""Pay links: signed, short, naming their debtor's invoices, expiring on the server; and the
values a message gets from them (`message_pay_values`)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from settle.payments.configuration import PaymentsConfig
from settle.portal.models import PayLink
from settle.portal.paylinks import (
    PayLinkExpired,
    PayLinkInvalid,
    message_pay_values,
    pay_link_read,
    pay_link_url,
)
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

BASE = "https://incasso.example.test"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.SETTLE_BASE_URL = BASE
    settings.SETTLE_PAYMENTS = PaymentsConfig(provider="demo")


def _token(url: str) -> str:
    assert url.startswith(BASE + "/pay/")
    return url.removeprefix(BASE + "/pay/")


def _link(debtor, invoices, days=14):
    return pay_link_url(
        debtor=debtor, invoices=invoices, expires_at=timezone.now() + timedelta(days=days)
    )


def test_it_reads_back_the_debtor_invoices_and_expiry_of_a_link(alice):
    first, second = InvoiceFactory(debtor=alice), InvoiceFactory(debtor=alice)
    expires_at = timezone.now() + timedelta(days=14)

    url = pay_link_url(debtor=alice, invoices=[first, second], expires_at=expires_at)

    claim = pay_link_read(token=_token(url))
    assert claim.debtor_id == alice.pk
    assert claim.invoice_ids == [first.pk, second.pk]
    assert claim.expires_at == expires_at


def test_it_keeps_the_token_short_enough_for_an_sms(alice):
    for _n in range(3):
        url = _link(alice, [InvoiceFactory(debtor=alice)])
    assert len(_token(url)) <= 50
    # Only URL-safe characters: the token survives SMS apps that cut links at odd ones.
    assert all(c.isalnum() or c in "-_." for c in _token(url))


def test_it_refuses_a_token_with_an_altered_signature(alice):
    token = _token(_link(alice, [InvoiceFactory(debtor=alice)]))
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(PayLinkInvalid):
        pay_link_read(token=altered)


def test_it_refuses_a_token_naming_another_link_with_the_first_ones_signature(alice, carol):
    alices = _token(_link(alice, [InvoiceFactory(debtor=alice)]))
    carols = _token(_link(carol, [InvoiceFactory(debtor=carol)]))
    value, signature = alices.split(".")
    other_value = carols.split(".")[0]
    assert other_value != value
    with pytest.raises(PayLinkInvalid):
        pay_link_read(token=f"{other_value}.{signature}")


def test_it_refuses_a_token_signed_for_something_else(alice):
    link = PayLink.objects.create(
        debtor=alice, invoice_ids=[], expires_at=timezone.now() + timedelta(days=1)
    )
    # A value signed with the same key for another purpose (another salt) is no pay link.
    forged = signing.Signer(salt="settle.portal.other", sep=".").sign(str(link.pk))
    with pytest.raises(PayLinkInvalid):
        pay_link_read(token=forged)
    with pytest.raises(PayLinkInvalid):
        pay_link_read(token="not-a-token")


def test_it_refuses_a_link_that_no_longer_exists(alice):
    token = _token(_link(alice, [InvoiceFactory(debtor=alice)]))
    PayLink.objects.all().delete()
    with pytest.raises(PayLinkInvalid):
        pay_link_read(token=token)


def test_it_refuses_an_expired_link_and_says_whose_it_was(alice):
    token = _token(_link(alice, [InvoiceFactory(debtor=alice)], days=14))
    pay_link_read(token=token)
    later = timezone.now() + timedelta(days=14, seconds=1)
    with time_machine.travel(later, tick=False), pytest.raises(PayLinkExpired) as refused:
        pay_link_read(token=token)
    assert refused.value.claim.debtor_id == alice.pk


def test_it_refuses_to_name_invoices_of_another_debtor(alice, carol):
    with pytest.raises(ValueError):
        _link(alice, [InvoiceFactory(debtor=carol)])
    assert not PayLink.objects.exists()


def test_it_gives_a_message_a_pay_link_for_its_open_invoices(alice):
    open_invoice = InvoiceFactory(debtor=alice)
    paid = InvoiceFactory(debtor=alice, open_amount=Decimal("0.00"))
    expires_at = timezone.now() + timedelta(days=14)

    values = message_pay_values(
        debtor=alice, invoices=[open_invoice, paid], link_expires_at=expires_at
    )

    assert values["online_payment"] is True
    claim = pay_link_read(token=_token(values["pay_link"]))
    assert claim.invoice_ids == [open_invoice.pk]
    assert claim.expires_at == expires_at


def test_it_gives_no_pay_link_where_nothing_is_open(alice):
    paid = InvoiceFactory(debtor=alice, open_amount=Decimal("0.00"))
    values = message_pay_values(
        debtor=alice, invoices=[paid], link_expires_at=timezone.now() + timedelta(days=1)
    )
    assert values == {"online_payment": True, "pay_link": ""}
    assert not PayLink.objects.exists()


def test_it_gives_no_pay_link_to_a_message_without_a_fresh_portal_link(alice):
    values = message_pay_values(
        debtor=alice, invoices=[InvoiceFactory(debtor=alice)], link_expires_at=None
    )
    assert values == {"online_payment": True, "pay_link": ""}
    assert not PayLink.objects.exists()


def test_it_says_nothing_of_paying_online_without_a_provider(settings, alice):
    settings.SETTLE_PAYMENTS = PaymentsConfig()
    values = message_pay_values(
        debtor=alice,
        invoices=[InvoiceFactory(debtor=alice)],
        link_expires_at=timezone.now() + timedelta(days=1),
    )
    assert values == {"online_payment": False, "pay_link": ""}
    assert not PayLink.objects.exists()


def test_it_gives_a_preview_a_stand_in_and_creates_nothing():
    values = message_pay_values(
        debtor=None, invoices=[], link_expires_at=timezone.now() + timedelta(days=1)
    )
    assert values == {"online_payment": True, "pay_link": BASE + "/pay/PREVIEW"}
    assert not PayLink.objects.exists()
