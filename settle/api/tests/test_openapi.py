import json
import re
import typing

import pytest

from settle.api import field_types
from settle.receivables import models

DEBTOR_FIELDS = {
    "number",
    "name",
    "language",
    "email",
    "mobile",
    "address",
    "payment_method",
    "delivery_method",
    "active",
    "kind",
}
INVOICE_FIELDS = {
    "number",
    "debtor_number",
    "issue_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
    "payment_reference",
    "collection_status",
}


@pytest.fixture
def openapi(anonymous_client):
    response = anonymous_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _resolve(openapi, schema):
    ref = schema["$ref"]
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_it_publishes_every_endpoint(openapi):
    assert openapi["openapi"].startswith("3.")
    paths = openapi["paths"]
    assert set(paths["/api/v1/debtors"]) == {"get", "put"}
    assert set(paths["/api/v1/invoices"]) == {"get", "put"}
    assert set(paths["/api/v1/invoices/{number}"]) == {"get"}
    assert set(paths["/api/v1/invoices/{number}/document"]) == {"put"}
    assert set(paths["/api/v1/payments"]) == {"post"}
    assert not any("assets" in path or "{path}" in path for path in paths)


def test_it_requires_the_bearer_key_everywhere(openapi):
    schemes = openapi["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    for operations in openapi["paths"].values():
        for operation in operations.values():
            assert operation["security"]
            assert "401" in operation["responses"]


@pytest.mark.parametrize(
    ("path", "fields"), [("debtors", DEBTOR_FIELDS), ("invoices", INVOICE_FIELDS)]
)
def test_it_describes_the_batch_items_field_by_field(openapi, path, fields):
    body = openapi["paths"][f"/api/v1/{path}"]["put"]["requestBody"]
    batch = body["content"]["application/json"]["schema"]
    assert batch["type"] == "array"
    assert batch["maxItems"] == 1000
    item = _resolve(openapi, batch["items"])
    assert set(item["properties"]) == fields
    assert "number" in item["required"]


def test_it_describes_amounts_as_decimal_strings_and_dates_as_iso(openapi):
    invoice = openapi["components"]["schemas"]["InvoiceIn"]["properties"]
    assert invoice["amount"]["type"] == "string"
    assert re.match(invoice["amount"]["pattern"], "121.00")
    assert invoice["issue_date"] == invoice["issue_date"] | {"type": "string", "format": "date"}
    address = openapi["components"]["schemas"]["Address"]["properties"]
    assert set(address) == {"street", "postal_code", "city", "country"}


def test_it_describes_the_output(openapi):
    invoice = openapi["components"]["schemas"]["InvoiceOut"]["properties"]
    assert set(invoice) == INVOICE_FIELDS | {"payment_state", "has_document"}
    debtor = openapi["components"]["schemas"]["DebtorOut"]["properties"]
    assert set(debtor) == DEBTOR_FIELDS


def test_it_documents_both_ways_to_send_a_pdf(openapi):
    body = openapi["paths"]["/api/v1/invoices/{number}/document"]["put"]["requestBody"]
    assert set(body["content"]) == {"application/pdf", "multipart/form-data"}


@pytest.mark.parametrize(
    ("documented", "model"),
    [
        (field_types.Source, models.PaymentSource),
        (field_types.State, models.PaymentState),
        (field_types.Language, models.Language),
        (field_types.PaymentMethod, models.PaymentMethod),
        (field_types.DeliveryMethod, models.DeliveryMethod),
        (field_types.DebtorKind, models.DebtorKind),
    ],
)
def test_its_choices_match_the_models(documented, model):
    assert set(typing.get_args(documented)) == set(model.values)


def test_it_states_what_the_server_requires_of_a_debtor(openapi):
    debtor = openapi["components"]["schemas"]["DebtorIn"]
    name = debtor["properties"]["name"]
    assert name["minLength"] == 1
    assert not re.search(name["pattern"], "   ")
    rules = {rule["then"]["required"][0] for rule in debtor["allOf"]}
    assert rules == {"email", "mobile", "address"}


def test_it_states_the_shape_of_a_cursor(openapi, api_client, alice, carol):
    parameters = openapi["paths"]["/api/v1/debtors"]["get"]["parameters"]
    schema = next(p for p in parameters if p["name"] == "cursor")["schema"]
    cursor = next(part for part in schema["anyOf"] if part.get("type") == "string")
    first = api_client.get("/api/v1/debtors", {"limit": 1}).json()

    assert re.match(cursor["pattern"], first["next_cursor"])
    assert re.match(cursor["pattern"], "")
    assert not re.match(cursor["pattern"], "garbage")


def test_it_reads_an_empty_cursor_as_the_first_page(api_client, alice):
    response = api_client.get("/api/v1/debtors", {"cursor": ""})

    assert response.status_code == 200
    assert [d["number"] for d in response.json()["items"]] == ["D-ALICE"]
