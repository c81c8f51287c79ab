"""Paper letters: an A4 page for a window envelope, rendered to PDF by WeasyPrint.

The letter's body is HTML made elsewhere (an administrator's template); this module puts the
sender, the address (where a window envelope shows it), the date, the subject and, when money is
asked for, a payment block with an EPC QR code around it, and renders the whole to PDF.

Rendering fetches nothing from outside Settle: only `data:` URIs and Settle's own static files,
read from disk, can appear in a letter (`LetterFetcher`). A template that points elsewhere, at
the server's files or at a network address, gets a refusal instead of the file.
"""

import io
import logging
import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import FileSystemStorage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.qr import epc_qr_svg_data_uri, iban_display, iban_normalise

logger = logging.getLogger(__name__)

CSS_PATH = Path(__file__).resolve().parent / "static" / "correspondence" / "letter.css"


@dataclass(frozen=True)
class Sender:
    """The organisation a letter comes from, as printed at its top and in its footer."""

    name: str
    address_lines: Sequence[str] = ()
    email: str = ""
    phone: str = ""
    website: str = ""
    iban: str = ""
    bic: str = ""


@dataclass(frozen=True)
class Recipient:
    """Who the letter goes to: the lines the envelope's window shows, in postal order."""

    name: str
    address_lines: Sequence[str] = ()


@dataclass(frozen=True)
class Payment:
    """What the letter asks to be paid, with the reference the payment must carry."""

    amount: Decimal
    reference: str


# --- HTML -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _letter_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8")


def letter_html(
    *,
    body_html: str,
    sender: Sender,
    recipient: Recipient,
    letter_date: date,
    subject: str,
    reference: str,
    payment: Payment | None,
    language: str,
) -> str:
    """The whole letter as one HTML document in `language`, its CSS inlined so that rendering it
    needs nothing else. `body_html` is inserted as it is: it must already be safe HTML.

    With `payment`, the letter ends in a payment block (amount, IBAN, reference) with an EPC QR
    code; a sender without a valid IBAN, or an amount or reference the code cannot carry, is
    refused with ApplicationError.
    """
    qr_uri = ""
    if payment is not None:
        if not sender.iban:
            message = _("A letter asking for payment needs the organisation's IBAN.")
            raise ApplicationError(message, errors=[FieldError("iban", message)])
        qr_uri = epc_qr_svg_data_uri(
            name=sender.name,
            iban=sender.iban,
            amount=payment.amount,
            reference=payment.reference,
            bic=sender.bic,
        )
    sender_iban = iban_display(iban_normalise(sender.iban)) if sender.iban else ""
    return_address = ", ".join([sender.name, *sender.address_lines])
    with translation.override(language):
        return render_to_string(
            "correspondence/letter.html",
            {
                "css": _letter_css(),
                "language": language,
                "body_html": body_html,
                "sender": sender,
                "sender_iban": sender_iban,
                "return_address": return_address,
                "recipient": recipient,
                "letter_date": letter_date,
                "subject": subject,
                "reference": reference,
                "payment": payment,
                "qr_uri": qr_uri,
            },
        )


# --- what a letter may load -------------------------------------------------------------------


class LetterResourceRefused(Exception):
    """A letter asked for a file that is not Settle's own: WeasyPrint leaves it out."""


def _weasyprint():
    # WeasyPrint loads Pango and its fonts on import (about a second): only when a letter is made.
    import weasyprint
    import weasyprint.urls

    return weasyprint


class _QuietRefusals(logging.Filter):
    """WeasyPrint logs an error for every resource its fetcher refused; Settle records the
    refusals itself (`LetterFetcher.refused`), so these lines would only repeat them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return LetterResourceRefused.__name__ not in record.getMessage()


_quiet_refusals = _QuietRefusals()


def _base_url() -> str:
    # Relative URLs in a letter ("/static/...") resolve against Settle's own address, as they
    # would in a browser; the fetcher then reads them from disk, never from that address.
    return settings.SETTLE_BASE_URL.rstrip("/") + "/"


def _static_file(url: str) -> Path | None:
    """The file on disk of one of Settle's static files at `url`, or None for anything else."""
    prefix = urljoin(_base_url(), settings.STATIC_URL)
    if not url.startswith(prefix):
        return None
    parts = urlsplit(url[len(prefix) :])
    name = unquote(parts.path)
    segments = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(s in ("", ".", "..") for s in segments):
        return None
    found = finders.find(name)
    if found:
        return Path(found)
    # In production the collected, hashed names ("portal.3f2a1b.css") exist only in STATIC_ROOT;
    # a storage elsewhere (a bucket) would mean a network request: not for letters.
    if isinstance(staticfiles_storage, FileSystemStorage) and staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    return None


@lru_cache(maxsize=1)
def _fetcher_class():
    weasyprint = _weasyprint()

    class LetterFetcher(weasyprint.urls.URLFetcher):
        """WeasyPrint's fetcher for a letter: `data:` URIs and Settle's static files only.

        Everything else (file://, http(s)://, other schemes, paths outside the static files,
        `..`) raises LetterResourceRefused before anything is opened, and is kept in `refused`.
        """

        def __init__(self):
            super().__init__(allowed_protocols=("data",), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = _static_file(url)
            if path is None:
                self.refused.append(url)
                raise LetterResourceRefused(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": content_type}
            )

    logging.getLogger("weasyprint").addFilter(_quiet_refusals)
    return LetterFetcher


@dataclass
class _Rendered:
    pdf: bytes
    refused: list[str] = field(default_factory=list)


def _render(html: str) -> _Rendered:
    weasyprint = _weasyprint()
    fetcher = _fetcher_class()()
    document = weasyprint.HTML(string=html, base_url=_base_url(), url_fetcher=fetcher)
    pdf = document.write_pdf()
    return _Rendered(pdf=pdf, refused=list(dict.fromkeys(fetcher.refused)))


def letter_pdf(html: str) -> bytes:
    """The letter's HTML (see `letter_html`) as a PDF, A4. Anything the HTML points to that is not
    a `data:` URI or one of Settle's static files is left out, and logged."""
    rendered = _render(html)
    if rendered.refused:
        logger.warning("letter rendered without files that are not Settle's: %s", rendered.refused)
    return rendered.pdf


def letter_fetch_refusals(html: str) -> list[str]:
    """The URLs a letter's HTML points to that rendering it would refuse (each once, in the order
    met): what to show an administrator whose template uses files that are not Settle's own."""
    return _render(html).refused


# --- printing ---------------------------------------------------------------------------------


def letters_combine(pdfs: Iterable[bytes]) -> bytes:
    """One PDF of all the letters' pages in turn, to print in one go."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    count = 0
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
        count += 1
    if not count:
        raise ApplicationError(_("There are no letters to print."))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
