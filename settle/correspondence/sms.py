"""Text messages: the number to send to, and the backends that hand an SMS over.

The outbox worker calls `sms_backend().send(...)`. SETTLE_SMS_URL chooses the backend: without
it (the embedded default) nothing leaves the machine and the message is only logged, the outbox
row being its record; `cm://TOKEN@gw.messaging.cm.com?sender=NAME` hands it to CM.com's Business
Messaging gateway. A backend either returns the provider's reference for the message or raises
SmsError, which says whether trying again later may help.
"""

import hashlib
import http.client
import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import NoReturn, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.smsparts import GSM7, UCS2, SmsSize, sms_size

__all__ = [
    "GSM7",
    "MAX_PARTS",
    "UCS2",
    "CmBackend",
    "LogBackend",
    "SmsBackend",
    "SmsError",
    "SmsSize",
    "phone_e164",
    "sms_backend",
    "sms_size",
]

logger = logging.getLogger(__name__)

# CM's gateway refuses to split a message into more parts than this; Settle refuses first, in
# every backend, so that what passes on a development machine also passes in production.
MAX_PARTS = 8
CM_HOST = "gw.messaging.cm.com"
CM_PATH = "/v1.0/message"
CM_TIMEOUT = 15.0
DEFAULT_SENDER = "Settle"
URL_FORMS = (
    "SETTLE_SMS_URL must be empty or log: (only log messages), "
    "cm://PRODUCTTOKEN@gw.messaging.cm.com?sender=NAME (CM.com over HTTPS), "
    "or cm+http://PRODUCTTOKEN@HOST:PORT?sender=NAME (plain HTTP, for tests)"
)

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# A sender is a name of at most 11 letters, digits and inner spaces, or a number of at most 16
# digits: what a phone shows as the sender of an SMS.
_SENDER_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ]{0,9}[A-Za-z0-9])?")
_SENDER_NUMBER = re.compile(r"[0-9]{1,16}")
# CM takes a reference of 1 to 32 letters and digits; anything else is replaced by its hash.
_CM_REFERENCE = re.compile(r"[A-Za-z0-9]{1,32}")
_CM_DETAILS_MAX = 300


def phone_e164(raw: str, *, region: str = "NL") -> str:
    """Return the mobile number `raw` in E.164 (+31612345678); numbers without a country code
    are read as numbers in `region`.

    Refuses (ApplicationError on field "mobile") an empty number, one that is not a valid phone
    number, and one that cannot receive text messages (a landline, a service number).
    """
    number = (raw or "").strip()
    if not number:
        _refuse_mobile(_("This debtor has no mobile number."))
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        _refuse_mobile(_("“%(number)s” is not a valid phone number.") % {"number": number})
    if phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        _refuse_mobile(
            _("“%(number)s” is not a mobile number, so it cannot receive text messages.")
            % {"number": number}
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _refuse_mobile(message: str) -> NoReturn:
    raise ApplicationError(message, errors=[FieldError(field="mobile", message=message)])


@dataclass(eq=False)  # an exception stays hashable, compared by identity
class SmsError(Exception):
    """An SMS that was not handed over. `retryable`: the same message may go through later (the
    provider was unreachable or busy); otherwise sending it again will fail the same way."""

    message: str
    retryable: bool

    def __str__(self) -> str:
        return str(self.message)


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> str:
        """Hand one SMS to `to` (E.164) over; return the provider's reference for it.

        `reference` is ours (the outbox row's key): the same reference for a resend lets the
        provider's reports be matched to the message. Raises SmsError.
        """
        ...


def _sendable(*, to: str, text: str) -> SmsSize:
    if not _E164.fullmatch(to):
        raise SmsError(
            _("“%(to)s” is not a phone number in international form (+31…).") % {"to": to},
            retryable=False,
        )
    size = sms_size(text)
    if size.parts == 0:
        raise SmsError(_("The text message is empty."), retryable=False)
    if size.parts > MAX_PARTS:
        raise SmsError(
            _("The text message is too long: it takes %(parts)d SMS parts, at most %(max)d.")
            % {"parts": size.parts, "max": MAX_PARTS},
            retryable=False,
        )
    return size


class LogBackend:
    """The embedded default: sends nothing, and logs that it did not (never the text)."""

    def send(self, *, to: str, text: str, reference: str) -> str:
        size = _sendable(to=to, text=text)
        logger.info(
            "SMS to %s not sent (no SETTLE_SMS_URL): %d %s units in %d part(s), reference %s",
            to,
            size.units,
            size.encoding,
            size.parts,
            reference,
        )
        return f"log:{reference}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would repeat a redirected POST as a GET without its body; the gateway never
    # redirects, so a redirect is an answer to report, not to follow.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass(frozen=True)
class CmBackend:
    """CM.com's Business Messaging gateway: one JSON POST a message, over HTTPS.

    The gateway's answer only says it accepted the message for delivery; whether the phone got
    it comes later, in CM's status reports, under the reference returned here.
    """

    product_token: str = field(repr=False)
    sender: str = DEFAULT_SENDER
    endpoint: str = f"https://{CM_HOST}{CM_PATH}"
    timeout: float = CM_TIMEOUT

    def __post_init__(self):
        if not self.product_token:
            raise ImproperlyConfigured("CM.com needs a product token. " + URL_FORMS)
        if not (_SENDER_NAME.fullmatch(self.sender) or _SENDER_NUMBER.fullmatch(self.sender)):
            raise ImproperlyConfigured(
                f"The SMS sender {self.sender!r} is neither a name of at most 11 letters, digits "
                "and spaces nor a number of at most 16 digits."
            )

    def send(self, *, to: str, text: str, reference: str) -> str:
        size = _sendable(to=to, text=text)
        cm_reference = (
            reference
            if _CM_REFERENCE.fullmatch(reference)
            else hashlib.blake2b(reference.encode(), digest_size=16).hexdigest()
        )
        payload = {
            "messages": {
                "authentication": {"producttoken": self.product_token},
                "msg": [
                    {
                        "from": self.sender,
                        # CM's preferred form: 00, country code, number.
                        "to": [{"number": "00" + to[1:]}],
                        "body": {"type": "auto", "content": text},
                        "reference": cm_reference,
                        "minimumNumberOfMessageParts": 1,
                        "maximumNumberOfMessageParts": MAX_PARTS,
                    }
                ],
            }
        }
        request = urllib.request.Request(  # noqa: S310 (the scheme is ours: http or https)
            self.endpoint,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "User-Agent": "Settle",
                # CM's documentation prefers the header; the body's copy is what its SDKs send.
                "X-CM-PRODUCTTOKEN": self.product_token,
            },
        )
        status, body = self._post(request)
        parts = _cm_outcome(status, body)
        logger.info(
            "SMS to %s accepted by CM.com: reference %s, %s part(s), %d %s units",
            to,
            cm_reference,
            parts if parts is not None else "?",
            size.units,
            size.encoding,
        )
        return f"cm:{cm_reference}"

    def _post(self, request: urllib.request.Request) -> tuple[int, bytes]:
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            try:
                with opener.open(request, timeout=self.timeout) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as exc:
                with exc:
                    return exc.code, exc.read()
        except urllib.error.URLError as exc:
            error = exc.reason
        except (OSError, http.client.HTTPException) as exc:
            # Timeouts, resets and half answers: the message may or may not have arrived, and
            # sending it again under the same reference is the lesser evil.
            error = exc
        raise SmsError(
            _("CM.com could not be reached: %(error)s")
            % {"error": str(error) or type(error).__name__},
            retryable=True,
        )


