"""POST /api/v1/dunning-runs starts a run of an action group on invoice numbers; GET follows it."""

import json

import pytest
from django.test import Client

from settle.dunning.models import Action, ActionGroup, ActionType, DunningRun, RunSource
from settle.dunning.processing import items_process_due
from settle.receivables.tests.factories import InvoiceFactory

URL = "/api/v1/dunning-runs"


def _post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def group(db):
    group = ActionGroup.objects.create(name="Eerste herinnering")
    Action.objects.create(
        group=group,
        position=1,
        name="Herinnering per e-mail",
        action_type=ActionType.EMAIL,
        message_kind="reminder_1",
    )
    return group


@pytest.fixture
def invoices(alice, carol):
    return [
        InvoiceFactory(number="F-1", debtor=alice),
        InvoiceFactory(number="F-2", debtor=alice),
        InvoiceFactory(number="F-3", debtor=carol),
    ]


def test_it_starts_a_run_for_a_group_by_id(api_client, group, invoices):
    response = _post(api_client, {"group": group.pk, "invoice_numbers": ["F-1", "F-2", "F-3"]})

    assert response.status_code == 201
    body = response.json()
    run = DunningRun.objects.get()
    assert body["id"] == run.pk
    assert run.source == RunSource.API
    assert body["group"] == group.pk
    assert body["group_name"] == "Eerste herinnering"
    assert body["source"] == "api"
    assert body["invoice_count"] == 3
    assert body["debtor_count"] == 2
    assert body["items"]["total"] == 2
    assert body["items"]["pending"] == 2
    assert body["finished"] is False
    assert body["progress_url"] == f"/api/v1/dunning-runs/{run.pk}"


def test_it_finds_a_group_by_its_name(api_client, group, invoices):
    response = _post(api_client, {"group": "Eerste herinnering", "invoice_numbers": ["F-1"]})

    assert response.status_code == 201
    assert response.json()["group"] == group.pk


def test_it_reports_the_progress_until_the_run_is_finished(api_client, group, invoices):
    started = _post(api_client, {"group": group.pk, "invoice_numbers": ["F-1", "F-3"]}).json()
    while items_process_due():
        pass

    response = api_client.get(started["progress_url"])

    assert response.status_code == 200
    body = response.json()
    assert body["finished"] is True
    assert body["items"] == {"total": 2, "pending": 0, "sent": 2, "skipped": 0, "failed": 0}


def test_it_refuses_unknown_invoice_numbers_listing_each(api_client, group, invoices):
    response = _post(
        api_client, {"group": group.pk, "invoice_numbers": ["F-1", "F-404", "F-2", "NOPE"]}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The run was refused; nothing was started."
    assert body["errors"] == [
        {"index": 1, "field": "invoice_numbers", "message": "Unknown invoice F-404."},
        {"index": 3, "field": "invoice_numbers", "message": "Unknown invoice NOPE."},
    ]
    assert not DunningRun.objects.exists()


def test_it_refuses_an_unknown_or_archived_group(api_client, group, invoices):
    archived = ActionGroup.objects.create(name="Oud")
    archived.archived_at = archived.created_at
    archived.save()

    for name in ("Bestaat niet", "Oud", 999_999):
        response = _post(api_client, {"group": name, "invoice_numbers": ["F-1"]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "group"
    assert not DunningRun.objects.exists()


def test_it_refuses_an_empty_list(api_client, group):
    response = _post(api_client, {"group": group.pk, "invoice_numbers": []})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "invoice_numbers"


def test_it_answers_404_for_an_unknown_run(api_client, db):
    response = api_client.get(f"{URL}/12345")

    assert response.status_code == 404
    assert response.json()["detail"] == "There is no dunning run 12345."
    assert api_client.get(f"{URL}/{10**30}").status_code == 404


def test_it_needs_an_api_key(anonymous_client, group, invoices):
    assert (
        _post(anonymous_client, {"group": group.pk, "invoice_numbers": ["F-1"]}).status_code == 401
    )
    assert anonymous_client.get(f"{URL}/1").status_code == 401


def test_it_is_in_the_openapi_document(api_client):
    openapi = api_client.get("/api/v1/openapi.json").json()

    assert set(openapi["paths"]["/api/v1/dunning-runs"]) == {"post"}
    assert set(openapi["paths"]["/api/v1/dunning-runs/{run_id}"]) == {"get"}
    post = openapi["paths"]["/api/v1/dunning-runs"]["post"]
    assert {"201", "401", "422"} <= set(post["responses"])
    assert post["security"]


def test_it_answers_in_dutch_to_a_dutch_client(api_key, group, invoices):
    _row, key = api_key
    client = Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "nl"})

    response = _post(client, {"group": group.pk, "invoice_numbers": ["F-404"]})

    assert response.status_code == 422
    assert response.json()["detail"] == "De run is geweigerd; er is niets gestart."
