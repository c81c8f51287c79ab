"""A fake of Mollie's Payments API v2 on 127.0.0.1, for the real mollie-api-python client.

It answers the way the real API does (the shapes come from Mollie's own client fixtures in
fixtures/mollie/, see NOTICE.md there): Bearer authentication, `POST /v2/payments` honouring
the Idempotency-Key header, `GET /v2/payments/{id}` with `paidAt`, `amountRefunded` and
`amountChargedBack`, `DELETE` for cancelable payments, `GET /v2/methods`, and Mollie's error
documents. Tests change a payment's state the way a debtor or a bank would (`set_state`,
`add_refund`, `add_chargeback`).

    with FakeMollie() as fake:
        settings.SETTLE_PAYMENTS = PaymentsConfig(
            provider="mollie", api_key=fake.api_key, endpoint=fake.url
        )
"""

import copy
import json
import secrets
import string
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "mollie"
API_KEY = "test_" + "x" * 30
METHODS = [
    "ideal",
    "bancontact",
    "creditcard",
    "applepay",
    "paypal",
    "banktransfer",
    "klarna",
    "billie",
    "in3",
    "riverty",
]
HAL = "application/hal+json"
_ALNUM = string.ascii_letters + string.digits
# Kept with a payment for the tests, never part of the API's answer.
_PRIVATE = frozenset({"_requested_methods", "_reversals"})
_TIMES = {
    "paid": "paidAt",
    "canceled": "canceledAt",
    "expired": "expiredAt",
    "failed": "failedAt",
    "authorized": "authorizedAt",
}


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _money(value: Decimal, currency: str) -> dict:
    return {"value": str(Decimal(value).quantize(Decimal("0.01"))), "currency": currency}


