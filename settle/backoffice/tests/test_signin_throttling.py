"""Back-office sign-in throttling (django-axes): per account and per address, a message in the
user's language, and an unlock for administrators."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from settle.backoffice.signin import LockKind, signin_locks, signin_unlock

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # the cast's, from the root conftest
LIMIT = 5
LOCKED = "Too many failed sign-ins for this account or from this address."


@pytest.fixture(autouse=True)
def throttling(settings, client):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def sign_in(client, username: str, password: str, address: str = "203.0.113.5"):
    return client.post(
        reverse("backoffice:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_it_locks_an_account_after_a_few_wrong_passwords_even_for_the_right_one(client, bob):
    statuses = [sign_in(client, "bob", f"guess-{n}").status_code for n in range(LIMIT - 1)]
    assert statuses == [200] * (LIMIT - 1)

    fifth = sign_in(client, "bob", "guess-5")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    right = sign_in(client, "bob", PASSWORD)
    assert right.status_code == 429
    assert "Try again in 15 minutes, or ask an administrator to unlock it." in (
        right.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_it_locks_the_account_whatever_address_the_guesses_come_from(client, bob):
    for n in range(LIMIT):
        sign_in(client, "bob", "wrong", address=f"198.51.100.{n}")

    assert sign_in(client, "bob", PASSWORD, address="192.0.2.99").status_code == 429


def test_it_locks_an_address_that_tries_many_accounts(client, bob, dave):
    for n in range(LIMIT):
        sign_in(client, f"nobody{n}", "wrong", address="198.51.100.77")

    refused = sign_in(client, "bob", PASSWORD, address="198.51.100.77")
    assert refused.status_code == 429
    # From another address the account itself is fine.
    signed_in = sign_in(client, "bob", PASSWORD, address="192.0.2.1")
    assert signed_in.status_code == 302


def test_it_shows_the_sign_in_form_again_with_the_message_as_an_alert(client, bob):
    for _ in range(LIMIT):
        response = sign_in(client, "bob", "wrong")

    html = response.content.decode()
    assert '<div class="errors" role="alert" id="signin-errors">' in html
    assert '<label for="id_username">Username</label>' in html
    assert response["Retry-After"] == str(15 * 60)


def test_it_says_it_in_dutch_to_a_dutch_user(client, bob):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    for _ in range(LIMIT):
        response = sign_in(client, "bob", "wrong")

    with translation.override("nl"):
        expected = translation.ngettext(
            "Too many failed sign-ins for this account or from this address. Try again in "
            "%(minutes)d minute, or ask an administrator to unlock it.",
            "Too many failed sign-ins for this account or from this address. Try again in "
            "%(minutes)d minutes, or ask an administrator to unlock it.",
            15,
        ) % {"minutes": 15}
    assert expected in response.content.decode()
    assert "Te veel mislukte" in expected


def test_it_lets_the_account_in_again_after_the_cool_off(client, bob):
    for _ in range(LIMIT):
        sign_in(client, "bob", "wrong")

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sign_in(client, "bob", PASSWORD).status_code == 302


def test_it_says_to_ask_an_administrator_when_there_is_no_cool_off(client, bob, settings):
    settings.AXES_COOLOFF_TIME = None
    for _ in range(LIMIT):
        response = sign_in(client, "bob", "wrong")

    assert "Ask an administrator to unlock it." in response.content.decode()
    assert "Retry-After" not in response


def test_it_forgets_a_few_typing_errors_once_the_employee_signs_in(client, bob):
    for _ in range(LIMIT - 1):
        sign_in(client, "bob", "wrong")
    assert sign_in(client, "bob", PASSWORD).status_code == 302
    client.logout()

    for _ in range(LIMIT - 1):
        sign_in(client, "bob", "wrong")
    assert sign_in(client, "bob", PASSWORD).status_code == 302


def test_it_lists_locked_accounts_and_addresses_to_administrators(client, bob, dave):
    for _ in range(LIMIT):
        sign_in(client, "bob", "wrong", address="198.51.100.8")

    client.force_login(dave)
    page = client.get(reverse("backoffice:settings_signin_locks")).content.decode()

    assert "Account: <code>bob</code>" in page
    assert "Address: <code>198.51.100.8</code>" in page
    assert page.count(">Unlock<") == 2


def test_it_unlocks_an_account_for_an_administrator(client, bob, dave):
    for n in range(LIMIT):
        sign_in(client, "bob", "wrong", address=f"198.51.100.{n}")
    admin = client.__class__()
    admin.force_login(dave)

    response = admin.post(
        reverse("backoffice:settings_signin_unlock"),
        {"kind": "account", "value": "bob"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "The account “bob” can sign in again." in response.content.decode()
    assert [lock.kind for lock in signin_locks()] == []
    assert sign_in(client, "bob", PASSWORD, address="192.0.2.1").status_code == 302


def test_it_unlocks_an_address_but_not_the_account(client, bob, dave):
    for _ in range(LIMIT):
        sign_in(client, "bob", "wrong", address="198.51.100.9")
    admin = client.__class__()
    admin.force_login(dave)

    admin.post(
        reverse("backoffice:settings_signin_unlock"), {"kind": "address", "value": "198.51.100.9"}
    )

    assert [(lock.kind, lock.value) for lock in signin_locks()] == [(LockKind.ACCOUNT, "bob")]


def test_it_unlocks_an_account_but_not_the_address_that_guessed_at_it(client, bob, dave):
    for _ in range(LIMIT):
        sign_in(client, "bob", "wrong", address="198.51.100.10")

    signin_unlock(kind=LockKind.ACCOUNT, value="bob")

    assert sign_in(client, "bob", PASSWORD, address="198.51.100.10").status_code == 429
    assert sign_in(client, "bob", PASSWORD, address="192.0.2.1").status_code == 302


def test_it_counts_a_sign_in_with_a_forged_forwarded_address_per_account(client, bob, settings):
    settings.SETTLE_TRUSTED_PROXIES = 1
    for _ in range(LIMIT):
        response = client.post(
            reverse("backoffice:login"),
            {"username": "bob", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="not-an-address",
        )

    assert response.status_code == 429
    assert [(lock.kind, lock.value) for lock in signin_locks()] == [(LockKind.ACCOUNT, "bob")]


def test_it_keeps_employees_away_from_the_locks(bob_client):
    assert bob_client.get(reverse("backoffice:settings_signin_locks")).status_code == 403
    response = bob_client.post(
        reverse("backoffice:settings_signin_unlock"), {"kind": "account", "value": "bob"}
    )
    assert response.status_code == 403


def test_it_refuses_an_incomplete_unlock_with_a_message(dave_client):
    response = dave_client.post(
        reverse("backoffice:settings_signin_unlock"),
        {"kind": "everything", "value": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Nothing was unlocked" in response.content.decode()


def test_it_unlocks_from_the_command_line_too(client, bob):
    for _ in range(LIMIT):
        sign_in(client, "bob", "wrong")

    call_command("axes_reset_username", "bob", verbosity=0)

    assert sign_in(client, "bob", PASSWORD, address="192.0.2.1").status_code == 302
