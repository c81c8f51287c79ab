"""Every portal page: a Content-Security-Policy that allows no inline script or style and no other
origin, and HTML that needs neither (no inline <script>, no style attribute, no event handler
attribute), so the policy breaks nothing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from settle.portal.services import portal_link_issue
from settle.portal.tests.support import (
    link_path,
    path_parameters,
    portal_patterns,
    sign_in,
    text_of,
)
from settle.portal.tokens import key_new
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

ALLOWED_SOURCES = {"'self'", "'none'", "data:"}
INLINE_SCRIPT_RE = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE_RE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE_RE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _check_page(label: str, response) -> None:
    assert response["Content-Type"].startswith("text/html"), label
    policy = _policy(response)
    assert policy, f"{label}: no Content-Security-Policy"
    for directive in ("default-src", "script-src", "style-src", "object-src", "base-uri"):
        assert directive in policy, f"{label}: no {directive}"
    for directive, sources in policy.items():
        assert set(sources) <= ALLOWED_SOURCES, f"{label}: {directive} {sources}"
    assert policy["frame-ancestors"] == ["'none'"], label
    html = text_of(response)
    assert not INLINE_SCRIPT_RE.search(html), f"{label}: inline script"
    assert "<style" not in html.lower(), f"{label}: style element"
    assert not STYLE_ATTRIBUTE_RE.search(html), f"{label}: style attribute"
    assert not HANDLER_ATTRIBUTE_RE.search(html), f"{label}: event handler attribute"


def _pages(client: Client, invoice_id: int):
    """Every page of the portal urlconf as this client sees it, followed through redirects."""
    for name, pattern in portal_patterns():
        kwargs = {
            param: invoice_id if kind == "int" else key_new()
            for param, kind in path_parameters(pattern).items()
        }
        url = reverse(name, kwargs=kwargs)
        for query in ({}, {"invoice": invoice_id}, {"invoice": invoice_id, "type": "complaint"}):
            response = client.get(url, query, follow=True)
            if response["Content-Type"].startswith("text/html"):
                yield f"GET {url} {query}", response


def test_it_sends_a_strict_policy_on_every_portal_page(client, carol):
    invoice = InvoiceFactory(debtor=carol)
    pages = list(_pages(Client(), invoice.pk))
    sign_in(client, carol)
    pages += list(_pages(client, invoice.pk))

    for label, response in pages:
        _check_page(label, response)
    assert len(pages) >= 2 * len(dict(portal_patterns()))


def test_it_sends_a_strict_policy_on_the_link_neutral_and_limit_pages(client, alice):
    key = portal_link_issue(debtor=alice).key
    pages = {
        "link": client.get(link_path(key)),
        "invalid": client.post(link_path(key_new())),
        "new link sent": client.post(
            reverse("portal:new_link"), {"identifier": "x@example.test"}, follow=True
        ),
    }
    # The limiter counts per clock minute; 45 failures fill at least one minute past its 20.
    for _ in range(45):
        if client.get(link_path(key_new())).status_code == 429:
            break
    pages["too many"] = client.get(link_path(key))
    assert pages["too many"].status_code == 429

    for label, response in pages.items():
        _check_page(label, response)
