"""Request bodies as an ERP would send them."""

from typing import Any


def debtor_item(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "number": f"D{n:05d}",
        "name": f"Debtor {n}",
        "language": "nl" if n % 2 else "en",
        "email": f"debtor{n}@example.test",
        "mobile": "06 12345678",
        "address": {
            "street": f"Dorpsstraat {n}",
            "postal_code": "1234 AB",
            "city": "Utrecht",
            "country": "NL",
        },
        "payment_method": "bank_transfer",
        "delivery_method": "email",
        "active": True,
        **fields,
    }


def invoice_item(n: int, debtor_number: str, **fields: Any) -> dict[str, Any]:
    return {
        "number": f"F{n:06d}",
        "debtor_number": debtor_number,
        "issue_date": "2025-01-02",
        "due_date": "2025-02-01",
        "amount": "121.00",
        "open_amount": "121.00",
        "currency": "EUR",
        "payment_reference": f"RF{n:08d}",
        "collection_status": "open",
        **fields,
    }


def small_pdf(text: str = "Invoice F000001") -> bytes:
    """A complete one-page PDF, cross-reference table and all."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