class FakeMollie:
    """The fake API. `payments` maps a payment id to its JSON as the API would return it;
    `created` counts payments really created (a replayed Idempotency-Key does not count);
    `requests` logs (method, path, idempotency key) of every call; `delay_next_create` makes
    the next create wait that many seconds after making the payment, before answering."""

    def __init__(self, *, api_key: str = API_KEY, methods: list[str] | None = None) -> None:
        self.api_key = api_key
        self.methods = list(METHODS if methods is None else methods)
        self.payments: dict[str, dict] = {}
        self.by_idempotency_key: dict[str, str] = {}
        self.created = 0
        self.delay_next_create = 0.0
        self.requests: list[tuple[str, str, str]] = []
        # Set to make GET /v2/methods fail (the provider then leaves `method` out).
        self.methods_fail = False
        self.lock = threading.Lock()
        self._template = _fixture("payment_single.json")
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> "FakeMollie":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what a debtor, a bank or an employee at Mollie does --------------------------------

    def set_state(self, payment_id: str, state: str) -> dict:
        with self.lock:
            payment = self.payments[payment_id]
            payment["status"] = state
            payment["isCancelable"] = state == "open"
            if state in _TIMES:
                payment[_TIMES[state]] = _now()
            if state == "paid":
                payment["method"] = payment.get("method") or "ideal"
                currency = payment["amount"]["currency"]
                payment["amountRefunded"] = _money(Decimal(0), currency)
                payment["amountRemaining"] = copy.deepcopy(payment["amount"])
                payment.pop("expiresAt", None)
            return copy.deepcopy(payment)

    def add_refund(self, payment_id: str, amount: Decimal | str) -> dict:
        return self._reverse(payment_id, Decimal(amount), "amountRefunded", "refunds")

    def add_chargeback(self, payment_id: str, amount: Decimal | str) -> dict:
        return self._reverse(payment_id, Decimal(amount), "amountChargedBack", "chargebacks")

    def _reverse(self, payment_id: str, amount: Decimal, field: str, kind: str) -> dict:
        with self.lock:
            payment = self.payments[payment_id]
            currency = payment["amount"]["currency"]
            total = Decimal(payment.get(field, {}).get("value", "0")) + amount
            payment[field] = _money(total, currency)
            remaining = Decimal(payment["amount"]["value"]) - Decimal(
                payment.get("amountRefunded", {}).get("value", "0")
            )
            payment["amountRemaining"] = _money(max(remaining, Decimal(0)), currency)
            name = "refund_single.json" if kind == "refunds" else "payment_chargeback_single.json"
            entry = _fixture(name)
            entry.update(
                id=("re_" if kind == "refunds" else "chb_") + _token(10),
                amount=_money(amount, currency),
                paymentId=payment_id,
                createdAt=_now(),
            )
            for stale in ("lines", "orderId", "settlementId", "settlementAmount", "metadata"):
                entry.pop(stale, None)
            payment.setdefault("_reversals", {}).setdefault(kind, []).append(entry)
            payment["_links"][kind] = {
                "href": f"{self.url}/v2/payments/{payment_id}/{kind}",
                "type": "application/hal+json",
            }
            return copy.deepcopy(entry)

    # --- the API ---------------------------------------------------------------------------

    def create(self, body: dict, idempotency_key: str) -> tuple[int, dict, bool]:
        """(status, document, replayed)."""
        error = self._invalid(body)
        if error:
            return 422, error, False
        with self.lock:
            if idempotency_key and idempotency_key in self.by_idempotency_key:
                payment = self.payments[self.by_idempotency_key[idempotency_key]]
                return 201, _public(payment), True
            payment = self._new_payment(body)
            self.payments[payment["id"]] = payment
            if idempotency_key:
                self.by_idempotency_key[idempotency_key] = payment["id"]
            self.created += 1
            return 201, _public(payment), False

    def _invalid(self, body: dict) -> dict | None:
        amount = body.get("amount") or {}
        value = str(amount.get("value", ""))
        whole, _, cents = value.partition(".")
        if not (whole.isdigit() and len(cents) == 2 and cents.isdigit()):
            return _error(422, "The amount contains an invalid value", field="amount.value")
        if not body.get("description"):
            return _error(422, "The description is invalid", field="description")
        if not body.get("redirectUrl"):
            return _error(422, "The redirect URL is invalid", field="redirectUrl")
        webhook_host = urlsplit(body.get("webhookUrl") or "").hostname or ""
        if webhook_host in {"localhost", "127.0.0.1", "::1"}:
            return _error(
                422,
                "The webhook URL is invalid because it is unreachable from Mollie's point of view",
                field="webhookUrl",
            )
        methods = body.get("method")
        for method in methods if isinstance(methods, list) else [methods] if methods else []:
            if method not in self.methods:
                return _error(422, "The payment method is invalid", field="method")
        return None

    def _new_payment(self, body: dict) -> dict:
        payment_id = "tr_" + _token(10)
        payment = copy.deepcopy(self._template)
        for field in (
            "captureDelay", "captureMode", "captureBefore", "orderId", "amountCaptured",
            "amountChargedBack", "customerId", "settlementId", "settlementAmount", "mandateId",
            "subscriptionId", "routing", "cancelUrl",
        ):  # fmt: skip
            payment.pop(field, None)
        methods = body.get("method")
        payment.update(
            id=payment_id,
            mode="test" if self.api_key.startswith("test_") else "live",
            createdAt=_now(),
            amount={"value": body["amount"]["value"], "currency": body["amount"]["currency"]},
            description=body["description"],
            method=methods if isinstance(methods, str) else None,
            metadata=body.get("metadata"),
            status="open",
            isCancelable=True,
            expiresAt=(datetime.now(UTC) + timedelta(minutes=15)).strftime(
                "%Y-%m-%dT%H:%M:%S+00:00"
            ),
            sequenceType="oneoff",
            redirectUrl=body["redirectUrl"],
            webhookUrl=body.get("webhookUrl"),
            locale=body.get("locale"),
        )
        payment["details"] = None
        payment["_links"] = {
            "self": {
                "href": f"{self.url}/v2/payments/{payment_id}",
                "type": "application/hal+json",
            },
            "checkout": {"href": f"{self.url}/checkout/{payment_id}", "type": "text/html"},
            "dashboard": {
                "href": f"{self.url}/dashboard/payments/{payment_id}",
                "type": "text/html",
            },
            "documentation": self._template["_links"]["documentation"],
        }
        payment["_requested_methods"] = methods
        return payment

    def get(self, payment_id: str) -> tuple[int, dict]:
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                return 404, _error(404, f"No payment exists with token {payment_id}.")
            return 200, _public(payment)

    def delete(self, payment_id: str) -> tuple[int, dict]:
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                return 404, _error(404, f"No payment exists with token {payment_id}.")
            if not payment.get("isCancelable"):
                return 422, _error(422, "The payment cannot be canceled")
            payment.update(status="canceled", isCancelable=False, canceledAt=_now())
            payment.pop("expiresAt", None)
            return 200, _public(payment)

    def reversals(self, payment_id: str, kind: str) -> tuple[int, dict]:
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                return 404, _error(404, f"No payment exists with token {payment_id}.")
            items = copy.deepcopy(payment.get("_reversals", {}).get(kind, []))
        return 200, {
            "count": len(items),
            "_embedded": {kind: items},
            "_links": {"self": {"href": f"{self.url}/v2/payments/{payment_id}/{kind}"}},
        }

    def method_list(self, query: dict) -> tuple[int, dict]:
        if self.methods_fail:
            return 500, _error(500, "Internal server error")
        items = [
            {
                "resource": "method",
                "id": method,
                "description": method,
                "minimumAmount": {"value": "0.01", "currency": "EUR"},
                "maximumAmount": {"value": "50000.00", "currency": "EUR"},
                "status": "activated",
                "_links": {},
            }
            for method in self.methods
        ]
        return 200, {"count": len(items), "_embedded": {"methods": items}, "_links": {}}


