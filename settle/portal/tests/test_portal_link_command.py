import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from settle.portal.models import PortalEvent, PortalEventKind, PortalLink
from settle.portal.tokens import key_hash

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command("portal_link", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_it_prints_a_working_link_as_its_last_line(alice, settings):
    settings.SETTLE_BASE_URL = "https://pay.example.test"

    url = run("D-ALICE")[-1]

    assert url.startswith("https://pay.example.test/p/")
    key = url.rsplit("/p/", 1)[1]
    link = PortalLink.objects.get()
    assert link.debtor == alice
    assert link.key_hash == key_hash(key)
    assert PortalEvent.objects.filter(link=link, kind=PortalEventKind.ISSUED).exists()
    browser = Client()
    assert browser.post(reverse("portal:link", kwargs={"key": key})).url == reverse("portal:home")


def test_it_says_whose_link_it_is_and_until_when(alice):
    lines = run("D-ALICE")

    assert len(lines) == 2
    assert "D-ALICE" in lines[0]
    assert "Alice Jansen" in lines[0]


def test_it_does_not_store_the_printed_key(alice):
    key = run("D-ALICE")[-1].rsplit("/p/", 1)[1]

    assert key not in str(list(PortalLink.objects.values()))
    assert key not in str(list(PortalEvent.objects.values()))


def test_it_builds_the_url_from_the_base_url_setting_only(alice, settings):
    settings.SETTLE_BASE_URL = "https://portal.example.test"
    settings.ALLOWED_HOSTS = ["evil.test"]

    assert run("D-ALICE")[-1].startswith("https://portal.example.test/p/")


def test_it_refuses_an_unknown_debtor(db):
    with pytest.raises(CommandError, match="D-NOBODY"):
        run("D-NOBODY")
    assert not PortalLink.objects.exists()


def test_it_refuses_an_inactive_debtor(alice):
    alice.active = False
    alice.save()

    with pytest.raises(CommandError, match="D-ALICE"):
        run("D-ALICE")
    assert not PortalLink.objects.exists()


def test_it_exits_non_zero_for_an_unknown_debtor_on_the_command_line(tmp_path):
    # The database the test runs on is not the one a new process would open; a process with an
    # empty database of its own shows the exit status and the message a user gets.
    env = {"SETTLE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "settle", "migrate", "--no-input", "-v", "0"],
        env=env,
        check=True,
        capture_output=True,
    )

    result = subprocess.run(
        [sys.executable, "-m", "settle", "portal_link", "D-NOBODY"],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "D-NOBODY" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_queues_the_invitation_with_send(alice):
    from settle.correspondence.models import Channel, Message

    out = StringIO()
    call_command("portal_link", "D-ALICE", "--send", "email", stdout=out)

    message = Message.objects.get(debtor=alice)
    assert (message.channel, message.recipient) == (Channel.EMAIL, "alice@example.test")
    assert "/p/" in message.body_text
    # The link goes only into the message, never to the terminal.
    assert "/p/" not in out.getvalue()


def test_it_refuses_to_send_an_sms_without_a_mobile_number(alice):
    from settle.correspondence.models import Message

    alice.mobile = ""
    alice.save()
    with pytest.raises(CommandError):
        call_command("portal_link", "D-ALICE", "--send", "sms", stdout=StringIO())
    assert not Message.objects.exists()
