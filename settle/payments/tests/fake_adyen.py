"""A fake of Adyen's Checkout API (sessions) on 127.0.0.1, for the real `Adyen` library, and
signed notification batches as Adyen's webhooks send them.

    with FakeAdyen() as fake:
        settings.SETTLE_PAYMENTS = PaymentsConfig(
            provider="adyen", api_key=fake.api_key, endpoint=fake.url,
            merchant_account=fake.merchant_account, hmac_key=HMAC_KEY,
        )
        body = adyen_notification([adyen_item(psp_reference=..., merchant_reference=...)],
                                  HMAC_KEY)

Like Adyen's, GET /sessions/{id} answers only with the session's `sessionResult` query value,
which the fake hands out when the debtor leaves its checkout (`set_status`, as Adyen appends it
to the return address): `fake.session_result(id)`, or `fake.return_query(id)` for the
`sessionId`/`sessionResult` pair the return page receives. Without it, or with another, the
answer is 422 with Adyen's error JSON (the error codes are the fake's own).
"""

import base64
import copy
import json
import re
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from Adyen.util import generate_notification_sig

API_KEY = "AQE" + "k" * 40 + "+/="
MERCHANT_ACCOUNT = "SettleECOM"
HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
_SESSIONS = re.compile(r"/v\d+/sessions")
_SESSION = re.compile(r"/v\d+/sessions/([A-Za-z0-9]+)")


def adyen_item(
    *,
    psp_reference: str,
    merchant_reference: str,
    event: str = "AUTHORISATION",
    success: bool = True,
    value: int = 1000,
    currency: str = "EUR",
    original_reference: str = "",
    merchant_account: str = MERCHANT_ACCOUNT,
    additional_data: dict | None = None,
) -> dict:
    """One NotificationRequestItem, unsigned (adyen_notification signs it)."""
    item = {
        "additionalData": dict(additional_data or {}),
        "amount": {"currency": currency, "value": value},
        "eventCode": event,
        "eventDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "merchantAccountCode": merchant_account,
        "merchantReference": merchant_reference,
        "paymentMethod": "ideal",
        "pspReference": psp_reference,
        "reason": "",
        "success": "true" if success else "false",
    }
    if original_reference:
        item["originalReference"] = original_reference
    return item


def adyen_sign(item: dict, hmac_key: str) -> dict:
    """The item with its `additionalData.hmacSignature`, computed the way Adyen does."""
    signed = copy.deepcopy(item)
    unsigned = {key: value for key, value in signed.items() if key != "additionalData"}
    signature = generate_notification_sig(unsigned, hmac_key).decode()
    signed.setdefault("additionalData", {})["hmacSignature"] = signature
    return signed


def adyen_notification(items: list[dict], hmac_key: str, *, live: bool = False) -> bytes:
    """A notification batch as Adyen POSTs it; items not signed yet are signed with
    `hmac_key` (a test tampers with an item after signing it, then passes it in)."""
    signed = [
        item
        if (item.get("additionalData") or {}).get("hmacSignature")
        else adyen_sign(item, hmac_key)
        for item in items
    ]
    document = {
        "live": "true" if live else "false",
        "notificationItems": [{"NotificationRequestItem": item} for item in signed],
    }
    return json.dumps(document).encode()


