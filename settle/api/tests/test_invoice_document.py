import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from settle.api.tests.payloads import small_pdf
from settle.receivables.models import Invoice
from settle.receivables.tests.factories import InvoiceFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def invoice(alice):
    return InvoiceFactory(number="F-2025-001", debtor=alice)


URL = "/api/v1/invoices/F-2025-001/document"


def _put_raw(client, content: bytes, content_type: str = "application/pdf"):
    return client.put(URL, data=content, content_type=content_type)


def _put_form(client, content: bytes, name: str = "invoice.pdf", field: str = "file"):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    body = encode_multipart(BOUNDARY, {field: upload})
    return client.put(URL, data=body, content_type=MULTIPART_CONTENT)


def test_it_stores_a_pdf_sent_as_the_body(api_client, invoice):
    pdf = small_pdf()

    response = _put_raw(api_client, pdf)

    assert response.status_code == 200
    assert response.json()["has_document"] is True
    invoice.refresh_from_db()
    with invoice.document.open("rb") as stored:
        assert stored.read() == pdf
    assert api_client.get("/api/v1/invoices/F-2025-001").json()["has_document"] is True


def test_it_stores_a_pdf_sent_as_a_form(api_client, invoice):
    response = _put_form(api_client, small_pdf())

    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.document.name.endswith(".pdf")


def test_it_replaces_an_earlier_document(api_client, invoice):
    _put_raw(api_client, small_pdf("first"))

    _put_raw(api_client, small_pdf("second"))

    invoice.refresh_from_db()
    with invoice.document.open("rb") as stored:
        assert b"second" in stored.read()


@pytest.mark.parametrize(
    "content",
    [PNG, b"Dear customer, please pay.\n", b"%PDF-1.4\n(truncated, no end)", b"\x00" * 100],
)
def test_it_refuses_what_is_not_a_pdf_whatever_it_is_called(api_client, invoice, content):
    for response in (_put_raw(api_client, content), _put_form(api_client, content)):
        assert response.status_code == 422
        assert response.json()["detail"] == "The document is not a PDF file."
    invoice.refresh_from_db()
    assert not invoice.document


def test_it_refuses_an_empty_body_or_a_form_without_the_file(api_client, invoice):
    assert _put_raw(api_client, b"").status_code == 422
    response = _put_form(api_client, small_pdf(), field="pdf")
    assert response.status_code == 422
    assert "file" in response.json()["detail"]


def test_it_refuses_a_document_that_is_too_large(api_client, invoice, settings):
    pdf = small_pdf()
    settings.SETTLE_DOCUMENT_MAX_BYTES = len(pdf) - 1

    for response in (_put_raw(api_client, pdf), _put_form(api_client, pdf)):
        assert response.status_code == 413
        assert "larger than" in response.json()["detail"]
    invoice.refresh_from_db()
    assert not invoice.document


def test_it_refuses_a_broken_multipart_form(api_client, invoice):
    response = api_client.put(
        URL, data=b"--x\r\nnonsense", content_type="multipart/form-data; boundary=x"
    )

    assert response.status_code == 422


def test_it_answers_404_for_an_unknown_invoice(api_client, db):
    response = api_client.put(
        "/api/v1/invoices/F-NOPE/document", data=small_pdf(), content_type="application/pdf"
    )

    assert response.status_code == 404
    assert not Invoice.objects.exists()


def test_it_takes_a_document_larger_than_djangos_upload_memory_limit(api_client, invoice, settings):
    # A scanned invoice easily passes Django's 10 MB limit for bodies read into memory.
    settings.SETTLE_DOCUMENT_MAX_BYTES = 20 * 2**20
    pdf = small_pdf()
    padded = pdf[:9] + b"%" + b"x" * (11 * 2**20) + b"\n" + pdf[9:]

    for response in (_put_raw(api_client, padded), _put_form(api_client, padded)):
        assert response.status_code == 200
