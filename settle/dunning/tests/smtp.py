"""A real SMTP server on 127.0.0.1 that counts what it is handed: who got what, by Message-ID."""

import socket
import threading
from collections import defaultdict
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller


class Tally:
    """aiosmtpd handler: accepts every e-mail and notes each recipient's Message-IDs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: dict[str, list[str]] = defaultdict(list)
        self.total = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received[recipient.lower()].append(headers["Message-ID"])
            self.total += 1
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.tally = Tally()
        self._controller = Controller(self.tally, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> "SmtpServer":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
