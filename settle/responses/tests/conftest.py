import pytest

from settle.responses.tests.support import portal_sign_in


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