class FakeAdyen:
    """The fake Checkout API: `sessions` maps a session id to what GET /sessions/{id}
    answers (plus what was asked); `created` counts sessions really created (a replayed
    Idempotency-Key does not count); `requests` logs (method, path, idempotency key)."""

    def __init__(self, *, api_key: str = API_KEY, merchant_account: str = MERCHANT_ACCOUNT) -> None:
        self.api_key = api_key
        self.merchant_account = merchant_account
        self.sessions: dict[str, dict] = {}
        self.by_idempotency_key: dict[str, str] = {}
        self.created = 0
        self.delay_next_create = 0.0
        self.requests: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> "FakeAdyen":
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def set_status(self, session_id: str, status: str) -> str:
        """Set a session's status in Adyen's words (active, paymentPending, completed,
        canceled, expired, refused), as the debtor leaves the checkout: the session gets its
        sessionResult (`session_result`), the first time. `completed` records an authorised
        payment; its pspReference is returned."""
        with self.lock:
            session = self.sessions[session_id]
            session["status"] = status
            if not session.get("sessionResult"):
                # Shaped like Adyen's: a version prefix, "!", base64 ("+", "/" and "=" included).
                blob = base64.b64encode(b"\xfb\xff" + secrets.token_bytes(47)).decode()
                session["sessionResult"] = "X3XtfGC9!" + blob
            if status != "completed":
                return ""
            psp_reference = "".join(
                secrets.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(16)
            )
            session["payments"] = [
                {
                    "amount": copy.deepcopy(session["request"]["amount"]),
                    "paymentMethod": {"type": "ideal"},
                    "pspReference": psp_reference,
                    "resultCode": "Authorised",
                }
            ]
            return psp_reference

    def session_result(self, session_id: str) -> str:
        """The sessionResult Adyen appended to the return address ("" before the debtor has
        left the checkout)."""
        with self.lock:
            return self.sessions[session_id].get("sessionResult", "")

    def return_query(self, session_id: str) -> dict[str, str]:
        """What Adyen appends to the session's returnUrl when the debtor comes back."""
        return {"sessionId": session_id, "sessionResult": self.session_result(session_id)}

    def create(self, body: dict, idempotency_key: str) -> tuple[int, dict]:
        missing = [
            field
            for field in ("merchantAccount", "amount", "reference", "returnUrl")
            if not body.get(field)
        ]
        if missing:
            return 422, _error(422, "130", f"Required field '{missing[0]}' is not provided.")
        if body["merchantAccount"] != self.merchant_account:
            return 403, _error(403, "901", "Invalid Merchant Account", "security")
        amount = body["amount"]
        if not isinstance(amount.get("value"), int) or not amount.get("currency"):
            return 422, _error(422, "100", "Required field 'amount' is not valid.")
        with self.lock:
            if idempotency_key and idempotency_key in self.by_idempotency_key:
                return 201, self._created(self.sessions[self.by_idempotency_key[idempotency_key]])
            session_id = "CS" + secrets.token_hex(8).upper()
            session = {
                "id": session_id,
                "status": "active",
                "request": copy.deepcopy(body),
                "expiresAt": (datetime.now(UTC) + timedelta(hours=1)).strftime(
                    "%Y-%m-%dT%H:%M:%S+00:00"
                ),
                "sessionData": "Ab02b4c0!" + secrets.token_urlsafe(48),
            }
            self.sessions[session_id] = session
            if idempotency_key:
                self.by_idempotency_key[idempotency_key] = session_id
            self.created += 1
            return 201, self._created(session)

    def _created(self, session: dict) -> dict:
        request = session["request"]
        document = {
            key: copy.deepcopy(request[key])
            for key in (
                "amount", "merchantAccount", "reference", "returnUrl", "mode",
                "shopperLocale", "blockedPaymentMethods",
            )
            if key in request
        }  # fmt: skip
        document.update(
            id=session["id"],
            expiresAt=session["expiresAt"],
            sessionData=session["sessionData"],
            url=f"{self.url}/checkoutshopper/pay/{session['id']}",
        )
        return document

    def result(self, session_id: str, session_result: str) -> tuple[int, dict]:
        if not session_result:
            return 422, _error(422, "130", "Required field 'sessionResult' is not provided.")
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None:
                return 422, _error(422, "14_030", "Session not found")
            if session_result != session.get("sessionResult"):
                return 422, _error(422, "14_031", "Invalid sessionResult")
            document = {
                "id": session_id,
                "status": session["status"],
                "reference": session["request"]["reference"],
            }
            if session.get("payments"):
                document["payments"] = copy.deepcopy(session["payments"])
            return 200, document


def _error(status: int, code: str, message: str, error_type: str = "validation") -> dict:
    return {"status": status, "errorCode": code, "message": message, "errorType": error_type}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAdyen
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        address = urlsplit(self.path)
        path = address.path.rstrip("/")
        query = parse_qs(address.query)
        key = self.headers.get("Idempotency-Key", "")
        with fake.lock:
            fake.requests.append((method, path, key))
        if path.startswith("/checkoutshopper/"):
            self._send(200, b"<!doctype html><title>Adyen (fake)</title>", "text/html")
            return
        if self.headers.get("X-API-Key") != fake.api_key:
            self._json(401, _error(401, "000", "HTTP Status Response - Unauthorized", "security"))
            return
        session = _SESSION.fullmatch(path)
        if method == "POST" and _SESSIONS.fullmatch(path):
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._json(400, _error(400, "702", "Structure of the request is not valid"))
                return
            created_before = fake.created
            status, document = fake.create(body, key)
            if fake.created > created_before and fake.delay_next_create:
                delay, fake.delay_next_create = fake.delay_next_create, 0.0
                time.sleep(delay)
        elif method == "GET" and session:
            status, document = fake.result(session.group(1), query.get("sessionResult", [""])[0])
        else:
            status, document = 404, _error(404, "000", "Not found")
        self._json(status, document)

    def _json(self, status: int, document: dict) -> None:
        self._send(status, json.dumps(document).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
