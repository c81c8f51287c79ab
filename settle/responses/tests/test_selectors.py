from datetime import timedelta

import pytest
from django.utils import timezone, translation

from settle.receivables.models import Invoice
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.closing import response_close
from settle.responses.models import ResponseType
from settle.responses.selectors import (
    invoice_rows_with_status,
    invoices_excluded_from_dunning,
    invoices_with_dunning_exclusion,
    latest_open_responses,
    response_types_for_portal,
)
from settle.responses.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def of_type(code: str) -> ResponseType:
    return ResponseType.objects.get(code=code)


# --- invoices_excluded_from_dunning ---------------------------------------------------------


def test_it_excludes_invoices_covered_by_an_open_excluding_response(alice, carol):
    covered = InvoiceFactory(debtor=alice)
    also_covered = InvoiceFactory(debtor=alice)
    InvoiceFactory(debtor=alice)
    InvoiceFactory(debtor=carol)
    ResponseFactory(
        debtor=alice, response_type=of_type("promise"), invoices=[covered, also_covered]
    )

    excluded = invoices_excluded_from_dunning()

    assert set(excluded) == {covered, also_covered}


def test_it_does_not_exclude_for_a_type_that_does_not_exclude(alice):
    invoice = InvoiceFactory(debtor=alice)
    copy_request = of_type("copy_request")
    assert copy_request.excludes_from_dunning is False
    ResponseFactory(debtor=alice, response_type=copy_request, invoices=[invoice])

    assert list(invoices_excluded_from_dunning()) == []


def test_it_follows_the_setting_of_the_type(alice):
    invoice = InvoiceFactory(debtor=alice)
    ResponseFactory(debtor=alice, response_type=of_type("complaint"), invoices=[invoice])

    ResponseType.objects.filter(code="complaint").update(excludes_from_dunning=False)

    assert list(invoices_excluded_from_dunning()) == []


def test_it_stops_excluding_once_the_response_is_closed(alice, bob):
    invoice = InvoiceFactory(debtor=alice)
    response = ResponseFactory(debtor=alice, invoices=[invoice])

    response_close(response=response, closed_by=bob)

    assert list(invoices_excluded_from_dunning()) == []


def test_it_narrows_a_given_selection_of_invoices(alice):
    first, second = InvoiceFactory(debtor=alice), InvoiceFactory(debtor=alice)
    ResponseFactory(debtor=alice, invoices=[first, second])

    excluded = invoices_excluded_from_dunning(Invoice.objects.filter(pk=second.pk))

    assert list(excluded) == [second]


def test_it_lists_each_excluded_invoice_once(alice):
    invoice = InvoiceFactory(debtor=alice)
    ResponseFactory(debtor=alice, response_type=of_type("complaint"), invoices=[invoice])
    ResponseFactory(debtor=alice, response_type=of_type("promise"), invoices=[invoice])

    assert list(invoices_excluded_from_dunning()) == [invoice]


def test_it_annotates_the_exclusion_for_lists(alice):
    excluded, free = InvoiceFactory(debtor=alice), InvoiceFactory(debtor=alice)
    ResponseFactory(debtor=alice, invoices=[excluded])

    rows = {i.pk: i.excluded_from_dunning for i in invoices_with_dunning_exclusion(Invoice.objects)}

    assert rows == {excluded.pk: True, free.pk: False}


# --- latest_open_responses ------------------------------------------------------------------


def test_it_finds_the_newest_open_response_per_invoice(alice):
    first, second, bare = (InvoiceFactory(debtor=alice) for _ in range(3))
    now = timezone.now()
    older = ResponseFactory(debtor=alice, invoices=[first, second])
    newer = ResponseFactory(debtor=alice, response_type=of_type("promise"), invoices=[second])
    type(older).objects.filter(pk=older.pk).update(created_at=now - timedelta(days=2))
    type(newer).objects.filter(pk=newer.pk).update(created_at=now - timedelta(days=1))

    latest = latest_open_responses([first.pk, second.pk, bare.pk])

    assert latest == {first.pk: older, second.pk: newer}


def test_it_breaks_a_tie_in_time_by_the_later_response(alice):
    invoice = InvoiceFactory(debtor=alice)
    first = ResponseFactory(debtor=alice, invoices=[invoice])
    second = ResponseFactory(debtor=alice, invoices=[invoice])
    type(first).objects.update(created_at=timezone.now())

    assert latest_open_responses([invoice.pk]) == {invoice.pk: second}