def _cm_outcome(status: int, body: bytes) -> int | None:
    """Read the gateway's answer to one message; return its parts, or raise SmsError."""
    if status in (408, 429) or status >= 500:
        raise SmsError(
            _("CM.com is not accepting messages right now (HTTP %(status)d).") % {"status": status},
            retryable=True,
        )
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        # An answer without CM's JSON comes from something in between (a proxy, a page).
        raise SmsError(
            _("CM.com gave an answer Settle cannot read (HTTP %(status)d).") % {"status": status},
            retryable=200 <= status < 300,
        )
    messages = answer.get("messages")
    ours = messages[0] if isinstance(messages, list) and messages else None
    ours = ours if isinstance(ours, dict) else {}
    error_code = _as_int(answer.get("errorCode"))
    message_code = _as_int(ours.get("messageErrorCode"))
    accepted = error_code == 0 or ours.get("status") == "Accepted"
    if 200 <= status < 300 and accepted and message_code in (0, None):
        return _as_int(ours.get("parts"))
    if message_code:
        code, details = message_code, ours.get("messageDetails") or answer.get("details")
    else:
        code, details = error_code, answer.get("details")
    details = str(details or "")[:_CM_DETAILS_MAX] or _("no details")
    raise SmsError(
        _("CM.com refused the message: %(details)s (error %(code)s)")
        % {"details": details, "code": code if code is not None else "?"},
        # 500 is CM's own "internal error"; every other code is about the request itself.
        retryable=code == 500,
    )


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def sms_backend() -> SmsBackend:
    """The backend SETTLE_SMS_URL names; raises ImproperlyConfigured for a URL it cannot use."""
    url = (settings.SETTLE_SMS_URL or "").strip()
    parts = urlsplit(url)
    if not url or parts.scheme == "log":
        return LogBackend()
    if parts.scheme not in ("cm", "cm+http"):
        raise ImproperlyConfigured(
            f"SETTLE_SMS_URL has the unknown scheme {parts.scheme or '(none)'!r}. {URL_FORMS}"
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"sender"})
    if unknown:
        raise ImproperlyConfigured(
            f"SETTLE_SMS_URL has unknown settings {', '.join(unknown)}. {URL_FORMS}"
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"SETTLE_SMS_URL has an invalid port. {URL_FORMS}") from exc
    host = parts.hostname
    if not host or parts.password is not None:
        raise ImproperlyConfigured(URL_FORMS)
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if parts.scheme == "cm" else "http"
    netloc = f"{host}:{port}" if port else host
    return CmBackend(
        product_token=unquote(parts.username or ""),
        sender=query.get("sender", [DEFAULT_SENDER])[-1],
        endpoint=f"{scheme}://{netloc}{parts.path.rstrip('/') or CM_PATH}",
    )
