"""Phone numbers, SMS sizes, and the backends, against a fake CM.com gateway on 127.0.0.1 that
speaks CM's JSON wire format."""

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.correspondence.sms import (
    MAX_PARTS,
    CmBackend,
    LogBackend,
    SmsError,
    phone_e164,
    sms_backend,
    sms_size,
)
from settle.correspondence.smsparts import GSM7_BASIC, GSM7_EXTENSION

TOKEN = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
ALICE = "+31612345678"


class FakeCm:
    """What the gateway received, and how it should answer the next request."""

    def __init__(self):
        self.received = []  # (headers, parsed JSON body) of every accepted request
        self.fail_with = None  # an HTTP status to answer instead of CM's JSON
        self.invalid_numbers = set()  # numbers (CM's 00 form) the gateway rejects
        self.delay = 0.0


def _handler(fake: FakeCm):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            time.sleep(fake.delay)
            if fake.fail_with is not None:
                self._answer(fake.fail_with, b"<html>Service Unavailable</html>", "text/html")
                return
            if self.path != "/v1.0/message":
                self._answer(404, b"Not Found", "text/plain")
                return
            try:
                body = json.loads(raw)
                messages = body["messages"]
            except (ValueError, KeyError, TypeError):
                self._json(400, {"details": "Request is malformed", "errorCode": 202})
                return
            auth = messages.get("authentication", {})
            token = self.headers.get("X-CM-PRODUCTTOKEN") or auth.get("producttoken")
            if token != TOKEN:
                self._json(
                    400,
                    {
                        "details": "No account found for the given authentication",
                        "errorCode": 101,
                        "messages": [],
                    },
                )
                return
            fake.received.append((dict(self.headers), body))
            answers = []
            for msg in messages["msg"]:
                for recipient in msg["to"]:
                    number = recipient["number"]
                    rejected = not number.isdigit() or number in fake.invalid_numbers
                    answers.append(
                        {
                            "to": number,
                            "status": "Rejected" if rejected else "Accepted",
                            "reference": msg.get("reference"),
                            "parts": 0 if rejected else 1,
                            "messageDetails": f"Gsm '{number}' is not a number."
                            if rejected
                            else None,
                            "messageErrorCode": 303 if rejected else 0,
                        }
                    )
            accepted = sum(answer["status"] == "Accepted" for answer in answers)
            everything = accepted == len(answers)
            self._json(
                200 if accepted else 400,
                {
                    "details": f"Created {accepted} message(s)",
                    "errorCode": 0 if everything else 201,
                    "messages": answers,
                },
            )

        def _json(self, status, answer):
            self._answer(status, json.dumps(answer).encode(), "application/json")

        def _answer(self, status, body, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    return Handler


@pytest.fixture
def cm(settings):
    fake = FakeCm()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SETTLE_SMS_URL = f"cm+http://{TOKEN}@127.0.0.1:{server.server_port}?sender=Settle"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# phone_e164


@pytest.mark.parametrize("raw", ["06 12345678", "+31 6 1234 5678", "0031612345678", " 0612345678"])
def test_it_normalises_a_dutch_mobile_number_to_e164(raw):
    assert phone_e164(raw) == ALICE


def test_it_reads_a_number_without_country_code_in_the_region_given():
    assert phone_e164("07911 123456", region="GB") == "+447911123456"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "This debtor has no mobile number."),
        ("   ", "This debtor has no mobile number."),
        ("call me", "“call me” is not a valid phone number."),
        ("06 1234", "“06 1234” is not a valid phone number."),
        ("020 123 4567", "“020 123 4567” is not a mobile number"),
        ("0800 0123", "“0800 0123” is not a mobile number"),
    ],
)
def test_it_refuses_what_cannot_receive_a_text_message(raw, message):
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        phone_e164(raw)
    assert refused.value.message.startswith(message)
    assert [error.field for error in refused.value.errors] == ["mobile"]
    assert refused.value.errors[0].message == refused.value.message


# sms_size


def test_it_knows_the_whole_gsm_alphabet():
    assert len(GSM7_BASIC) == 127  # 128 codes, less the escape to the extension table
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


def test_it_sizes_plain_text_as_one_gsm_part():
    size = sms_size("Beste Alice, uw factuur van € 12,50 staat open.")
    assert (size.encoding, size.parts) == ("GSM-7", 1)
    assert size.units == len("Beste Alice, uw factuur van € 12,50 staat open.") + 1


