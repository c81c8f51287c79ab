"""The portal's language switch on a response page with errors (shown in answer to a POST)
returns to a page that answers a GET: the same response page, with what was typed kept in the
session (settle/responses/drafts.py), never an address from a Referer."""

import html
import re
import secrets

import pytest
from django.urls import reverse

from settle.portal.tests.support import sign_in, text_of
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
RESPOND = reverse("portal:respond")


def language_next(page) -> str:
    match = re.search(r'<form class="lang".*?name="next" value="([^"]*)"', text_of(page), re.S)
    assert match, "the page has no language switch"
    return html.unescape(match.group(1))


def refused_response(client, invoice, **headers):
    """A complaint without its text: the page comes back with the error, at the POST's address."""
    page = client.post(
        RESPOND,
        {
            "invoice": [str(invoice.pk)],
            "type": "complaint",
            "submission_key": secrets.token_urlsafe(24),
        },
        headers=headers,
    )
    assert page.status_code == 200
    assert 'aria-invalid="true"' in text_of(page)
    return page


def test_it_stays_on_the_response_page_after_a_refused_response(client, alice):
    sign_in(client, alice)
    invoice = InvoiceFactory(debtor=alice)
    same_page = f"{RESPOND}?invoice={invoice.pk}&type=complaint&draft=1"

    page = refused_response(client, invoice)

    assert language_next(page) == same_page
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": language_next(page)}, follow=True
    )
    assert switched.status_code == 200
    assert switched.redirect_chain == [(same_page, 302)]
    assert '<html lang="en">' in text_of(switched)
    assert 'aria-invalid="true"' in text_of(switched)


def test_it_stays_on_the_response_page_whatever_page_it_came_from(client, alice):
    sign_in(client, alice)
    invoice = InvoiceFactory(debtor=alice)
    came_from = f"{RESPOND}?invoice={invoice.pk}&type=complaint"

    page = refused_response(client, invoice, referer=f"http://testserver{came_from}")

    assert language_next(page) == came_from + "&draft=1"


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/portal/respond/",
        "http://testserver//evil.example/portal/",
        "http://testserver/backoffice/",
    ],
)
def test_it_ignores_a_referer_from_elsewhere(client, alice, referer):
    sign_in(client, alice)

    invoice = InvoiceFactory(debtor=alice)

    page = refused_response(client, invoice, referer=referer)

    assert language_next(page) == f"{RESPOND}?invoice={invoice.pk}&type=complaint&draft=1"
