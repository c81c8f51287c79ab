"""Production refuses to run while the demo's users can sign in (their passwords were printed
on the console that loaded the demo)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.http import HttpRequest

from settle.common.checks import production_startup_refuse
from settle.receivables.demo_users import demo_passwords_reset

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.SETTLE_BASE_URL = "https://settle.example.org"
    return settings


def _demo_user_errors():
    return [e for e in run_checks(include_deployment_checks=True) if e.id == "settle.E002"]


def test_it_fails_the_deploy_check_while_a_demo_user_can_sign_in(production):
    demo_passwords_reset()

    errors = _demo_user_errors()

    assert len(errors) == 1
    assert errors[0].is_serious()
    assert "beheerder, medewerker" in errors[0].msg
    assert "settle demo --disable-users" in errors[0].hint


def test_it_fails_settle_check_deploy(production):
    demo_passwords_reset()

    with pytest.raises(SystemCheckError, match="settle.E002"):
        call_command("check", deploy=True, fail_level="ERROR", stdout=StringIO())


def test_it_refuses_to_start_the_worker_and_the_servers(production):
    demo_passwords_reset()

    with pytest.raises(SystemCheckError, match="settle demo --disable-users"):
        call_command("worker", once=True, stdout=StringIO())
    with pytest.raises(SystemCheckError, match="refuses to start in production"):
        production_startup_refuse()


def test_it_passes_once_the_demo_users_are_switched_off(production, client):
    passwords = demo_passwords_reset()
    out = StringIO()

    call_command("demo", disable_users=True, stdout=out)

    assert "Demo users switched off: beheerder, medewerker." in out.getvalue()
    assert _demo_user_errors() == []
    production_startup_refuse()
    for username, password in passwords.items():
        assert not client.login(request=HttpRequest(), username=username, password=password)


def test_it_passes_with_an_account_of_the_organisation_that_shares_a_demo_name(production):
    get_user_model().objects.create_user(
        username="beheerder", email="it@organisation.example", password="their-own", is_staff=True
    )

    assert _demo_user_errors() == []


def test_it_still_knows_a_demo_user_whose_password_was_changed(production):
    demo_passwords_reset()
    admin = get_user_model().objects.get(username="beheerder")
    admin.set_password("changed-but-still-the-demo-account")
    admin.save()

    assert "beheerder" in _demo_user_errors()[0].msg


def test_it_lets_development_sign_in_with_the_demo_users(settings):
    demo_passwords_reset()

    assert _demo_user_errors() == []
    production_startup_refuse()
