from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from settle.common.errors import ApplicationError
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.closing import response_close
from settle.responses.models import ResponseState, ResponseType
from settle.responses.selectors import invoices_excluded_from_dunning
from settle.responses.tests.factories import ResponseFactory, status_line

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOME = reverse("portal:home")


def test_it_closes_an_open_response_with_a_note(alice, bob):
    response = ResponseFactory(debtor=alice, invoices=[InvoiceFactory(debtor=alice)])

    with time_machine.travel(datetime(2026, 3, 4, 10, 30, tzinfo=AMSTERDAM), tick=False):
        closed = response_close(response=response, closed_by=bob, note="  Credited in full.  ")

    closed.refresh_from_db()
    assert closed.state == ResponseState.CLOSED
    assert closed.closed_at == datetime(2026, 3, 4, 10, 30, tzinfo=AMSTERDAM)
    assert closed.closed_by == bob
    assert closed.close_note == "Credited in full."


def test_it_closes_a_response_only_once(alice, bob, dave):
    response = ResponseFactory(debtor=alice, invoices=[InvoiceFactory(debtor=alice)])
    response_close(response=response, closed_by=bob, note="first")

    # Matched in the source language, English, whatever the default language is.
    with translation.override("en"), pytest.raises(ApplicationError, match="already been closed"):
        response_close(response=response, closed_by=dave, note="second")

    response.refresh_from_db()
    assert response.closed_by == bob
    assert response.close_note == "first"


def test_it_closes_a_stale_copy_only_once(alice, bob):
    response = ResponseFactory(debtor=alice)
    stale = type(response).objects.get(pk=response.pk)
    response_close(response=response, closed_by=bob)

    with pytest.raises(ApplicationError):
        response_close(response=stale, closed_by=bob, note="late")


def test_it_lifts_the_dunning_exclusion(alice, bob):
    invoice = InvoiceFactory(debtor=alice)
    response = ResponseFactory(
        debtor=alice,
        response_type=ResponseType.objects.get(code="complaint"),
        invoices=[invoice],
    )
    assert list(invoices_excluded_from_dunning()) == [invoice]

    response_close(response=response, closed_by=bob)

    assert list(invoices_excluded_from_dunning()) == []


def test_it_keeps_the_exclusion_while_another_excluding_response_is_open(alice, bob):
    invoice = InvoiceFactory(debtor=alice)
    complaint = ResponseFactory(debtor=alice, invoices=[invoice])
    ResponseFactory(
        debtor=alice, response_type=ResponseType.objects.get(code="promise"), invoices=[invoice]
    )

    response_close(response=complaint, closed_by=bob)

    assert list(invoices_excluded_from_dunning()) == [invoice]


def test_it_shows_the_collection_status_again_once_closed(alice_portal, alice, bob):
    invoice = InvoiceFactory(debtor=alice)
    response = ResponseFactory(debtor=alice, invoices=[invoice])
    with translation.override("nl"):
        complaint = escape(status_line(response))
        collection = escape(invoice.collection_status.label)
    before = alice_portal.get(HOME).content.decode()

    response_close(response=response, closed_by=bob)

    after = alice_portal.get(HOME).content.decode()
    assert complaint in before
    assert complaint not in after
    assert collection in after
