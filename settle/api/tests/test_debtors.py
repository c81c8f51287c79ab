import json

from settle.api.tests.payloads import debtor_item
from settle.receivables.models import Debtor
from settle.receivables.tests.factories import DebtorFactory

URL = "/api/v1/debtors"


def _put(client, body):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.put(URL, data=data, content_type="application/json")


def _errors(response) -> set[tuple]:
    return {(e["index"], e["field"]) for e in response.json()["errors"]}


def test_it_takes_a_batch_of_1000_debtors(api_client):
    response = _put(api_client, [debtor_item(n) for n in range(1000)])

    assert response.status_code == 200
    assert response.json() == {"created": 1000, "updated": 0, "unchanged": 0}
    debtor = Debtor.objects.get(number="D00007")
    assert debtor.name == "Debtor 7"
    assert debtor.mobile == "+31612345678"
    assert (debtor.street, debtor.postal_code, debtor.city) == (
        "Dorpsstraat 7",
        "1234 AB",
        "Utrecht",
    )


def test_it_refuses_1001_debtors_with_a_clear_message(api_client):
    response = _put(api_client, [debtor_item(n) for n in range(1001)])

    assert response.status_code == 422
    assert "at most 1000 items" in response.json()["detail"]
    assert not Debtor.objects.exists()


def test_it_lists_every_bad_item_and_changes_nothing(api_client):
    DebtorFactory(number="D00000", name="Old name")
    batch = [
        debtor_item(0, name="New name"),
        debtor_item(1, name=""),
        debtor_item(2, email="not an address"),
        debtor_item(3, language="de", mobile="12"),
        debtor_item(4),
        debtor_item(5, number="D 5/6"),
    ]

    response = _put(api_client, batch)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The batch was refused; nothing was changed."
    assert _errors(response) == {
        (1, "name"),
        (2, "email"),
        (3, "language"),
        (3, "mobile"),
        (5, "number"),
    }
    assert all(error["message"] for error in body["errors"])
    assert Debtor.objects.get(number="D00000").name == "Old name"
    assert Debtor.objects.count() == 1


def test_it_refuses_the_same_number_twice_in_one_batch(api_client):
    response = _put(api_client, [debtor_item(1), debtor_item(1, name="Again")])

    assert response.status_code == 422
    assert _errors(response) == {(1, "number")}


def test_it_updates_existing_debtors(api_client):
    _put(api_client, [debtor_item(1), debtor_item(2)])

    response = _put(
        api_client, [debtor_item(1, name="Renamed B.V."), debtor_item(2), debtor_item(3)]
    )

    assert response.json() == {"created": 1, "updated": 1, "unchanged": 1}
    assert Debtor.objects.get(number="D00001").name == "Renamed B.V."


def test_it_reports_a_repeated_batch_as_unchanged(api_client):
    batch = [debtor_item(n) for n in range(50)]
    _put(api_client, batch)

    response = _put(api_client, batch)

    assert response.json() == {"created": 0, "updated": 0, "unchanged": 50}


def test_it_takes_back_its_own_output_unchanged(api_client):
    _put(api_client, [debtor_item(n) for n in range(5)])
    listed = api_client.get(URL).json()["items"]

    response = _put(api_client, listed)

    assert response.json() == {"created": 0, "updated": 0, "unchanged": 5}


def test_it_refuses_malformed_json(api_client):
    response = _put(api_client, b'[{"number": "D1",')

    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


def test_it_refuses_an_empty_body(api_client):
    response = _put(api_client, b"")

    assert response.status_code == 422
    assert "empty" in response.json()["detail"]


def test_it_refuses_a_body_that_is_not_a_list(api_client):
    response = _put(api_client, debtor_item(1))

    assert response.status_code == 422
    assert "list" in response.json()["detail"]


def test_it_refuses_deeply_nested_json_without_crashing(api_client):
    response = _put(api_client, b"[" * 100_000 + b"]" * 100_000)

    assert response.status_code == 422


