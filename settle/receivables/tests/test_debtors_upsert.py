import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.receivables.models import Debtor
from settle.receivables.services.checks import debtor_records_check
from settle.receivables.services.debtors import debtors_upsert, debtors_upsert_batch
from settle.receivables.tests.factories import DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English source texts, whatever the catalogues say.
    with translation.override("en"):
        yield


def item(number: str, **overrides) -> dict:
    return {
        "number": number,
        "name": f"Debtor {number}",
        "email": f"{number}@example.test",
        **overrides,
    }


def upsert(*items: dict):
    records, errors = debtor_records_check(enumerate(items))
    assert errors == []
    return debtors_upsert(records=records)


def test_it_creates_new_debtors():
    result = upsert(item("D1", mobile="06 12345678"), item("D2", language="en"))

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert Debtor.objects.get(number="D1").mobile == "+31612345678"
    assert Debtor.objects.get(number="D2").language == "en"


def test_it_updates_a_debtor_by_number():
    DebtorFactory(number="D1", name="Old name", city="Epe")

    result = upsert(item("D1", name="New name", city="Utrecht"))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    debtor = Debtor.objects.get(number="D1")
    assert (debtor.name, debtor.city) == ("New name", "Utrecht")


def test_it_leaves_an_unchanged_debtor_untouched():
    upsert(item("D1", mobile="+31612345678"))
    before = Debtor.objects.get(number="D1").updated_at

    result = upsert(item("D1", mobile="06-12345678"))

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert Debtor.objects.get(number="D1").updated_at == before


def test_it_reports_duplicate_numbers_in_one_batch():
    _records, errors = debtor_records_check(enumerate([item("D1"), item("D2"), item("D1")]))

    assert [(e.index, e.field) for e in errors] == [(2, "number")]
    assert "first at 0" in errors[0].message


def test_it_reports_progress_after_each_chunk():
    seen = []

    records, _errors = debtor_records_check(enumerate([item("D1"), item("D2")]))
    debtors_upsert(records=records, on_progress=seen.append)

    assert seen == [2]


def test_it_refuses_a_batch_with_a_bad_item_whole():
    DebtorFactory(number="D1", name="Kept")

    with pytest.raises(ApplicationError) as refused:
        debtors_upsert_batch(
            items=[item("D1", name="Changed"), item("D2"), item("D3", mobile="12")]
        )

    assert [(e.index, e.field) for e in refused.value.errors] == [(2, "mobile")]
    assert list(Debtor.objects.values_list("number", "name")) == [("D1", "Kept")]


def test_it_refuses_a_bad_phone_number_with_a_clear_message():
    _records, errors = debtor_records_check(enumerate([item("D1", mobile="call me")]))

    assert [(e.index, e.field, e.message) for e in errors] == [
        (0, "mobile", "Not a valid mobile number.")
    ]
