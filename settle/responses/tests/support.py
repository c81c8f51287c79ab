"""Helpers shared by the responses tests (their fixtures are in conftest.py)."""

from django.urls import reverse

from settle.portal.services import portal_link_issue


def portal_sign_in(client, debtor):
    """Sign `debtor` in the way a browser does: open the link, press the button."""
    issued = portal_link_issue(debtor=debtor)
    response = client.post(reverse("portal:link", kwargs={"key": issued.key}))
    assert response.status_code == 302
    return client