def test_it_lists_items_that_are_not_objects_and_fields_of_the_wrong_type(api_client):
    batch = [
        debtor_item(0),
        "D00001",
        None,
        debtor_item(3, name={"first": "Ann"}),
        debtor_item(4, active="maybe"),
        debtor_item(5, address="Dorpsstraat 5, Utrecht"),
        debtor_item(6, address={"street": ["Dorpsstraat", 6]}),
        debtor_item(7, name=""),
    ]

    response = _put(api_client, batch)

    assert response.status_code == 422
    assert _errors(response) == {
        (1, None),
        (2, None),
        (3, "name"),
        (4, "active"),
        (5, "address"),
        (6, "address.street"),
        (7, "name"),
    }
    assert not Debtor.objects.exists()


def test_it_refuses_amounts_and_names_in_unexpected_types_with_a_message(api_client):
    response = _put(api_client, [debtor_item(1, number=12345)])

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"index": 0, "field": "number", "message": "Must be a string."}
    ]


def test_it_lists_debtors_with_their_address(api_client):
    DebtorFactory(
        number="D-ALICE",
        name="Alice Jansen",
        street="Kerkstraat 1",
        postal_code="3511 AA",
        city="Utrecht",
        country="NL",
        mobile="+31612345678",
        email="alice@example.test",
    )

    response = api_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "number": "D-ALICE",
                "name": "Alice Jansen",
                "language": "nl",
                "email": "alice@example.test",
                "mobile": "+31612345678",
                "address": {
                    "street": "Kerkstraat 1",
                    "postal_code": "3511 AA",
                    "city": "Utrecht",
                    "country": "NL",
                },
                "payment_method": "bank_transfer",
                "delivery_method": "email",
                "active": True,
                "kind": "business",
            }
        ],
        "next_cursor": None,
    }


def test_it_walks_all_debtors_exactly_once_even_while_they_change(api_client):
    DebtorFactory.create_batch(250)
    expected = set(Debtor.objects.values_list("number", flat=True))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        body = api_client.get(URL, params).json()
        seen.extend(item["number"] for item in body["items"])
        pages += 1
        if pages == 1:
            # An update and an insert between two pages.
            _put(api_client, [debtor_item(0, number=seen[0], name="Changed"), debtor_item(9999)])
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert len(seen) == len(set(seen))
    assert set(seen) - {"D09999"} == expected


def test_it_ends_with_a_null_cursor_on_an_exact_last_page(api_client):
    DebtorFactory.create_batch(4)

    first = api_client.get(URL, {"limit": 2}).json()
    second = api_client.get(URL, {"limit": 2, "cursor": first["next_cursor"]}).json()

    assert len(second["items"]) == 2
    assert second["next_cursor"] is None


def test_it_refuses_a_bad_cursor_or_limit(api_client):
    for params in (
        {"cursor": "garbage"},
        {"cursor": "MTo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"},
        {"limit": 0},
        {"limit": 1001},
        {"limit": "many"},
    ):
        response = api_client.get(URL, params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["field"] in {"cursor", "limit"}


def test_it_lists_a_page_in_a_fixed_number_of_queries(api_client, django_assert_max_num_queries):
    DebtorFactory.create_batch(300)

    with django_assert_max_num_queries(3):
        response = api_client.get(URL, {"limit": 300})

    assert len(response.json()["items"]) == 300


def test_it_takes_and_gives_whether_a_debtor_is_a_consumer(api_client):
    response = _put(api_client, [debtor_item(1, kind="consumer"), debtor_item(2)])

    assert response.status_code == 200
    assert dict(Debtor.objects.values_list("number", "kind")) == {
        "D00001": "consumer",
        "D00002": "business",
    }
    listed = api_client.get(URL).json()["items"]
    assert {item["number"]: item["kind"] for item in listed} == {
        "D00001": "consumer",
        "D00002": "business",
    }


def test_it_refuses_an_unknown_debtor_kind(api_client):
    response = _put(api_client, [debtor_item(1, kind="government")])

    assert response.status_code == 422
    assert not Debtor.objects.exists()
