import struct
import zlib

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from settle.arrangements.models import ArrangementState, InstalmentState, PaymentArrangement
from settle.arrangements.status import response_status_text
from settle.common.money import money
from settle.receivables.tests.factories import DebtorFactory
from settle.responses.models import (
    FieldKind,
    Response,
    ResponseField,
    ResponseType,
    WorkflowKind,
)


class ResponseTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"type-{n}")
    workflow = WorkflowKind.COMPLAINT
    name_nl = factory.Sequence(lambda n: f"Reactie {n}")
    name_en = factory.Sequence(lambda n: f"Response {n}")
    excludes_from_dunning = True
    enabled_in_portal = True
    position = 500


class ResponseFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseField

    response_type = factory.SubFactory(ResponseTypeFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    kind = FieldKind.TEXT
    label_nl = factory.Sequence(lambda n: f"Veld {n}")
    label_en = factory.Sequence(lambda n: f"Field {n}")


class ResponseFactory(factory.django.DjangoModelFactory):
    """A response; pass `invoices=[...]` to link it (they should belong to `debtor`)."""

    class Meta:
        model = Response
        skip_postgeneration_save = True

    debtor = factory.SubFactory(DebtorFactory)
    response_type = factory.LazyFunction(lambda: ResponseType.objects.get(code="complaint"))
    values = factory.Dict({})
    submission_key = factory.Sequence(lambda n: f"submission-key-{n:08d}")

    @factory.post_generation
    def invoices(self, create, extracted, **kwargs):
        if create and extracted:
            self.invoices.set(extracted)


def status_line(response: Response) -> str:
    """The status line the debtor reads for `response` while it is open, by the one rule
    (settle.arrangements.status.response_status_text), its arrangement read from the database."""
    arrangement = PaymentArrangement.objects.filter(response=response).first()
    upcoming = None
    if arrangement is not None and arrangement.state == ArrangementState.ACCEPTED:
        upcoming = arrangement.instalments.filter(state=InstalmentState.PENDING).first()
    currency = response.invoices.values_list("currency", flat=True).first()
    return response_status_text(
        workflow=response.response_type.workflow,
        values=response.values,
        name_nl=response.response_type.name_nl,
        name_en=response.response_type.name_en,
        arrangement_state=arrangement.state if arrangement else None,
        next_date=upcoming.due_date if upcoming else None,
        next_amount=money(upcoming.amount, currency) if upcoming and currency else "",
    )


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A real one-page PDF, as small as they come."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_upload(name: str = "proof.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf_upload(name: str = "proof.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def text_disguised_as_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "invoice.pdf", b"Just some text, not a PDF at all.\n", content_type="application/pdf"
    )
