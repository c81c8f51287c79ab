import io
import logging
import socket
import threading
from datetime import date
from decimal import Decimal

import pypdfium2
import pytest
import weasyprint
import zxingcpp
from django.utils import translation
from pypdf import PdfReader

from settle.common.errors import ApplicationError
from settle.correspondence.letters import (
    Payment,
    Recipient,
    Sender,
    letter_fetch_refusals,
    letter_html,
    letter_pdf,
    letters_combine,
)

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)
# The window of a C5/6 or DL envelope, window on the left, on the sheet (x, y from top-left).
WINDOW = {"left": 20, "right": 110, "top": 45, "bottom": 90}

SENDER = Sender(
    name="Gemeente Voorbeeld",
    address_lines=("Postbus 123", "3500 AA  Utrecht"),
    email="debiteuren@voorbeeld.nl",
    phone="030 123 45 67",
    website="www.voorbeeld.nl",
    iban="NL91 ABNA 0417 1643 00",
    bic="ABNANL2A",
)
ALICE = Recipient(name="Alice de Vries", address_lines=("Dorpsstraat 1", "3811 AB  Amersfoort"))
BODY = "<p>Dear Alice,</p><p>Invoice 2026-0001 is still open.</p><p>Kind regards,</p>"


def _html(**overrides) -> str:
    values = {
        "body_html": BODY,
        "sender": SENDER,
        "recipient": ALICE,
        "letter_date": date(2026, 12, 7),
        "subject": "Reminder for invoice 2026-0001",
        "reference": "2026-0001",
        "payment": Payment(amount=Decimal("123.45"), reference="RF18539007547034"),
        "language": "en",
    }
    return letter_html(**(values | overrides))


def _page(pdf: bytes):
    return pypdfium2.PdfDocument(pdf)[0]


def _scanned(pdf: bytes) -> list[str]:
    """What a banking app reads from the printed letter (page 1 at 250 dpi)."""
    image = _page(pdf).render(scale=250 / 72).to_pil()
    (result,) = zxingcpp.read_barcodes(image)
    return result.text.split("\n")


def _text_box(pdf: bytes, text: str) -> tuple[float, float, float, float]:
    """Where `text` stands on page 1, in mm from the sheet's top-left: left, top, right, bottom."""
    page = _page(pdf)
    textpage = page.get_textpage()
    found = textpage.search(text, match_case=True).get_next()
    assert found, f"{text!r} is not on the page"
    index, count = found
    boxes = [textpage.get_charbox(i) for i in range(index, index + count)]
    height = page.get_size()[1]
    left = min(b[0] for b in boxes) / MM
    right = max(b[2] for b in boxes) / MM
    top = (height - max(b[3] for b in boxes)) / MM
    bottom = (height - min(b[1] for b in boxes)) / MM
    return left, top, right, bottom


def _text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_it_prints_one_a4_page_with_the_address_in_the_envelope_window():
    pdf = letter_pdf(_html())

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4[0], abs=1)
    assert float(box.height) == pytest.approx(A4[1], abs=1)
    text = _text(pdf)
    assert "Alice de Vries Dorpsstraat 1 3811 AB Amersfoort" in text
    for line in ("Alice de Vries", "Dorpsstraat 1", "3811 AB", "Amersfoort"):
        left, top, right, bottom = _text_box(pdf, line)
        assert WINDOW["left"] + 2 <= left and right <= WINDOW["right"] - 2, (line, left, right)
        assert WINDOW["top"] + 2 <= top and bottom <= WINDOW["bottom"] - 2, (line, top, bottom)


def test_it_puts_the_sender_outside_the_window():
    pdf = letter_pdf(_html())

    left, _top, _right, _bottom = _text_box(pdf, "www.voorbeeld.nl")
    assert left > WINDOW["right"]


def test_it_prints_date_subject_reference_body_and_contact_details():
    text = _text(letter_pdf(_html()))

    assert "Date: 7 December 2026" in text
    assert "Our reference: 2026-0001" in text
    assert "Reminder for invoice 2026-0001" in text
    assert "Invoice 2026-0001 is still open." in text
    assert "debiteuren@voorbeeld.nl" in text
    assert "Phone 030 123 45 67" in text


def test_it_writes_the_date_and_amount_in_the_letters_language():
    text = _text(letter_pdf(_html(language="nl")))

    assert "7 december 2026" in text
    assert "€ 123,45" in text


def test_it_prints_the_payment_details_with_a_code_a_banking_app_reads():
    pdf = letter_pdf(_html())

    text = _text(pdf)
    assert "€123.45" in text
    assert "NL91 ABNA 0417 1643 00" in text
    assert "Scan to pay with your banking app" in text
    lines = _scanned(pdf)
    assert lines[0] == "BCD"
    assert lines[3] == "SCT"
    assert lines[5] == "Gemeente Voorbeeld"
    assert lines[6] == "NL91ABNA0417164300"
    assert lines[7] == "EUR123.45"
    assert lines[9] == "RF18539007547034"


def test_it_puts_a_dutch_payment_reference_in_the_codes_text():
    pdf = letter_pdf(_html(payment=Payment(amount=Decimal("123.45"), reference="5000000123456789")))

    lines = _scanned(pdf)
    assert lines[6] == "NL91ABNA0417164300"
    assert lines[7] == "EUR123.45"
    assert lines[9] == ""
    assert lines[10] == "5000000123456789"
    assert "5000000123456789" in _text(pdf)


def test_it_leaves_out_the_payment_block_without_a_payment():
    pdf = letter_pdf(_html(payment=None))

    assert "Payment details" not in _text(pdf)
    assert zxingcpp.read_barcodes(_page(pdf).render(scale=250 / 72).to_pil()) == []