def test_it_falls_back_to_an_earlier_open_response_when_the_latest_is_closed(alice, bob):
    invoice = InvoiceFactory(debtor=alice)
    earlier = ResponseFactory(debtor=alice, invoices=[invoice])
    later = ResponseFactory(debtor=alice, response_type=of_type("promise"), invoices=[invoice])

    response_close(response=later, closed_by=bob)

    assert latest_open_responses([invoice.pk]) == {invoice.pk: earlier}


def test_it_returns_nothing_for_closed_or_absent_responses(alice, bob):
    invoice = InvoiceFactory(debtor=alice)
    response_close(response=ResponseFactory(debtor=alice, invoices=[invoice]), closed_by=bob)

    assert latest_open_responses([invoice.pk]) == {}
    assert latest_open_responses([]) == {}


def test_it_needs_one_query_whatever_the_number_of_invoices(alice, django_assert_num_queries):
    invoices = [InvoiceFactory(debtor=alice) for _ in range(30)]
    for invoice in invoices:
        ResponseFactory(debtor=alice, invoices=[invoice])

    with django_assert_num_queries(1):
        latest = latest_open_responses([invoice.pk for invoice in invoices])
        names = {response.response_type.name for response in latest.values()}

    assert len(latest) == 30
    assert names == {"Klacht"}


# --- response_types_for_portal --------------------------------------------------------------


def test_it_offers_the_enabled_types_in_their_order(django_assert_num_queries):
    ResponseType.objects.filter(code="copy_request").update(enabled_in_portal=False)

    with django_assert_num_queries(2):
        types = list(response_types_for_portal())
        fields = [field.key for rtype in types for field in rtype.fields.all()]

    assert [rtype.code for rtype in types] == [
        "complaint",
        "already_paid",
        "promise",
        "unknown_invoice",
        "not_approved",
        "arrangement",
    ]
    assert "email" not in fields


# --- invoice_rows_with_status ---------------------------------------------------------------


def _statuses(queryset) -> list[tuple[str, str | None]]:
    with translation.override("en"):
        rows = invoice_rows_with_status(queryset, ["number"])
    return [(row["number"], row["response_status"]) for row in rows]


def test_it_gives_each_invoice_once_in_order_with_its_newest_open_status(alice, carol, bob):
    first, second, bare, closed = (
        InvoiceFactory(debtor=alice, number=f"A-{n}") for n in range(1, 5)
    )
    now = timezone.now()
    older = ResponseFactory(debtor=alice, invoices=[first, second])
    newer = ResponseFactory(
        debtor=alice,
        response_type=of_type("promise"),
        invoices=[second],
        values={"promised_date": "2026-12-12"},
    )
    type(older).objects.filter(pk=older.pk).update(created_at=now - timedelta(days=2))
    type(newer).objects.filter(pk=newer.pk).update(created_at=now - timedelta(days=1))
    response_close(response=ResponseFactory(debtor=alice, invoices=[closed]), closed_by=bob)
    InvoiceFactory(debtor=carol, number="C-1")

    rows = _statuses(Invoice.objects.filter(debtor=alice).order_by("-number"))

    assert rows == [
        ("A-4", None),
        ("A-3", None),
        ("A-2", "Payment promised for 12/12/2026"),
        ("A-1", "Complaint being handled"),
    ]


def test_it_looks_past_a_newer_closed_response_to_an_open_one(alice, bob):
    invoice = InvoiceFactory(debtor=alice, number="A-1")
    ResponseFactory(debtor=alice, invoices=[invoice])
    later = ResponseFactory(debtor=alice, response_type=of_type("promise"), invoices=[invoice])
    response_close(response=later, closed_by=bob)

    assert _statuses(Invoice.objects.all()) == [("A-1", "Complaint being handled")]


def test_it_reads_the_rows_in_one_query(alice, django_assert_num_queries):
    invoices = [InvoiceFactory(debtor=alice) for _ in range(30)]
    for invoice in invoices[:20]:
        ResponseFactory(debtor=alice, invoices=[invoice])
        ResponseFactory(debtor=alice, invoices=[invoice])

    with django_assert_num_queries(1):
        rows = _statuses(Invoice.objects.all())

    assert len(rows) == 30
    assert [status for _, status in rows].count("Complaint being handled") == 20
