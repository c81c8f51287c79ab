import pytest
from django.test import Client

from settle.api.services import api_key_revoke

ENDPOINTS = [
    ("get", "/api/v1/debtors"),
    ("put", "/api/v1/debtors"),
    ("get", "/api/v1/invoices"),
    ("put", "/api/v1/invoices"),
    ("get", "/api/v1/invoices/F1"),
    ("put", "/api/v1/invoices/F1/document"),
    ("post", "/api/v1/payments"),
]


def _call(client: Client, method: str, url: str):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=b"[]", content_type="application/json")


def _assert_refused(response):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_it_refuses_a_request_without_a_key(anonymous_client, method, url):
    _assert_refused(_call(anonymous_client, method, url))


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_it_refuses_a_wrong_key(db, method, url):
    client = Client(headers={"Authorization": "Bearer stl_not-a-key-we-ever-issued"})
    _assert_refused(_call(client, method, url))


def test_it_refuses_a_revoked_key(api_key, api_client):
    assert api_client.get("/api/v1/debtors").status_code == 200

    api_key_revoke(api_key=api_key[0])

    _assert_refused(api_client.get("/api/v1/debtors"))


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token {key}", "{key}", "Bearer {key}x"],
)
def test_it_refuses_malformed_authorization_headers(api_key, header):
    client = Client(headers={"Authorization": header.format(key=api_key[1])})
    _assert_refused(client.get("/api/v1/debtors"))


def test_it_accepts_the_scheme_in_any_case(api_key):
    client = Client(headers={"Authorization": f"bearer {api_key[1]}"})
    assert client.get("/api/v1/debtors").status_code == 200


def test_it_needs_no_csrf_token_for_bearer_requests(api_key):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {api_key[1]}"})
    response = client.put("/api/v1/debtors", data=[], content_type="application/json")
    assert response.status_code == 200


def test_it_answers_unknown_endpoints_with_json(anonymous_client):
    response = anonymous_client.put("/api/v1/debtors/", data=[], content_type="application/json")
    assert response.status_code == 404
    assert "/api/v1/docs" in response.json()["detail"]


def test_it_never_logs_a_key_sent_with_the_wrong_scheme(api_key, settings, caplog):
    settings.DEBUG = True
    client = Client(headers={"Authorization": f"Token {api_key[1]}"})

    with caplog.at_level("DEBUG"):
        response = client.get("/api/v1/debtors")

    assert response.status_code == 401
    assert api_key[1] not in caplog.text
