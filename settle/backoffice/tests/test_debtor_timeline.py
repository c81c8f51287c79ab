import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from settle.backoffice.selectors import debtor_timeline
from settle.portal.models import PortalEvent, PortalLink
from settle.portal.services import portal_link_issue, portal_link_request, portal_link_revoke
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.closing import response_close
from settle.responses.models import Response, ResponseType
from settle.responses.services import response_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def submit(debtor, code: str, invoices, values) -> Response:
    return response_submit(
        debtor=debtor,
        response_type=ResponseType.objects.get(code=code),
        invoices=invoices,
        values=values,
        submission_key=secrets.token_urlsafe(24),
    )


def sign_in(key: str) -> int:
    return Client().post(reverse("portal:link", kwargs={"key": key})).status_code


def test_it_merges_portal_events_and_responses_newest_first(bob, alice, carol):
    issued = portal_link_issue(debtor=alice, created_by=bob)
    assert sign_in(issued.key) == 302
    expired = portal_link_issue(debtor=alice)
    PortalLink.objects.filter(pk=expired.link.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert sign_in(expired.key) == 200
    invoice = InvoiceFactory(debtor=alice, number="F-300")
    promise = submit(alice, "promise", [invoice], {"promised_date": "2030-01-01"})
    portal_link_revoke(link=issued.link, revoked_by=bob)
    # Without contact details the request is only recorded, so no link or message joins in.
    type(alice).objects.filter(pk=alice.pk).update(email="", mobile="")
    portal_link_request(identifier="F-300")
    portal_link_issue(debtor=carol)
    # Spread the rows over time so the order is certain on any clock resolution.
    start = timezone.now() - timedelta(hours=1)
    for minutes, event in enumerate(PortalEvent.objects.filter(debtor=alice).order_by("pk")):
        PortalEvent.objects.filter(pk=event.pk).update(
            created_at=start + timedelta(minutes=minutes * 10)
        )
    Response.objects.filter(pk=promise.pk).update(created_at=start + timedelta(minutes=25))

    with translation.override("en"):
        # The messages these steps queue have a test of their own (test_messages_views.py).
        entries = [e for e in debtor_timeline(debtor=alice) if e.source != "message"]

    assert [(entry.title, entry.detail) for entry in entries] == [
        ("New link requested", ""),
        ("Link revoked", ""),
        # The promise's confirmation e-mail issues no link (it points to the new-link page).
        ("Link refused", "expired"),
        ("Response: I will pay", "F-300"),
        ("Link created", ""),
        ("Signed in with link", ""),
        ("Link created", ""),
    ]
    assert entries[1].actor == "Bob"
    assert entries[3].state == "open"
    assert entries[3].url == reverse("backoffice:response_detail", args=[promise.pk])


def test_it_shows_the_timeline_on_the_debtors_page(bob_client, alice):
    portal_link_issue(debtor=alice)
    invoice = InvoiceFactory(debtor=alice)
    complaint = submit(alice, "complaint", [invoice], {"text": "Wrong"})
    response_close(response=complaint, note="ok")

    html = bob_client.get(alice.get_absolute_url()).content.decode()

    assert "Timeline" in html
    assert "Link created" in html
    assert "Response: Complaint" in html
    assert 'state--response-closed">Closed<' in html
    assert reverse("backoffice:response_detail", args=[complaint.pk]) in html


def test_it_says_when_nothing_happened_yet(bob_client, alice):
    assert "Nothing has happened yet." in bob_client.get(alice.get_absolute_url()).content.decode()


def test_it_builds_the_debtors_page_at_a_constant_query_cost(bob_client, bob, alice):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert bob_client.get(alice.get_absolute_url()).status_code == 200
        return len(queries)

    invoice = InvoiceFactory(debtor=alice)
    portal_link_issue(debtor=alice, created_by=bob)
    submit(alice, "complaint", [invoice], {"text": "x"})
    one = page_queries()
    for _ in range(6):
        issued = portal_link_issue(debtor=alice, created_by=bob)
        sign_in(issued.key)
        portal_link_revoke(link=issued.link, revoked_by=bob)
        submit(alice, "promise", [InvoiceFactory(debtor=alice)], {"promised_date": "2030-01-01"})

    assert page_queries() == one


def test_it_caps_the_timeline(alice):
    for _ in range(5):
        portal_link_issue(debtor=alice)

    assert len(debtor_timeline(debtor=alice, limit=3)) == 3
