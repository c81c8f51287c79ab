from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from settle.portal.models import PortalEvent, PortalEventKind
from settle.portal.tests.support import text_of, without_csrf_tokens
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

NEW_LINK = reverse("portal:new_link")


def _ask(client, identifier: str, address: str = "192.0.2.1"):
    """Post the form as a browser would and return (status, Location, the page shown next)."""
    posted = client.post(NEW_LINK, {"identifier": identifier}, REMOTE_ADDR=address)
    shown = client.get(posted["Location"]) if posted.status_code == 302 else posted
    return posted.status_code, posted.get("Location"), without_csrf_tokens(text_of(shown))


def test_it_answers_the_same_for_known_and_unknown_details(alice):
    InvoiceFactory(debtor=alice, number="F-ALICE-1")
    answers = {}
    for identifier in (
        "alice@example.test",
        "ALICE@example.test",
        "nobody@example.test",
        "F-ALICE-1",
        "F-NOBODY",
    ):
        answers[identifier] = _ask(Client(), identifier)

    assert len(set(answers.values())) == 1, answers.keys()
    status, location, page = answers["nobody@example.test"]
    assert (status, location) == (302, NEW_LINK)
    # No Accept-Language and no debtor: the portal's default language, Dutch.
    with translation.override("nl"):
        answer = gettext(
            "If we know these details, a new link is on its way to the contact details we have "
            "on file."
        )
    assert escape(answer) in page


def test_it_records_a_request_for_a_known_debtor(client, alice, carol):
    InvoiceFactory(debtor=alice, number="F-ALICE-1")

    _ask(client, "F-ALICE-1")
    _ask(client, "carol@example.test")
    _ask(client, "nobody@example.test")

    requested = PortalEvent.objects.filter(kind=PortalEventKind.NEW_LINK_REQUESTED)
    assert sorted(e.debtor.number for e in requested) == ["D-ALICE", "D-CAROL"]


def test_it_records_nothing_for_an_inactive_debtor(client, alice):
    alice.active = False
    alice.save()

    _ask(client, "alice@example.test")

    assert not PortalEvent.objects.exists()


def test_it_asks_again_for_an_empty_form(client):
    response = client.post(NEW_LINK, {"identifier": "   "})

    assert response.status_code == 200
    assert 'aria-invalid="true"' in text_of(response)


def test_it_limits_requests_per_address(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        statuses = [_ask(client, "alice@example.test")[0] for _ in range(6)]
        other_address = _ask(client, "alice@example.test", address="192.0.2.2")[0]
        traveller.shift(timedelta(hours=1))
        later = _ask(client, "alice@example.test")[0]

    assert statuses == [302] * 5 + [429]
    assert other_address == 302
    assert later == 302
    assert PortalEvent.objects.filter(kind=PortalEventKind.NEW_LINK_REQUESTED).count() == 7


def test_it_shows_the_form(client):
    html = text_of(client.get(NEW_LINK))

    assert '<label for="id_identifier">' in html


def test_it_sends_a_new_link_to_the_address_on_file_once_per_window(client, alice):
    from settle.correspondence.models import Message

    InvoiceFactory(debtor=alice, number="F-ALICE-1")

    _ask(client, "F-ALICE-1")
    _ask(Client(), "F-ALICE-1", address="192.0.2.2")

    [message] = Message.objects.filter(debtor=alice)
    assert message.recipient == "alice@example.test"
    assert message.kind == "portal_invitation"
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        _ask(Client(), "alice@example.test", address="192.0.2.3")
    assert Message.objects.filter(debtor=alice).count() == 2


def test_it_sends_by_sms_when_there_is_no_address(client, alice):
    from settle.correspondence.models import Channel, Message

    alice.email = ""
    alice.save()
    InvoiceFactory(debtor=alice, number="F-ALICE-1")

    _ask(client, "F-ALICE-1")

    [message] = Message.objects.filter(debtor=alice)
    assert (message.channel, message.recipient) == (Channel.SMS, alice.mobile)
