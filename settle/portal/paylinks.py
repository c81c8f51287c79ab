"""Pay links: the "Pay now" button in a message, which leads to a page for paying the message's
invoices without signing in to the portal.

A link names one `PayLink` row by its id, signed with the secret key (salt below), so nobody can
make or change one, and it is short enough for an SMS. It grants less than a portal link: it
shows the debtor's name and what is still open of the invoices it names, and starts a payment of
exactly those; so it may live as long as the portal link of its message, and no longer (checked
here, on the server, from the row). GET of the pay page creates nothing (mail scanners open
links); only POST starts a payment (part of the pay pages, `pay.py`).
"""

import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from settle.payments.selectors import online_payment_enabled
from settle.portal.models import PayLink
from settle.receivables.models import Debtor, Invoice

SALT = "settle.portal.pay-link"
# "." is not in the signature's alphabet, and, unlike ":", needs no thought in any URL.
SEPARATOR = "."
PREVIEW_TOKEN = "PREVIEW"  # noqa: S105 (a stand-in shown in previews, no secret)
_DIGITS = string.digits + string.ascii_letters


class PayLinkInvalid(Exception):  # noqa: N818 (named for what the link is, as the views say it)
    """The token was not made by us, was altered, or names no link."""


class PayLinkExpired(Exception):  # noqa: N818
    """The link was ours but is past its last moment. `claim` says whose it was, so that the
    page can offer that debtor a new portal link without asking who they are."""

    def __init__(self, claim: "PayLinkClaim") -> None:
        super().__init__(claim.debtor_id)
        self.claim = claim


@dataclass(frozen=True)
class PayLinkClaim:
    """What a valid pay link names."""

    debtor_id: int
    invoice_ids: list[int]
    expires_at: datetime


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=SEPARATOR)


def _base62(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, len(_DIGITS))
        digits = _DIGITS[digit] + digits
        if not number:
            return digits


def _from_base62(text: str) -> int:
    number = 0
    for character in text:
        number = number * len(_DIGITS) + _DIGITS.index(character)
    return number


def pay_link_token(*, link: PayLink) -> str:
    """The signed, compact name of `link` (about 47 characters)."""
    return _signer().sign(_base62(link.pk))


def _url(token: str) -> str:
    # From SETTLE_BASE_URL, never from a request's Host (a poisoned Host would send debtors
    # elsewhere with their link).
    return settings.SETTLE_BASE_URL + reverse("portal:pay_link", kwargs={"token": token})


def pay_link_url(*, debtor: Debtor, invoices: Iterable[Invoice], expires_at: datetime) -> str:
    """A new pay link for these invoices of `debtor`, valid until `expires_at`: its absolute
    URL, for a message."""
    invoices = list(invoices)
    invoice_ids = [invoice.pk for invoice in invoices]
    if any(invoice.debtor_id != debtor.pk for invoice in invoices):
        raise ValueError("A pay link names invoices of its own debtor only.")
    link = PayLink.objects.create(debtor=debtor, invoice_ids=invoice_ids, expires_at=expires_at)
    return _url(pay_link_token(link=link))


def pay_link_read(*, token: str) -> PayLinkClaim:
    """What the pay link `token` names. Raises PayLinkInvalid for a token we did not sign (or
    one altered, or naming a link that no longer exists) and PayLinkExpired past its expiry."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature as exc:
        raise PayLinkInvalid from exc
    try:
        pk = _from_base62(value)
    except ValueError as exc:
        raise PayLinkInvalid from exc
    link = PayLink.objects.filter(pk=pk).first()
    if link is None:
        raise PayLinkInvalid
    claim = PayLinkClaim(
        debtor_id=link.debtor_id,
        invoice_ids=[int(pk) for pk in link.invoice_ids],
        expires_at=link.expires_at,
    )
    if link.expires_at <= timezone.now():
        raise PayLinkExpired(claim)
    return claim


def message_pay_values(
    *, debtor: Debtor | None, invoices: Iterable[Invoice], link_expires_at: datetime | None
) -> dict:
    """The `SETTLE_MESSAGE_VALUES` hook: what a message's templates know of online payment.

    `online_payment` says whether debtors can pay online at all (templates show their words
    about it only then). `pay_link` is a fresh pay link for the open ones of `invoices`, only
    where a message also carries a fresh portal link (`link_expires_at`, whose expiry it
    shares): messages that answer a debtor's own action carry no link that signs in or pays.
    Without a debtor (a preview) a stand-in URL, and nothing is created.
    """
    enabled = online_payment_enabled()
    values = {"online_payment": enabled, "pay_link": ""}
    if not enabled or link_expires_at is None:
        return values
    if debtor is None:
        values["pay_link"] = _url(PREVIEW_TOKEN)
        return values
    payable = [invoice for invoice in invoices if invoice.open_amount > 0]
    if payable:
        values["pay_link"] = pay_link_url(
            debtor=debtor, invoices=payable, expires_at=link_expires_at
        )
    return values
