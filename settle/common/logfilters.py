"""Keep portal keys out of the logs: any `/p/<key>` in a log line is masked."""

import logging
import re

PORTAL_KEY_RE = re.compile(r"(/p/)[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    return PORTAL_KEY_RE.sub(r"\1[redacted]", text)


class RedactPortalKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True
