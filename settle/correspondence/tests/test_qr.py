import io
from decimal import Decimal

import pytest
import zxingcpp
from django.utils import translation
from PIL import Image

from settle.common.errors import ApplicationError
from settle.correspondence.qr import epc_qr, epc_qr_svg_data_uri

IBAN = "NL91ABNA0417164300"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _scanned(code) -> list[str]:
    """What a banking app reads from the code: its lines."""
    png = io.BytesIO()
    code.save(png, kind="png", scale=6)
    png.seek(0)
    (result,) = zxingcpp.read_barcodes(Image.open(png))
    return result.text.split("\n")


def _qr(**overrides):
    values = {
        "name": "Gemeente Voorbeeld",
        "iban": IBAN,
        "amount": Decimal("123.45"),
        "reference": "RF18539007547034",
    }
    return epc_qr(**(values | overrides))


def test_it_makes_a_sepa_credit_transfer_code_with_a_structured_creditor_reference():
    lines = _scanned(_qr(bic="abna nl2a"))

    assert lines[0] == "BCD"
    assert lines[1] == "002"
    assert lines[3] == "SCT"
    assert lines[4] == "ABNANL2A"
    assert lines[5] == "Gemeente Voorbeeld"
    assert lines[6] == IBAN
    assert lines[7] == "EUR123.45"
    assert lines[9] == "RF18539007547034"
    assert len(lines) == 10


def test_it_reads_a_creditor_reference_written_in_groups():
    lines = _scanned(_qr(reference="rf18 5390 0754 7034"))

    assert lines[9] == "RF18539007547034"


def test_it_puts_a_dutch_payment_reference_in_the_text():
    lines = _scanned(_qr(reference="5000000123456789"))

    assert lines[9] == ""
    assert lines[10] == "5000000123456789"


def test_it_puts_a_creditor_reference_with_wrong_check_digits_in_the_text():
    lines = _scanned(_qr(reference="RF19539007547034"))

    assert lines[9] == ""
    assert lines[10] == "RF19539007547034"


def test_it_normalises_the_iban():
    lines = _scanned(_qr(iban=" nl91 abna 0417 1643 00 "))

    assert lines[6] == IBAN


def test_it_writes_whole_euros_and_cents():
    assert _scanned(_qr(amount=Decimal("0.01")))[7] == "EUR0.01"
    assert _scanned(_qr(amount=Decimal("999999999.99")))[7] == "EUR999999999.99"
    assert _scanned(_qr(amount=Decimal("1250.50")))[7] == "EUR1250.5"


@pytest.mark.parametrize(
    "iban", ["NL91ABNA0417164301", "NL91 ABNA", "ABNA0417164300", "", "NL91ABNA041716430!"]
)
def test_it_refuses_an_invalid_iban(iban):
    with pytest.raises(ApplicationError) as refusal:
        _qr(iban=iban)

    assert "is not a valid IBAN" in refusal.value.message
    assert refusal.value.errors[0].field == "iban"


@pytest.mark.parametrize(
    "amount",
    [Decimal("0"), Decimal("-5.00"), Decimal("1000000000.00"), Decimal("NaN"), Decimal("0.001")],
)
def test_it_refuses_an_amount_the_standard_does_not_allow(amount):
    with pytest.raises(ApplicationError) as refusal:
        _qr(amount=amount)

    assert refusal.value.errors[0].field == "amount"


def test_it_refuses_an_invalid_bic():
    with pytest.raises(ApplicationError) as refusal:
        _qr(bic="ABN")

    assert "“ABN” is not a valid BIC" in refusal.value.message


def test_it_refuses_a_code_without_payment_reference():
    with pytest.raises(ApplicationError) as refusal:
        _qr(reference="  ")

    assert refusal.value.message == "A payment QR code needs a payment reference."


def test_it_refuses_a_payee_name_longer_than_the_code_holds():
    with pytest.raises(ApplicationError) as refusal:
        _qr(name="x" * 71)

    assert refusal.value.errors[0].field == "name"


def test_it_gives_an_svg_image_to_embed_without_fetching():
    uri = epc_qr_svg_data_uri(
        name="Gemeente Voorbeeld", iban=IBAN, amount=Decimal("5.00"), reference="2026-0001"
    )

    assert uri.startswith("data:image/svg+xml")
