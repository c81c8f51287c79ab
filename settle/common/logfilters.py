"""Keep portal keys out of the logs: any `/p/<key>` in a log line is masked, and so are the
secrets in the payment pages' paths: `/pay/<token>` (a pay link), `/pay/return/<key>` (a
payment's return page) and `/pay/demo/<id>` (the demo checkout).

A portal path holds a key that signs its holder in, and a pay path one that shows a debtor's
name and invoices, so neither must ever reach a log file, whichever logger wrote the line
(Django's request and CSRF warnings and the development server name the path). The filter sits
on the handlers, which covers every logger, and on the loggers that name paths, so a handler an
operator adds later gets the masked line too.
"""

import logging
import re

# Also the percent-encoded form, as in a `next=%2Fp%2F...` query string. A pay link's token holds
# a "." between its id and its signature. The portal's own /portal/pay/... pages hold no secret.
PORTAL_KEY_RE = re.compile(
    r"(/p/|(?<!/portal)/pay/(?:return/|demo/)?|%2Fp%2F|(?<!%2Fportal)%2Fpay%2F(?:return%2F|demo%2F)?)"
    r"[A-Za-z0-9_.-]{8,}",
    re.IGNORECASE,
)
MASK = "[redacted]"
# Adyen hands the debtor back with the session's result in the query string; it reads the
# session's state at Adyen, so it is kept out of request lines like a key.
SESSION_RESULT_RE = re.compile(r"(sessionResult(?:=|%3D))[^&\s\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    return SESSION_RESULT_RE.sub(rf"\1{MASK}", PORTAL_KEY_RE.sub(rf"\1{MASK}", text))


class RedactPortalKeys(logging.Filter):
    """Rewrite a record whose message, traceback or stack names a portal key; never drops one.

    The traceback matters: Django's template engine logs a missing variable at DEBUG with the
    whole context, the request (and so its path) included.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not turn into a crash here
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter()
