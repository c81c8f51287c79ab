import pytest
from django.urls import reverse

from settle.portal.services import portal_link_issue


def portal_sign_in(client, debtor):
    """Sign `debtor` in the way a browser does: open the link, press the button."""
    issued = portal_link_issue(debtor=debtor)
    response = client.post(reverse("portal:link", kwargs={"key": issued.key}))
    assert response.status_code == 302
    return client


@pytest.fixture
def alice_portal(client, alice):
    """A client signed in to the portal as alice (Dutch)."""
    return portal_sign_in(client, alice)


@pytest.fixture
def carol_portal(client, carol):
    """A client signed in to the portal as carol (English)."""
    return portal_sign_in(client, carol)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of a test land in its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
