"""A real SMTP server on 127.0.0.1 for the outbox tests, which the tests can stop and start."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Collects every e-mail the server accepted, parsed."""

    def __init__(self):
        self.emails = []
        self.sessions = set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.emails.append(message_from_bytes(envelope.original_content, policy=policy.default))
        self.sessions.add(id(session))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [email["Message-ID"] for email in self.emails]


class SmtpServer:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self._controller = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    # Letters and attachments are files; each test keeps its own.
    settings.MEDIA_ROOT = tmp_path / "media"