def test_it_fits_160_gsm_characters_in_one_part_and_161_in_two():
    assert sms_size("a" * 160).parts == 1
    assert sms_size("a" * 161).parts == 2
    assert sms_size("a" * 306).parts == 2
    assert sms_size("a" * 307).parts == 3


@pytest.mark.parametrize("char", list("€[]{}~^|\\"))
def test_it_counts_an_extension_character_twice(char):
    size = sms_size(char * 80)
    assert (size.encoding, size.units, size.parts) == ("GSM-7", 160, 1)
    assert sms_size(char * 80 + "a").parts == 2


def test_it_keeps_accents_of_the_gsm_alphabet_in_gsm():
    assert sms_size("é è à ù ì ò ä ö ü ñ Ä Ö Ü É ß").encoding == "GSM-7"


@pytest.mark.parametrize("text", ["Café Noël", "ç", "Zoë", "\t"])
def test_it_needs_ucs2_for_a_character_outside_the_gsm_alphabet(text):
    size = sms_size(text)
    assert (size.encoding, size.units, size.parts) == ("UCS-2", len(text), 1)


def test_it_counts_an_emoji_as_two_ucs2_units():
    size = sms_size("Bedankt 👍")
    assert (size.encoding, size.units) == ("UCS-2", 10)


def test_it_splits_ucs2_at_70_and_67():
    assert sms_size("ë" * 70).parts == 1
    assert sms_size("ë" * 71).parts == 2
    assert sms_size("ë" * 134).parts == 2
    assert sms_size("ë" * 135).parts == 3


def test_it_sizes_no_text_as_no_parts():
    size = sms_size("")
    assert (size.units, size.parts) == (0, 0)


# the log backend


def test_it_only_logs_without_a_url(settings, caplog):
    settings.SETTLE_SMS_URL = ""
    backend = sms_backend()
    assert isinstance(backend, LogBackend)
    with caplog.at_level(logging.INFO, logger="settle.correspondence.sms"):
        reference = backend.send(to=ALICE, text="Uw geheime code", reference="m-1")
    assert reference == "log:m-1"
    assert ALICE in caplog.text
    assert "1 part" in caplog.text
    assert "geheime" not in caplog.text


def test_it_takes_log_colon_as_the_log_backend(settings):
    settings.SETTLE_SMS_URL = "log:"
    assert isinstance(sms_backend(), LogBackend)


def test_it_refuses_in_every_backend_what_cm_would_refuse():
    backend = LogBackend()
    with translation.override("en"):
        with pytest.raises(SmsError, match="too long") as refused:
            backend.send(to=ALICE, text="a" * (153 * MAX_PARTS + 1), reference="m-1")
        assert refused.value.retryable is False
        with pytest.raises(SmsError, match="empty"):
            backend.send(to=ALICE, text="", reference="m-1")
        with pytest.raises(SmsError, match="international form"):
            backend.send(to="0612345678", text="Hallo", reference="m-1")


# the CM.com backend


def test_it_hands_a_message_to_cm(cm, caplog):
    backend = sms_backend()
    with caplog.at_level(logging.DEBUG):
        reference = backend.send(to=ALICE, text="Uw betaling is binnen. € 12,50", reference="m42")
    assert reference == "cm:m42"
    [(headers, body)] = cm.received
    assert headers["Content-Type"].startswith("application/json")
    [msg] = body["messages"]["msg"]
    assert msg["from"] == "Settle"
    assert msg["to"] == [{"number": "0031612345678"}]
    assert msg["body"] == {"type": "auto", "content": "Uw betaling is binnen. € 12,50"}
    assert msg["reference"] == "m42"
    assert (msg["minimumNumberOfMessageParts"], msg["maximumNumberOfMessageParts"]) == (1, 8)
    assert TOKEN not in caplog.text


def test_it_sends_the_sender_named_in_the_url(cm, settings):
    settings.SETTLE_SMS_URL = settings.SETTLE_SMS_URL.replace("Settle", "Incasso%20BV")
    sms_backend().send(to=ALICE, text="Hallo", reference="m1")
    [(_headers, body)] = cm.received
    assert body["messages"]["msg"][0]["from"] == "Incasso BV"


def test_it_gives_cm_a_reference_it_accepts_the_same_for_every_resend(cm):
    backend = sms_backend()
    first = backend.send(to=ALICE, text="Hallo", reference="invoice:2024-001/reminder-1")
    again = backend.send(to=ALICE, text="Hallo", reference="invoice:2024-001/reminder-1")
    references = [body["messages"]["msg"][0]["reference"] for _headers, body in cm.received]
    assert references[0] == references[1]
    assert references[0].isalnum() and len(references[0]) <= 32
    assert first == again == f"cm:{references[0]}"