def test_it_continues_a_long_letter_on_more_pages_with_the_payment_block_whole():
    body = "<p>Invoice 2026-0001 is still open. Please pay it within fourteen days.</p>" * 40

    pdf = letter_pdf(_html(body_html=body))

    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    for page in pages:
        assert "debiteuren@voorbeeld.nl" in page.extract_text()
    assert "Payment details" in pages[-1].extract_text()
    assert all("Payment details" not in page.extract_text() for page in pages[:-1])


def test_it_refuses_a_payment_without_the_organisations_iban():
    sender = Sender(name="Gemeente Voorbeeld", address_lines=("Postbus 123",))

    with pytest.raises(ApplicationError) as refusal, translation.override("en"):
        _html(sender=sender)

    assert refusal.value.errors[0].field == "iban"


def test_it_refuses_a_payment_the_code_cannot_carry():
    with pytest.raises(ApplicationError) as refusal:
        _html(payment=Payment(amount=Decimal("0.00"), reference="2026-0001"))

    assert refusal.value.errors[0].field == "amount"


def test_it_escapes_the_recipient_and_subject():
    html = _html(recipient=Recipient(name="<b>Alice</b>"), subject="<script>x</script>")

    assert "&lt;b&gt;Alice&lt;/b&gt;" in html
    assert "<script>" not in html


def test_it_combines_letters_into_one_pdf_for_printing():
    pdfs = [
        letter_pdf(_html(recipient=Recipient(name=name))) for name in ("Alice", "Carol", "Erin")
    ]

    combined = PdfReader(io.BytesIO(letters_combine(iter(pdfs))))

    assert len(combined.pages) == 3
    assert "Carol" in combined.pages[1].extract_text()


def test_it_refuses_to_combine_no_letters():
    with pytest.raises(ApplicationError):
        letters_combine([])


# --- what a letter may load -------------------------------------------------------------------


class ListeningServer:
    """A TCP server on 127.0.0.1 that answers any HTTP request 404 and counts connections."""

    def __init__(self):
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _address = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self):
        self._stop.set()
        self._thread.join()
        self._sock.close()


@pytest.fixture
def server():
    listening = ListeningServer()
    yield listening
    listening.close()


def test_the_listening_server_sees_a_plain_weasyprint_fetch(server, caplog, monkeypatch):
    # Checks the check below: WeasyPrint's own fetcher does connect to it (straight, no proxy).
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    html = f'<img src="http://127.0.0.1:{server.port}/x.png">'
    with caplog.at_level(logging.CRITICAL, logger="weasyprint"):
        weasyprint.HTML(string=html).write_pdf()

    assert server.connections == 1


def test_it_refuses_a_network_address_without_connecting(server):
    url = f"http://127.0.0.1:{server.port}/x.png"

    refused = letter_fetch_refusals(_html(body_html=f'<p><img src="{url}"></p>'))
    letter_pdf(_html(body_html=f'<p><img src="{url}"></p>'))

    assert refused == [url]
    assert server.connections == 0


@pytest.mark.parametrize(
    ("body", "url"),
    [
        ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
        ('<link rel="stylesheet" href="https://example.org/a.css">', "https://example.org/a.css"),
        (
            "<style>body { background: url(file:///etc/hostname) }</style>",
            "file:///etc/hostname",
        ),
        (
            "<div style=\"background-image: url('file:///etc/hostname')\">x</div>",
            "file:///etc/hostname",
        ),
        ('<img src="/static/../../settings.py">', "http://127.0.0.1:8000/settings.py"),
        (
            '<img src="/static/%2e%2e/%2e%2e/settings.py">',
            "http://127.0.0.1:8000/static/%2e%2e/%2e%2e/settings.py",
        ),
        (
            '<img src="/static/portal/missing.png">',
            "http://127.0.0.1:8000/static/portal/missing.png",
        ),
        ('<img src="/media/upload.png">', "http://127.0.0.1:8000/media/upload.png"),
        ('<img src="ftp://127.0.0.1/x.png">', "ftp://127.0.0.1/x.png"),
        ('<style>@import url("file:///etc/a.css");</style>', "file:///etc/a.css"),
        (
            "<style>@font-face { font-family: X; src: url(file:///etc/x.ttf) }"
            " p { font-family: X }</style>",
            "file:///etc/x.ttf",
        ),
        ('<base href="file:///etc/"><img src="passwd">', "file:///etc/passwd"),
        (
            "<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>"
            "<image href='file:///etc/passwd' width='9' height='9'/></svg>\">",
            "file:///etc/passwd",
        ),
    ],
)
def test_it_reports_files_that_are_not_settles_own(settings, body, url):
    settings.SETTLE_BASE_URL = "http://127.0.0.1:8000"

    assert letter_fetch_refusals(_html(body_html=body)) == [url]


def test_it_renders_a_letter_without_the_refused_files_and_says_so_once(caplog):
    html = _html(body_html='<img src="file:///etc/passwd"><img src="file:///etc/passwd">')

    with caplog.at_level(logging.INFO):
        pdf = letter_pdf(html)

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["settle.correspondence.letters"]
    assert "file:///etc/passwd" in warnings[0].getMessage()


def test_it_allows_settles_own_static_files():
    html = _html(
        body_html='<p><img src="/static/portal/favicon.svg" style="width: 20mm; height: 20mm"></p>',
        payment=None,
    )

    assert letter_fetch_refusals(html) == []
    image = _page(letter_pdf(html)).render(scale=100 / 72).to_pil().convert("RGB")
    colours = {colour: count for count, colour in image.getcolors(1 << 24)}
    assert colours.get((11, 92, 173), 0) > 500  # the favicon's blue square: it was loaded
