import pytest
from django.test import Client

from settle.api.services import api_key_create


@pytest.fixture
def api_key(db):
    """A live key and its row: (ApiKey, key)."""
    return api_key_create(name="ERP")


@pytest.fixture
def api_client(api_key):
    """A client that sends the ERP's key, asking for English answers."""
    _row, key = api_key
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


@pytest.fixture
def anonymous_client(db):
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploaded documents go to a throwaway directory, not the developer's var/.
    settings.MEDIA_ROOT = tmp_path / "media"
