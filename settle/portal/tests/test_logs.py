"""No portal key in any log: not in a record our code or Django writes, not in a line a handler
prints, not in the SQL sent to the database."""

import io
import logging
import sys
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from settle.common.logfilters import RedactPortalKeys, redact
from settle.portal.services import portal_link_issue, portal_link_revoke
from settle.portal.tests.support import link_path
from settle.portal.tokens import key_new

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output(caplog):
    """Everything logged at DEBUG on every logger: caplog's records and what the configured
    handlers actually print (their streams swapped for a buffer)."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    buffer = io.StringIO()
    swapped = []
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:
                swapped.append((handler, handler.setStream(buffer)))
        if not logger.propagate and caplog.handler not in logger.handlers:
            logger.addHandler(caplog.handler)
        caplog.set_level(logging.DEBUG, logger=logger.name if logger.name != "root" else None)
    connection.force_debug_cursor = True
    try:
        yield caplog, buffer
    finally:
        connection.force_debug_cursor = False
        for handler, stream in swapped:
            handler.setStream(stream)
        for logger in loggers:
            if caplog.handler in logger.handlers and not logger.propagate:
                logger.removeHandler(caplog.handler)


def test_it_never_logs_a_key(log_output, alice):
    caplog, printed = log_output
    valid = portal_link_issue(debtor=alice).key
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        expired = portal_link_issue(debtor=alice).key
    revoked = portal_link_issue(debtor=alice)
    portal_link_revoke(link=revoked.link)
    unknown = key_new()
    keys = [valid, expired, revoked.key, unknown]

    browser = Client()
    for key in keys:
        browser.get(link_path(key))
        browser.head(link_path(key))
        browser.post(link_path(key))
        browser.get(link_path(key) + "/more")  # 404
    strict = Client(enforce_csrf_checks=True)
    strict.post(link_path(valid))  # 403, CSRF
    for _ in range(21):
        browser.post(link_path(key_new()))  # the last ones 429
    limited = browser.post(link_path(valid))

    assert limited.status_code == 429
    logged = caplog.text
    for key in keys:
        assert key not in logged
        assert key not in printed.getvalue()
    # The lines that name the path were written, masked.
    assert "Too Many Requests: /p/[redacted]" in logged
    assert "Forbidden (CSRF cookie not set.): /p/[redacted]" in logged
    assert "Not Found: /p/[redacted]" in printed.getvalue()
    assert "receivables_debtor" in logged  # the SQL was captured too


def test_it_masks_a_key_in_a_development_server_line():
    key = key_new()
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /p/{key} HTTP/1.1", "200", "1234"),
        None,
    )

    assert RedactPortalKeys().filter(record) is True
    assert record.getMessage() == '"GET /p/[redacted] HTTP/1.1" 200 1234'


def test_it_masks_a_key_in_what_the_development_server_logger_prints(log_output):
    _caplog, printed = log_output
    key = key_new()

    logging.getLogger("django.server").info('"%s" %s %s', f"POST /p/{key} HTTP/1.1", 302, 0)

    assert key not in printed.getvalue()
    assert '"POST /p/[redacted] HTTP/1.1" 302 0' in printed.getvalue()


def test_it_masks_a_percent_encoded_key():
    key = key_new()

    assert redact(f"GET /i18n/setlang/?next=%2Fp%2F{key}") == (
        "GET /i18n/setlang/?next=%2Fp%2F[redacted]"
    )


def test_it_leaves_other_lines_and_broken_records_alone():
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "GET /portal/ %s", ("200",), None)
    broken = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", ("one",), None)

    assert RedactPortalKeys().filter(plain)
    assert RedactPortalKeys().filter(broken)
    assert plain.getMessage() == "GET /portal/ 200"


def test_it_masks_a_key_in_a_logged_traceback():
    key = key_new()
    try:
        raise ValueError(f"context: <WSGIRequest: GET '/p/{key}'>")
    except ValueError:
        record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "failed", (), sys.exc_info())

    RedactPortalKeys().filter(record)

    text = logging.Formatter().format(record)
    assert key not in text
    assert "/p/[redacted]" in text
