"""What a new response of each kind sets going (copies, tasks), and what a payment settles."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from settle.correspondence.models import Message
from settle.receivables.services.invoices import invoice_document_attach
from settle.receivables.services.payments import payment_book
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import Response, ResponseState, ResponseType
from settle.responses.services import response_submit
from settle.responses.tests.factories import pdf_bytes, pdf_upload
from settle.worklist.models import Task, TaskKind, TaskState

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)
    return time_machine


def submit(debtor, code: str, invoices, values: dict, files=None, key: str = "") -> Response:
    return response_submit(
        debtor=debtor,
        response_type=ResponseType.objects.get(code=code),
        invoices=invoices,
        values=values,
        files=files,
        submission_key=key or f"{code}-{invoices[0].number}",
    )


def with_document(invoice):
    return invoice_document_attach(invoice=invoice, content=pdf_bytes())


def in_dutch(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


# --- Copy request -------------------------------------------------------------------------


def test_it_mails_the_copies_and_closes_the_request_when_every_invoice_has_a_pdf(alice):
    first = with_document(InvoiceFactory(debtor=alice, number="F-1"))
    second = with_document(InvoiceFactory(debtor=alice, number="F-2"))

    response = submit(alice, "copy_request", [first, second], {"email": "admin@alice.test"})

    [message] = Message.objects.filter(kind="invoice_copy")
    assert message.kind == "invoice_copy"
    assert message.recipient == "admin@alice.test"
    assert {invoice.number for invoice in message.invoices.all()} == {"F-1", "F-2"}
    attachments = {a.filename: a.file.read() for a in message.attachments.all()}
    assert attachments == {"F-1.pdf": pdf_bytes(), "F-2.pdf": pdf_bytes()}
    response.refresh_from_db()
    assert response.state == ResponseState.CLOSED
    assert "admin@alice.test" in response.close_note
    assert not Task.objects.exists()


def test_it_mails_the_copies_it_has_and_asks_a_person_for_the_others(alice):
    documented = with_document(InvoiceFactory(debtor=alice, number="F-1"))
    missing = InvoiceFactory(debtor=alice, number="F-2")

    response = submit(alice, "copy_request", [documented, missing], {"email": "a@alice.test"})

    [message] = Message.objects.filter(kind="invoice_copy")
    assert [a.filename for a in message.attachments.all()] == ["F-1.pdf"]
    assert [invoice.number for invoice in message.invoices.all()] == ["F-1"]
    task = Task.objects.get()
    assert task.kind == TaskKind.COPY_REQUEST
    assert task.title == in_dutch("Send invoice copy")
    assert [invoice.number for invoice in task.invoices.all()] == ["F-2"]
    assert "F-2" in task.description and "a@alice.test" in task.description
    assert "F-1" not in task.description
    assert task.due_date == TODAY + timedelta(days=2)
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN


def test_it_asks_a_person_for_every_copy_when_no_invoice_has_a_pdf(alice):
    invoices = [InvoiceFactory(debtor=alice, number=f"F-{n}") for n in (1, 2)]

    submit(alice, "copy_request", invoices, {"email": "a@alice.test"})

    assert not Message.objects.filter(kind="invoice_copy").exists()
    task = Task.objects.get()
    assert sorted(invoice.number for invoice in task.invoices.all()) == ["F-1", "F-2"]


def test_it_names_the_pdf_safely_when_the_number_holds_a_slash(alice):
    invoice = with_document(InvoiceFactory(debtor=alice, number="2026/0042"))

    submit(alice, "copy_request", [invoice], {"email": "a@alice.test"})

    message = Message.objects.get(kind="invoice_copy")
    assert [a.filename for a in message.attachments.all()] == ["2026-0042.pdf"]


# --- Tasks of the other kinds -------------------------------------------------------------


def test_it_makes_a_complaint_a_task_with_what_the_debtor_wrote(carol):
    invoice = InvoiceFactory(debtor=carol, number="F-C")

    response = submit(
        carol,
        "complaint",
        [invoice],
        {"text": "Too dear"},
        files={"attachment": pdf_upload("letter.pdf")},
    )

    task = Task.objects.get()
    assert task.kind == TaskKind.COMPLAINT
    # Staff work in the organisation's language, whatever language the debtor used.
    assert task.title == "Klacht"
    assert task.description == "Omschrijving van uw klacht: Too dear\nBijlage: letter.pdf"
    assert (task.debtor, task.response, task.state) == (carol, response, TaskState.OPEN)
    assert list(task.invoices.all()) == [invoice]
    assert task.due_date == TODAY + timedelta(days=2)


def test_it_writes_dates_and_amounts_of_an_already_paid_report_for_people(alice):
    submit(
        alice,
        "already_paid",
        [InvoiceFactory(debtor=alice)],
        {"payment_date": "2026-02-27", "amount": "1234.5"},
    )

    task = Task.objects.get()
    assert task.kind == TaskKind.ALREADY_PAID
    assert task.title == "Is betaald"
    assert task.description == "Betaaldatum: 27-2-2026\nBetaald bedrag: €\xa01.234,50"


def test_it_makes_an_unknown_invoice_a_task_due_as_the_type_says(alice):
    ResponseType.objects.filter(code="unknown_invoice").update(task_due_days=7)

    submit(alice, "unknown_invoice", [InvoiceFactory(debtor=alice)], {"text": "Never ordered"})

    task = Task.objects.get()
    assert task.kind == TaskKind.UNKNOWN_INVOICE
    assert task.title == "Factuur is onbekend"
    assert task.description == "Toelichting: Never ordered"
    assert task.due_date == TODAY + timedelta(days=7)


def test_it_makes_a_not_approved_task_due_on_the_expected_approval_date(alice):
    submit(
        alice,
        "not_approved",
        [InvoiceFactory(debtor=alice)],
        {"expected_approval_date": "2026-03-20"},
    )

    task = Task.objects.get()
    assert task.kind == TaskKind.NOT_APPROVED
    assert task.title == "Nog niet goedgekeurd"
    assert task.due_date == date(2026, 3, 20)
    assert task.description == "Verwachte datum van goedkeuring: 20-3-2026"


def test_it_makes_a_not_approved_task_due_as_the_type_says_without_a_date(alice):
    ResponseType.objects.get(code="not_approved").fields.update(optional=True)

    submit(alice, "not_approved", [InvoiceFactory(debtor=alice)], {})

    assert Task.objects.get().due_date == TODAY + timedelta(days=2)


# --- Payments ---------------------------------------------------------------------------------


def test_it_closes_an_already_paid_report_once_the_payment_is_booked(alice):
    first = InvoiceFactory(debtor=alice, number="F-1", amount=Decimal("60.00"))
    second = InvoiceFactory(debtor=alice, number="F-2", amount=Decimal("40.00"))
    response = submit(alice, "already_paid", [first, second], {"payment_date": "2026-03-01"})

    payment_book(
        amount=Decimal("60.00"), date=TODAY, source="bank", allocations=[("F-1", Decimal("60"))]
    )
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN
    assert Task.objects.get().state == TaskState.OPEN

    payment_book(amount=Decimal("40.00"), date=TODAY, source="bank", debtor=alice)

    response.refresh_from_db()
    task = Task.objects.get()
    assert response.state == ResponseState.CLOSED
    assert task.state == TaskState.DONE
    assert task.closed_at is not None
    assert task.outcome == response.close_note
    assert task.outcome == in_dutch("The payment has been received: the invoices are paid.")


def test_it_leaves_other_responses_open_when_their_invoices_are_paid(alice):
    invoice = InvoiceFactory(debtor=alice, number="F-1", amount=Decimal("10.00"))
    complaint = submit(alice, "complaint", [invoice], {"text": "Wrong"})

    payment_book(amount=Decimal("10.00"), date=TODAY, source="bank", debtor=alice)

    complaint.refresh_from_db()
    assert complaint.state == ResponseState.OPEN
    assert Task.objects.get().state == TaskState.OPEN


PAID_CALLS: list[list[tuple[str, str]]] = []


def record_allocations(*, allocations) -> None:
    PAID_CALLS.append(sorted((invoice.number, str(amount)) for invoice, amount in allocations))


def test_it_tells_the_hooks_every_invoice_a_payment_reached_with_its_part(alice, settings):
    settings.SETTLE_ON_PAYMENT_ALLOCATED = [f"{__name__}.record_allocations"]
    PAID_CALLS.clear()
    for number in ("F-1", "F-2", "F-3"):
        InvoiceFactory(debtor=alice, number=number, amount=Decimal("10.00"))

    payment_book(amount=Decimal("5.00"), date=TODAY, source="bank", debtor=alice)
    payment_book(amount=Decimal("20.00"), date=TODAY, source="bank", debtor=alice)

    assert PAID_CALLS == [
        [("F-1", "5.00")],
        [("F-1", "5.00"), ("F-2", "10.00"), ("F-3", "5.00")],
    ]
