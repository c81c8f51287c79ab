import pytest
from django.core.cache import cache
from django.urls import reverse

from settle.portal.services import portal_link_issue


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _signed_in(client, debtor):
    """Sign `debtor` in the way a browser does: open the link, press the button."""
    issued = portal_link_issue(debtor=debtor)
    response = client.post(reverse("portal:link", kwargs={"key": issued.key}))
    assert response.status_code == 302
    return client


@pytest.fixture
def alice_portal(client, alice):
    """A client signed in to the portal as alice (Dutch)."""
    return _signed_in(client, alice)


@pytest.fixture
def carol_portal(client, carol):
    """A client signed in to the portal as carol (English)."""
    return _signed_in(client, carol)
