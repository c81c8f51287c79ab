"""The "End arrangement" form on a running arrangement's page."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from settle.arrangements.models import ArrangementState
from settle.arrangements.tests.factories import invoices_of, propose
from settle.backoffice.tests.support import errors_after
from settle.correspondence.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def running(alice):
    arrangement = propose(
        alice, invoices_of(alice, "300.00"), count=3, first_date=timezone.localdate()
    )
    assert arrangement.state == ArrangementState.ACCEPTED
    return arrangement


def end_url(arrangement) -> str:
    return reverse("backoffice:arrangement_end", args=[arrangement.pk])


def test_it_offers_the_form_on_a_running_arrangement_only(bob_client, running, alice):
    page = bob_client.get(running.get_absolute_url()).content.decode()
    assert "End arrangement" in page and f'action="{end_url(running)}"' in page

    proposal = propose(
        alice, invoices_of(alice, "700.00"), count=7, first_date=timezone.localdate()
    )
    page = bob_client.get(proposal.get_absolute_url()).content.decode()
    assert f'action="{end_url(proposal)}"' not in page


def test_it_ends_the_arrangement_and_shows_the_reason(bob_client, running):
    response = bob_client.post(end_url(running), {"reason": "Asked by phone."})

    assert response.status_code == 302
    page = bob_client.get(response.url).content.decode()
    assert "The arrangement has been ended; the debtor is told why. Dunning resumes." in page
    assert "Ended early" in page and "Asked by phone." in page
    assert "Cancelled" in page
    assert 'action="' + end_url(running) + '"' not in page
    assert Message.objects.filter(kind="arrangement_ended").count() == 1


def test_it_refuses_without_a_reason_next_to_the_field(bob_client, running):
    response = bob_client.post(end_url(running), {"reason": "  "})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="end_reason_error"><li>This field is required.' in html
    running.refresh_from_db()
    assert running.state == ArrangementState.ACCEPTED


def test_it_refuses_an_arrangement_that_is_not_running_with_a_message(bob_client, running):
    bob_client.post(end_url(running), {"reason": "Asked by phone."})

    again = bob_client.post(end_url(running), {"reason": "Once more."})

    assert again.status_code == 302
    assert errors_after(bob_client, again) == [
        "Only a running arrangement can be ended; this one is ended early."
    ]
    assert Message.objects.filter(kind="arrangement_ended").count() == 1


def test_it_asks_an_anonymous_visitor_to_sign_in(client, running):
    response = client.post(end_url(running), {"reason": "x"})

    assert response.status_code == 302
    running.refresh_from_db()
    assert running.state == ArrangementState.ACCEPTED
