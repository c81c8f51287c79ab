"""response_submit. Refusals are matched in the source language, English, whatever the default
language is; the portal shows them in the debtor's language."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from settle.common.errors import ApplicationError
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.closing import response_close
from settle.responses.models import (
    Response,
    ResponseAttachment,
    ResponseChannel,
    ResponseState,
    ResponseType,
)
from settle.responses.services import response_submit
from settle.responses.tests.factories import pdf_upload, png_upload, text_disguised_as_pdf

pytestmark = pytest.mark.django_db

KEY = "k1-one-time-key-0123456789abcdef"


def rtype(code: str) -> ResponseType:
    return ResponseType.objects.get(code=code)


def submit(debtor, invoices, *, code="promise", values=None, key=KEY, **kwargs) -> Response:
    return response_submit(
        debtor=debtor,
        response_type=rtype(code),
        invoices=invoices,
        values={"promised_date": "2030-01-31"} if values is None else values,
        submission_key=key,
        **kwargs,
    )


def test_it_stores_an_open_response_for_the_selected_invoices(alice):
    first, second = InvoiceFactory(debtor=alice), InvoiceFactory(debtor=alice)

    response = submit(alice, [first, second])

    response.refresh_from_db()
    assert response.debtor == alice
    assert response.response_type.code == "promise"
    assert response.values == {"promised_date": "2030-01-31"}
    assert response.state == ResponseState.OPEN
    assert response.channel == ResponseChannel.PORTAL
    assert response.closed_at is None
    assert set(response.invoices.all()) == {first, second}


def test_it_returns_the_first_response_for_the_same_submission_key(alice):
    invoice = InvoiceFactory(debtor=alice)

    first = submit(alice, [invoice])
    again = submit(alice, [invoice], values={"promised_date": "2030-02-28"})

    assert again == first
    assert Response.objects.count() == 1
    assert Response.objects.get().values == {"promised_date": "2030-01-31"}


def test_it_keeps_submission_keys_apart_per_debtor(alice, carol):
    submit(alice, [InvoiceFactory(debtor=alice)])
    submit(carol, [InvoiceFactory(debtor=carol)])

    assert Response.objects.filter(submission_key=KEY).count() == 2


def test_it_stores_a_new_response_for_a_new_key(alice):
    invoice = InvoiceFactory(debtor=alice)

    submit(alice, [invoice], key="first-key-0123456789")
    submit(alice, [invoice], key="second-key-0123456789")

    assert invoice.responses.count() == 2


def test_it_counts_an_invoice_selected_twice_once(alice):
    invoice = InvoiceFactory(debtor=alice)

    response = submit(alice, [invoice, invoice])

    assert list(response.invoices.all()) == [invoice]


def test_it_refuses_a_type_disabled_for_the_portal(alice):
    ResponseType.objects.filter(code="promise").update(enabled_in_portal=False)

    with translation.override("en"), pytest.raises(ApplicationError, match="not available"):
        submit(alice, [InvoiceFactory(debtor=alice)])

    assert Response.objects.count() == 0


def test_it_lets_the_back_office_use_a_type_disabled_for_the_portal(alice):
    ResponseType.objects.filter(code="promise").update(enabled_in_portal=False)

    response = submit(alice, [InvoiceFactory(debtor=alice)], channel=ResponseChannel.BACKOFFICE)

    assert response.channel == ResponseChannel.BACKOFFICE


def test_it_refuses_another_debtors_invoice(alice, carol):
    foreign = InvoiceFactory(debtor=carol)

    with (
        translation.override("en"),
        pytest.raises(ApplicationError, match="your own open invoices"),
    ):
        submit(alice, [InvoiceFactory(debtor=alice), foreign])

    assert not foreign.responses.exists()
    assert Response.objects.count() == 0


def test_it_refuses_a_paid_invoice(alice):
    paid = InvoiceFactory(debtor=alice, open_amount=Decimal("0.00"))

    with (
        translation.override("en"),
        pytest.raises(ApplicationError, match="your own open invoices"),
    ):
        submit(alice, [paid])


def test_it_refuses_an_empty_selection(alice):
    with translation.override("en"), pytest.raises(ApplicationError, match="at least one invoice"):
        submit(alice, [])


@pytest.mark.parametrize("key", ["", "x" * 65])
def test_it_refuses_a_missing_or_overlong_submission_key(alice, key):
    with translation.override("en"), pytest.raises(ApplicationError, match="expired"):
        submit(alice, [InvoiceFactory(debtor=alice)], key=key)

    assert Response.objects.count() == 0


def test_it_stores_attachments_under_a_name_of_its_own(alice, media_root):
    invoice = InvoiceFactory(debtor=alice)

    response = submit(
        alice,
        [invoice],
        code="complaint",
        values={"text": "Zie bijlagen"},
        files={"attachment": png_upload("../../etc/evil name.png")},
    )

    attachment = ResponseAttachment.objects.get()
    assert attachment.response == response
    assert attachment.field_key == "attachment"
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "evil name.png"
    assert Path(attachment.file.name).name == f"{response.pk}-attachment.png"
    assert Path(attachment.file.path).is_relative_to(media_root)
    assert attachment.size == attachment.file.size


def test_it_names_a_pdf_by_its_content(alice):
    response = submit(
        alice,
        [InvoiceFactory(debtor=alice)],
        code="already_paid",
        values={"payment_date": "2026-01-02", "amount": "10.00"},
        files={"proof": pdf_upload("betaling.jpg")},
    )

    attachment = response.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.endswith(f"{response.pk}-proof.pdf")


@pytest.mark.parametrize(
    "upload",
    [
        text_disguised_as_pdf(),
        SimpleUploadedFile("empty.png", b""),
    ],
)
def test_it_refuses_a_file_that_is_not_a_pdf_or_picture(alice, media_root, upload):
    with pytest.raises(ApplicationError) as refused:
        submit(
            alice,
            [InvoiceFactory(debtor=alice)],
            code="complaint",
            values={"text": "x"},
            files={"attachment": upload},
        )

    assert refused.value.errors[0].field == "attachment"
    assert Response.objects.count() == 0
    assert not any(media_root.rglob("*.*"))


def test_it_queues_the_confirmation_in_the_debtors_language(alice, carol):
    from settle.correspondence.models import Message

    submit(
        alice,
        [InvoiceFactory(debtor=alice, number="F-A")],
        code="complaint",
        values={"text": "Te duur"},
    )
    submit(
        carol,
        [InvoiceFactory(debtor=carol, number="F-C")],
        code="complaint",
        values={"text": "Too dear"},
        key="k2-one-time-key-0123456789abcdef",
    )

    alice_mail = Message.objects.get(debtor=alice)
    carol_mail = Message.objects.get(debtor=carol)
    assert alice_mail.kind == "response_received"
    assert alice_mail.recipient == "alice@example.test"
    assert "Klacht" in alice_mail.body_text and "F-A" in alice_mail.body_text
    assert "Complaint" in carol_mail.body_text and "F-C" in carol_mail.body_text


def test_it_confirms_once_and_only_with_an_address(alice, carol):
    from settle.correspondence.models import Message

    invoice = InvoiceFactory(debtor=alice)
    submit(alice, [invoice], code="complaint", values={"text": "Te duur"})
    submit(alice, [invoice], code="complaint", values={"text": "Te duur"})
    carol.email = ""
    carol.save()
    submit(
        carol,
        [InvoiceFactory(debtor=carol)],
        code="complaint",
        values={"text": "Too dear"},
        key="k2-one-time-key-0123456789abcdef",
    )

    assert list(Message.objects.values_list("debtor__number", flat=True)) == ["D-ALICE"]


# --- One invoice, one arrangement ------------------------------------------------------------


def propose(debtor, invoices, *, key: str) -> Response:
    first = (timezone.localdate() + timedelta(days=7)).isoformat()
    return submit(
        debtor,
        invoices,
        code="arrangement",
        values={"instalments": 3, "first_date": first},
        key=key,
    )


def test_it_refuses_an_arrangement_for_an_invoice_another_arrangement_holds(alice):
    held, free = InvoiceFactory(debtor=alice, number="F-1"), InvoiceFactory(debtor=alice)
    propose(alice, [held], key="first-proposal-0123456789")

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        propose(alice, [free, held], key="second-proposal-012345678")

    assert "There is already a payment arrangement for F-1." in refused.value.message
    assert Response.objects.count() == 1
    assert not free.responses.exists()


def test_it_allows_a_new_arrangement_once_the_old_response_is_closed(alice, dave):
    invoice = InvoiceFactory(debtor=alice)
    old = propose(alice, [invoice], key="first-proposal-0123456789")
    response_close(response=old, closed_by=dave, note="Rejected by phone")

    again = propose(alice, [invoice], key="second-proposal-012345678")

    assert again.pk != old.pk and again.state == ResponseState.OPEN


def test_it_lets_other_responses_on_an_invoice_in_an_arrangement(alice):
    invoice = InvoiceFactory(debtor=alice)
    propose(alice, [invoice], key="first-proposal-0123456789")

    complaint = submit(alice, [invoice], code="complaint", values={"text": "Wrong amount"})

    assert complaint.response_type.code == "complaint"


def test_it_returns_the_first_arrangement_for_the_same_submission_key(alice):
    invoice = InvoiceFactory(debtor=alice)
    first = propose(alice, [invoice], key="first-proposal-0123456789")

    assert propose(alice, [invoice], key="first-proposal-0123456789") == first
