"""The commercial interest rates: administrators see the periods and add the next one."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from settle.backoffice.tests.support import GARBAGE, page_after, short, shown_errors
from settle.dunning.models import InterestRate

pytestmark = pytest.mark.django_db

RATES = reverse("backoffice:settings_dunning_rates")


@pytest.fixture
def periods():
    InterestRate.objects.all().delete()
    InterestRate.objects.create(valid_from=date(2090, 1, 1), rate="10.15")
    InterestRate.objects.create(valid_from=date(2090, 7, 1), rate="10.00")


def rows(html: str) -> list[str]:
    return [" ".join(row.split("</tr>")[0].split()) for row in html.split('class="rate-row">')[1:]]


def test_it_shows_the_periods_newest_first_with_their_end(dave_client, periods):
    shown = rows(dave_client.get(RATES).content.decode())

    assert len(shown) == 2
    assert "1 juli 2090" in shown[0]
    assert "tot een nieuwe periode" in shown[0]
    assert "10,00%" in shown[0] or "10.00%" in shown[0]
    assert "1 januari 2090" in shown[1]
    assert "30 juni 2090" in shown[1]


def test_it_adds_a_period_after_the_last(dave_client, periods):
    response = dave_client.post(RATES, {"valid_from": "2091-01-01", "rate": "9,5"})

    html = page_after(dave_client, response)
    assert "De periode is toegevoegd." in html
    assert "1 januari 2091" in rows(html)[0]
    assert InterestRate.objects.get(valid_from=date(2091, 1, 1)).rate == pytest.approx(9.5)


def test_it_adds_the_first_period(dave_client):
    InterestRate.objects.all().delete()

    response = dave_client.post(RATES, {"valid_from": "2026-01-01", "rate": "10.15"})

    assert response.status_code == 302
    assert InterestRate.objects.count() == 1


@pytest.mark.parametrize("valid_from", ["2090-07-01", "2090-03-01", "1999-01-01"])
def test_it_refuses_a_start_not_after_the_last(dave_client, periods, valid_from):
    response = dave_client.post(RATES, {"valid_from": valid_from, "rate": "8"})

    assert response.status_code == 400
    assert any("1 juli 2090" in error for error in shown_errors(response.content.decode()))
    assert InterestRate.objects.count() == 2


@pytest.mark.parametrize("rate", ["-1", "100.01", "101", "1.234", "NaN", "Infinity", ""])
def test_it_refuses_a_rate_outside_0_to_100(dave_client, periods, rate):
    response = dave_client.post(RATES, {"valid_from": "2091-01-01", "rate": rate})

    assert response.status_code == 400
    assert shown_errors(response.content.decode())
    assert InterestRate.objects.count() == 2


@pytest.mark.parametrize("rate", ["0", "100"])
def test_it_accepts_the_bounds(dave_client, periods, rate):
    response = dave_client.post(RATES, {"valid_from": "2091-01-01", "rate": rate})

    assert response.status_code == 302


def test_it_keeps_the_rates_from_employees(bob_client, periods):
    assert bob_client.get(RATES).status_code == 403
    response = bob_client.post(RATES, {"valid_from": "2091-01-01", "rate": "5"})

    assert response.status_code == 403
    assert InterestRate.objects.count() == 2


def test_it_sends_strangers_to_sign_in(client):
    response = client.get(RATES)

    assert response.status_code == 302
    assert reverse("backoffice:login") in response["Location"]


@pytest.mark.parametrize("value", GARBAGE, ids=short)
def test_it_never_fails_on_garbage(dave_client, periods, value):
    later = (date(2090, 7, 1) + timedelta(days=1)).isoformat()

    assert dave_client.post(RATES, {"valid_from": value, "rate": value}).status_code == 400
    assert dave_client.post(RATES, {"valid_from": later, "rate": value}).status_code in (302, 400)