def _token(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def _public(payment: dict) -> dict:
    return {key: copy.deepcopy(value) for key, value in payment.items() if key not in _PRIVATE}


def _error(status: int, detail: str, *, field: str = "") -> dict:
    titles = {401: "Unauthorized Request", 404: "Not Found", 422: "Unprocessable Entity"}
    document = {
        "status": status,
        "title": titles.get(status, "Error"),
        "detail": detail,
        "_links": {
            "documentation": {"href": "https://docs.mollie.com/errors", "type": "text/html"}
        },
    }
    if field:
        document["field"] = field
    return document


class _Handler(BaseHTTPRequestHandler):
    fake: FakeMollie
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this each answer waits for the
    # client's delayed acknowledgement (about 40 ms).
    disable_nagle_algorithm = True

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        key = self.headers.get("Idempotency-Key", "")
        with fake.lock:
            fake.requests.append((method, path, key))
        if path.startswith("/checkout/"):
            self._send(200, b"<!doctype html><title>Mollie checkout (fake)</title>", "text/html")
            return
        if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            self._json(401, _fixture("error_unauthorized.json"))
            return
        segments = path.split("/")[1:]
        headers = {}
        if method == "POST" and segments == ["v2", "payments"]:
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._json(400, _error(400, "The request body is not valid JSON"))
                return
            status, document, replayed = fake.create(body, key)
            if replayed:
                headers["Idempotent-Replayed"] = "true"
            elif status == 201 and fake.delay_next_create:
                delay, fake.delay_next_create = fake.delay_next_create, 0.0
                time.sleep(delay)
        elif method == "GET" and segments == ["v2", "methods"]:
            status, document = fake.method_list(parse_qs(parts.query))
        elif len(segments) == 3 and segments[:2] == ["v2", "payments"]:
            if method == "GET":
                status, document = fake.get(segments[2])
            elif method == "DELETE":
                status, document = fake.delete(segments[2])
            else:
                status, document = 405, _error(405, "Method not allowed")
        elif (
            method == "GET"
            and len(segments) == 4
            and segments[:2] == ["v2", "payments"]
            and segments[3] in {"refunds", "chargebacks"}
        ):
            status, document = fake.reversals(segments[2], segments[3])
        else:
            status, document = 404, _error(404, "The resource does not exist")
        self._json(status, document, headers)

    def _json(self, status: int, document: dict, headers: dict | None = None) -> None:
        self._send(status, json.dumps(document).encode(), "application/hal+json", headers)

    def _send(self, status: int, body: bytes, content_type: str, headers=None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a test's deliberate timeout).
            pass
