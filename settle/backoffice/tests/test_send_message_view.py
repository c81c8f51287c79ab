import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Message, MessageStatus
from settle.portal.services import portal_link_check
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<]+/p/([A-Za-z0-9_-]+)")
KEY_INPUT = re.compile(r'<input type="hidden" name="key" value="([0-9a-f-]{36})"')


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def send_url(debtor) -> str:
    return reverse("backoffice:debtor_send_message", args=[debtor.pk])


def page_keys(client, debtor) -> list[str]:
    """The keys of the page's two send forms: the quick portal-link buttons, then the form."""
    return KEY_INPUT.findall(client.get(debtor.get_absolute_url()).content.decode())


def test_it_offers_portal_links_by_email_and_sms_in_the_debtors_language(bob_client, alice, carol):
    alice_page = bob_client.get(alice.get_absolute_url()).content.decode()
    carol_page = bob_client.get(carol.get_absolute_url()).content.decode()

    assert "Send portal link by e-mail" in alice_page
    assert "Send portal link by SMS" in alice_page
    assert "written in their own language: Dutch" in alice_page
    assert "written in their own language: English" in carol_page
    assert len(page_keys(bob_client, alice)) == 2
    assert len(set(page_keys(bob_client, alice) + page_keys(bob_client, alice))) == 4
    for label in ("Portal invitation", "Payment reminder 1", "Payment reminder 2", "Final notice"):
        assert f">{label}</option>" in alice_page
    assert ">Response received</option>" not in alice_page


def test_it_sends_a_portal_link_by_email_that_signs_the_debtor_in(bob_client, bob, alice):
    InvoiceFactory(debtor=alice, number="F-ALICE-1")
    quick_key, _form_key = page_keys(bob_client, alice)

    response = bob_client.post(
        send_url(alice), {"kind": Kind.PORTAL_INVITATION, "channel": "email", "key": quick_key}
    )

    message = Message.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("backoffice:message_detail", args=[message.pk])
    assert message.kind == Kind.PORTAL_INVITATION
    assert message.channel == Channel.EMAIL
    assert message.recipient == "alice@example.test"
    assert message.language == "nl"
    assert message.status == MessageStatus.READY
    assert message.created_by == bob
    assert message.cause == f"backoffice:{bob.pk}"
    detail = bob_client.get(response.url).content.decode()
    assert "Queued: Portal invitation (E-mail) to alice@example.test." in detail
    key = LINK.search(message.body_text).group(1)
    assert portal_link_check(key=key).link.debtor == alice
    debtor_browser = Client()
    signed_in = debtor_browser.post(reverse("portal:link", kwargs={"key": key}))
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("portal:home")
    assert "F-ALICE-1" in debtor_browser.get(reverse("portal:home")).content.decode()


def test_it_writes_to_an_english_debtor_in_english(bob_client, carol):
    key = page_keys(bob_client, carol)[1]

    bob_client.post(send_url(carol), {"kind": Kind.REMINDER_1, "channel": "email", "key": key})

    message = Message.objects.get()
    assert message.language == "en"
    assert message.kind == Kind.REMINDER_1
    assert "Carol Smith" in message.body_text


def test_it_says_why_when_the_debtor_has_no_mobile_number(bob_client, alice):
    alice.mobile = ""
    alice.save()
    key = page_keys(bob_client, alice)[0]

    response = bob_client.post(
        send_url(alice),
        {"kind": Kind.PORTAL_INVITATION, "channel": "sms", "key": key},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == alice.get_absolute_url() + "#send-message"
    assert "This debtor has no mobile number." in response.content.decode()
    assert not Message.objects.exists()


def test_it_queues_a_form_sent_twice_once(bob_client, alice):
    key = page_keys(bob_client, alice)[0]
    data = {"kind": Kind.PORTAL_INVITATION, "channel": "email", "key": key}

    first = bob_client.post(send_url(alice), data)
    second = bob_client.post(send_url(alice), data)

    assert Message.objects.count() == 1
    assert first.url == second.url
    # The same page's other button is another message.
    bob_client.post(send_url(alice), {**data, "channel": "sms"})
    assert Message.objects.count() == 2


def test_it_refuses_a_kind_that_is_not_sent_by_hand_and_shows_why(bob_client, alice):
    key = page_keys(bob_client, alice)[1]

    response = bob_client.post(
        send_url(alice), {"kind": Kind.RESPONSE_RECEIVED, "channel": "email", "key": key}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Nothing was sent." in html
    assert 'id="id_kind_error"' in html
    assert not Message.objects.exists()


def test_it_refuses_a_form_without_its_key(bob_client, alice):
    response = bob_client.post(send_url(alice), {"kind": Kind.REMINDER_1, "channel": "email"})

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_sends_nothing_to_an_inactive_debtor(bob_client, alice):
    key = page_keys(bob_client, alice)[0]
    alice.active = False
    alice.save()

    response = bob_client.post(
        send_url(alice),
        {"kind": Kind.PORTAL_INVITATION, "channel": "email", "key": key},
        follow=True,
    )

    html = response.content.decode()
    assert "This debtor is inactive; no message can be sent to them." in html
    assert "Send portal link by e-mail" not in html
    assert not Message.objects.exists()


def test_it_lets_only_employees_send(client, alice, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="eve", password="x-1234567"))
    data = {"kind": Kind.PORTAL_INVITATION, "channel": "email", "key": str(uuid.uuid4())}

    answer = client.post(send_url(alice), data)

    assert answer.status_code == 302
    assert answer.url.startswith(reverse("backoffice:login"))
    assert not Message.objects.exists()


def test_it_sends_on_post_with_a_csrf_token_only(bob, alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    data = {"kind": Kind.PORTAL_INVITATION, "channel": "email", "key": str(uuid.uuid4())}

    assert strict.get(send_url(alice)).status_code == 405
    assert strict.post(send_url(alice), data).status_code == 403
    assert not Message.objects.exists()
