"""The EPC QR code ("SEPA credit transfer", EPC069-12) printed on a letter asking for payment.

A banking app that scans it fills in the payee, IBAN, amount and reference of a transfer, so a
debtor need not type any of them. segno builds the code; this module checks what goes into it,
since segno checks only the lengths.
"""

import re
from decimal import Decimal, InvalidOperation

import segno
from django.utils.translation import gettext as _
from segno import helpers as segno_helpers

from settle.common.errors import ApplicationError, FieldError

# The limits EPC069-12 sets for the amount field (euros, two decimals).
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
CENT = Decimal("0.01")
# Field lengths of the EPC QR code: beneficiary name, unstructured remittance text.
MAX_NAME = 70
MAX_TEXT = 140

_IBAN_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_BIC_RE = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
# ISO 11649: "RF", two check digits, then 1 to 21 letters or digits.
_CREDITOR_REFERENCE_RE = re.compile(r"RF[0-9]{2}[A-Z0-9]{1,21}")
_SPACES_RE = re.compile(r"\s+")


def _mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 of a text of letters (A=10 ... Z=35) and digits, as IBAN and ISO 11649
    both check it: the first four characters moved to the end."""
    rearranged = text[4:] + text[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97


def iban_normalise(iban: str) -> str:
    """The IBAN without spaces, in capitals, if its check digits are right (else refused)."""
    compact = _SPACES_RE.sub("", iban or "").upper()
    if not _IBAN_RE.fullmatch(compact) or _mod97(compact) != 1:
        message = _("“%(iban)s” is not a valid IBAN.") % {"iban": iban}
        raise ApplicationError(message, errors=[FieldError("iban", message)])
    return compact


def iban_display(iban: str) -> str:
    """An IBAN in groups of four, as people read and type it: "NL91 ABNA 0417 1643 00"."""
    compact = _SPACES_RE.sub("", iban).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def creditor_reference(reference: str) -> str | None:
    """The reference as an ISO 11649 creditor reference ("RF18539007547034") if it is one with
    right check digits, else None (a Dutch 16-digit betalingskenmerk, say, is not)."""
    compact = _SPACES_RE.sub("", reference or "").upper()
    if _CREDITOR_REFERENCE_RE.fullmatch(compact) and _mod97(compact) == 1:
        return compact
    return None


def _amount_checked(amount: Decimal) -> Decimal:
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        value = None
    if value is None or not value.is_finite() or value != value.quantize(CENT):
        message = _("The amount of a payment QR code must be in euros with at most two decimals.")
        raise ApplicationError(message, errors=[FieldError("amount", message)])
    if not MIN_AMOUNT <= value <= MAX_AMOUNT:
        message = _("The amount of a payment QR code must be between € 0.01 and € 999,999,999.99.")
        raise ApplicationError(message, errors=[FieldError("amount", message)])
    return value.quantize(CENT)


def epc_qr(
    *, name: str, iban: str, amount: Decimal, reference: str = "", bic: str = ""
) -> segno.QRCode:
    """An EPC QR code for a SEPA credit transfer of `amount` euros to `iban` in `name`.

    A valid ISO 11649 creditor reference (RF...) goes into the structured reference field, which
    banks match on; any other reference (a Dutch betalingskenmerk, an invoice number) into the
    unstructured text, which the debtor's bank passes on as the payment's description.
    Refuses (ApplicationError) a bad IBAN or BIC, an amount outside what the standard allows, or
    a name or reference too long for the code.
    """
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        message = _("The payee's name on a payment QR code must have 1 to %(max)d characters.") % {
            "max": MAX_NAME
        }
        raise ApplicationError(message, errors=[FieldError("name", message)])
    iban = iban_normalise(iban)
    value = _amount_checked(amount)
    bic = _SPACES_RE.sub("", bic or "").upper()
    if bic and not _BIC_RE.fullmatch(bic):
        message = _("“%(bic)s” is not a valid BIC.") % {"bic": bic}
        raise ApplicationError(message, errors=[FieldError("bic", message)])
    structured = creditor_reference(reference)
    text = None if structured else (reference or "").strip()
    if not structured and not text:
        message = _("A payment QR code needs a payment reference.")
        raise ApplicationError(message, errors=[FieldError("reference", message)])
    if text and len(text) > MAX_TEXT:
        message = _("The payment reference is too long for a payment QR code.")
        raise ApplicationError(message, errors=[FieldError("reference", message)])
    return segno_helpers.make_epc_qr(
        name=name, iban=iban, amount=value, text=text, reference=structured, bic=bic or None
    )


def epc_qr_svg_data_uri(
    *, name: str, iban: str, amount: Decimal, reference: str = "", bic: str = ""
) -> str:
    """The EPC QR code (see `epc_qr`) as a `data:` URI of an SVG image, with the quiet zone of
    four modules the standard asks for. It has no size of its own: the page's CSS sets it, and
    being a vector it prints sharp at any size. A letter embeds it without fetching anything."""
    code = epc_qr(name=name, iban=iban, amount=amount, reference=reference, bic=bic)
    return code.svg_data_uri(border=4, omitsize=True)