def test_it_reports_a_bad_token_as_final_with_cms_words(cm, settings, caplog):
    settings.SETTLE_SMS_URL = settings.SETTLE_SMS_URL.replace(TOKEN, "not-the-token")
    with translation.override("en"), pytest.raises(SmsError) as refused:
        sms_backend().send(to=ALICE, text="Hallo", reference="m1")
    assert refused.value.retryable is False
    assert "No account found for the given authentication" in str(refused.value)
    assert "not-the-token" not in str(refused.value)
    assert cm.received == []


def test_it_reports_a_number_cm_rejects_as_final(cm):
    cm.invalid_numbers.add("0031612345678")
    with pytest.raises(SmsError) as refused:
        sms_backend().send(to=ALICE, text="Hallo", reference="m1")
    assert refused.value.retryable is False
    assert "Gsm '0031612345678' is not a number." in str(refused.value)


@pytest.mark.parametrize("status", [503, 500, 429])
def test_it_reports_a_busy_or_broken_gateway_as_retryable(cm, status):
    cm.fail_with = status
    with pytest.raises(SmsError) as failed:
        sms_backend().send(to=ALICE, text="Hallo", reference="m1")
    assert failed.value.retryable is True
    assert str(status) in str(failed.value)


def test_it_reports_an_unknown_page_as_final(cm, settings):
    settings.SETTLE_SMS_URL = settings.SETTLE_SMS_URL.replace("?", "/elsewhere?")
    with pytest.raises(SmsError) as refused:
        sms_backend().send(to=ALICE, text="Hallo", reference="m1")
    assert refused.value.retryable is False


def test_it_reports_a_refused_connection_as_retryable():
    backend = CmBackend(product_token=TOKEN, endpoint=f"http://127.0.0.1:{_free_port()}/v1")
    with translation.override("en"), pytest.raises(SmsError) as failed:
        backend.send(to=ALICE, text="Hallo", reference="m1")
    assert failed.value.retryable is True
    assert "could not be reached" in str(failed.value)


def test_it_reports_a_gateway_that_does_not_answer_in_time_as_retryable(cm, settings):
    cm.delay = 1.0
    url = settings.SETTLE_SMS_URL.replace("cm+http://", "http://").split("?")[0]
    backend = CmBackend(product_token=TOKEN, endpoint=url + "/v1.0/message", timeout=0.2)
    with pytest.raises(SmsError) as failed:
        backend.send(to=ALICE, text="Hallo", reference="m1")
    assert failed.value.retryable is True


# configuration


def test_it_talks_https_to_cm_for_a_cm_url(settings):
    settings.SETTLE_SMS_URL = f"cm://{TOKEN}@gw.messaging.cm.com"
    backend = sms_backend()
    assert isinstance(backend, CmBackend)
    assert backend.endpoint == "https://gw.messaging.cm.com/v1.0/message"
    assert backend.sender == "Settle"
    assert TOKEN not in repr(backend)


@pytest.mark.parametrize(
    "url",
    [
        f"sms://{TOKEN}@gw.messaging.cm.com",
        f"https://{TOKEN}@gw.messaging.cm.com",
        "cm://gw.messaging.cm.com?sender=Settle",
        f"cm://{TOKEN}@gw.messaging.cm.com?sendr=Settle",
        f"cm://{TOKEN}@gw.messaging.cm.com?sender=Settle%20Incasso%20BV",
        f"cm://{TOKEN}@gw.messaging.cm.com?sender=Settle!",
        f"cm://{TOKEN}@gw.messaging.cm.com?sender=",
        f"cm://{TOKEN}@gw.messaging.cm.com?sender=12345678901234567",
    ],
)
def test_it_refuses_a_url_it_cannot_use_without_showing_the_token(settings, url):
    settings.SETTLE_SMS_URL = url
    with pytest.raises(ImproperlyConfigured) as refused:
        sms_backend()
    assert TOKEN not in str(refused.value)


def test_it_names_the_allowed_forms_for_an_unknown_scheme(settings):
    settings.SETTLE_SMS_URL = f"twilio://{TOKEN}@api.twilio.com"
    with pytest.raises(ImproperlyConfigured, match="cm://PRODUCTTOKEN@gw.messaging.cm.com"):
        sms_backend()


@pytest.mark.parametrize("sender", ["Settle", "Incasso BV", "A", "ABCDEFGHIJK", "31201234567"])
def test_it_accepts_a_sender_a_phone_can_show(sender):
    assert CmBackend(product_token=TOKEN, sender=sender).sender == sender
