"""The API speaks English, its documentation's language, unless Accept-Language asks for Dutch;
the rest of the site keeps Dutch as its default."""

import pytest
from django.test import Client
from django.urls import reverse

from settle.api.middleware import api_language

ENGLISH_401 = "A valid API key is needed: send the header Authorization: Bearer <key>."
DUTCH_401_START = "Een geldige API-sleutel is nodig"
ENGLISH_REFUSED = "The request was refused; nothing was changed."
DUTCH_REFUSED = "Het verzoek is geweigerd; er is niets gewijzigd."


@pytest.fixture
def key(api_key):
    _row, key = api_key
    return key


def test_it_answers_in_english_without_accept_language(db):
    response = Client().get("/api/v1/debtors")

    assert response.status_code == 401
    assert response.json()["detail"] == ENGLISH_401
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize("header", ["nl", "nl-NL,nl;q=0.9,en;q=0.8", "de-DE, nl;q=0.5"])
def test_it_answers_in_dutch_when_accept_language_asks_for_it(db, header):
    response = Client(headers={"Accept-Language": header}).get("/api/v1/debtors")

    assert response.json()["detail"].startswith(DUTCH_401_START)
    assert response["Content-Language"] == "nl"


@pytest.mark.parametrize("header", ["en-GB,en;q=0.9,nl;q=0.8", "de", "*", "fr, *;q=0.5", "x;;"])
def test_it_answers_in_english_for_any_other_accept_language(db, header):
    response = Client(headers={"Accept-Language": header}).get("/api/v1/debtors")

    assert response.json()["detail"] == ENGLISH_401


def test_it_ignores_the_sites_language_cookie(db, settings):
    # A browser that used the back office in Dutch still reads the API in English.
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"

    response = client.get("/api/v1/debtors")

    assert response.json()["detail"] == ENGLISH_401


def test_it_lists_validation_errors_in_the_requested_language(db, key):
    payment = {"amount": "1.00", "date": "2025-13-01"}
    english = Client(headers={"Authorization": f"Bearer {key}"})
    dutch = Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "nl"})

    in_english = english.post("/api/v1/payments", payment, content_type="application/json")
    in_dutch = dutch.post("/api/v1/payments", payment, content_type="application/json")

    assert in_english.status_code == in_dutch.status_code == 422
    assert in_english.json()["detail"] == ENGLISH_REFUSED
    assert in_english.json()["errors"][0]["message"] == "Not a valid date: use YYYY-MM-DD."
    assert in_dutch.json()["detail"] == DUTCH_REFUSED
    assert in_dutch.json()["errors"][0]["message"] != "Not a valid date: use YYYY-MM-DD."


def test_it_leaves_the_back_office_in_dutch_by_default(db):
    response = Client().get(reverse("backoffice:login"))

    assert response.status_code == 200
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl"' in response.content.decode()


def test_it_picks_the_first_supported_language_in_order_of_preference():
    assert api_language("") == "en"
    assert api_language("nl-BE") == "nl"
    assert api_language("fr;q=1, en;q=0.9, nl;q=0.8") == "en"
    assert api_language("fr;q=1, nl;q=0.9, en;q=0.8") == "nl"


@pytest.mark.parametrize(
    ("payment", "english", "dutch"),
    [
        ({"date": "2025-01-01"}, "This field is required.", "Dit veld is verplicht."),
        (
            {"amount": "1.00", "date": "2025-01-01", "source": "cash"},
            "Must be one of: 'erp', 'bank', 'psp', 'manual'.",
            "Moet een van deze waarden zijn: 'erp', 'bank', 'psp', 'manual'.",
        ),
    ],
)
def test_it_words_pydantics_own_errors_in_the_requested_language(db, key, payment, english, dutch):
    headers = {"Authorization": f"Bearer {key}"}
    in_english = Client(headers=headers).post(
        "/api/v1/payments", payment, content_type="application/json"
    )
    in_dutch = Client(headers={**headers, "Accept-Language": "nl"}).post(
        "/api/v1/payments", payment, content_type="application/json"
    )

    assert in_english.json()["errors"][0]["message"] == english
    assert in_dutch.json()["errors"][0]["message"] == dutch


def test_it_pages_with_a_message_in_dutch_when_asked(db, key):
    client = Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "nl"})

    response = client.get("/api/v1/debtors", {"limit": 0})

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Moet minimaal 1 zijn."
