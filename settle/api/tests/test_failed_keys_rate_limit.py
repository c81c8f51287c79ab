"""An address that keeps sending wrong API keys gets 429 with Retry-After, in JSON."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LIMIT = 10


@pytest.fixture
def minute():
    """Frozen 15 seconds into a minute, so the counting window does not roll over mid-test."""
    start = timezone.now().replace(second=15, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def _client(key: str, address: str = "198.51.100.20") -> Client:
    return Client(
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"}, REMOTE_ADDR=address
    )


def test_it_answers_429_with_retry_after_after_ten_wrong_keys_in_a_minute(minute):
    guesser = _client("stl_guess")
    assert [guesser.get("/api/v1/debtors").status_code for _ in range(LIMIT)] == [401] * LIMIT

    response = guesser.get("/api/v1/debtors")

    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "45"
    assert response.json()["detail"] == (
        "Too many requests with a wrong API key came from this address. Try again in 45 seconds."
    )


def test_it_refuses_even_the_right_key_from_that_address_until_the_minute_is_over(api_key, minute):
    guesser = _client("stl_guess")
    for _ in range(LIMIT + 1):
        guesser.get("/api/v1/debtors")

    assert _client(api_key[1]).get("/api/v1/debtors").status_code == 429
    assert _client(api_key[1], address="192.0.2.3").get("/api/v1/debtors").status_code == 200
    minute.shift(timedelta(seconds=46))
    assert _client(api_key[1]).get("/api/v1/debtors").status_code == 200


def test_it_does_not_count_requests_with_the_right_key(api_key, minute):
    erp = _client(api_key[1])
    assert {erp.get("/api/v1/debtors").status_code for _ in range(LIMIT * 2)} == {200}


def test_it_answers_in_dutch_when_asked(minute):
    guesser = Client(
        headers={"Authorization": "Bearer stl_guess", "Accept-Language": "nl"},
        REMOTE_ADDR="198.51.100.21",
    )
    for _ in range(LIMIT):
        guesser.get("/api/v1/debtors")

    detail = guesser.get("/api/v1/debtors").json()["detail"]

    assert detail.startswith("Te veel verzoeken met een verkeerde API-sleutel")


def test_it_takes_the_limit_from_the_settings(settings, minute):
    settings.SETTLE_API_FAILED_KEYS_PER_MINUTE = 2
    guesser = _client("stl_guess", address="198.51.100.22")

    assert [guesser.get("/api/v1/debtors").status_code for _ in range(3)] == [401, 401, 429]
