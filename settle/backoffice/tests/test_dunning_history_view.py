import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from settle.backoffice.tests.dunning_support import item_of
from settle.backoffice.tests.support import GARBAGE, short
from settle.dunning.models import DunningRun, ItemState, RunSource, RunState
from settle.dunning.tests.factories import ActionGroupFactory, DunningRunFactory
from settle.receivables.tests.factories import DebtorFactory

pytestmark = pytest.mark.django_db

HISTORY = reverse("backoffice:dunning_run_list")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def run_made(group, *, minutes_ago: int, **fields) -> DunningRun:
    run = DunningRunFactory(group=group, **fields)
    # Spread the runs over time so the order is certain on any clock resolution.
    DunningRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return run


def runs_listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="run-(\d+)">', html)]


def row(html: str, run) -> str:
    return re.search(rf'<tr id="run-{run.pk}">(.*?)</tr>', html, re.S).group(1)


def cells(html: str, run) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row(html, run), re.S)
    ]


def test_it_lists_runs_newest_first_with_their_outcome(bob_client, bob):
    first, final = (
        ActionGroupFactory(name="First reminder"),
        ActionGroupFactory(name="Final notice"),
    )
    old = run_made(
        first,
        minutes_ago=60,
        created_by=bob,
        debtor_count=3,
        state=RunState.DONE,
        processed_at=timezone.now(),
    )
    item_of(old, DebtorFactory(), state=ItemState.SENT)
    item_of(old, DebtorFactory(), state=ItemState.SENT)
    item_of(old, DebtorFactory(), state=ItemState.SKIPPED, reason="paid")
    new = run_made(final, minutes_ago=5, source=RunSource.SCHEDULE, debtor_count=1)
    item_of(new, DebtorFactory(), state=ItemState.FAILED)

    html = bob_client.get(HISTORY).content.decode()

    assert runs_listed(html) == [new.pk, old.pk]
    assert "2 runs" in html
    assert cells(html, old)[1:] == [
        "First reminder",
        "Back office",
        "Bob",
        cells(html, old)[4],
        "3",
        "2",
        "1",
        "0",
    ]
    assert cells(html, new)[1:] == ["Final notice", "Schedule", "—", "Running", "1", "0", "0", "1"]
    assert reverse("backoffice:dunning_run", args=[old.pk]) in row(html, old)


def test_it_filters_by_group_in_the_address(bob_client):
    first, final = (
        ActionGroupFactory(name="First reminder"),
        ActionGroupFactory(name="Final notice"),
    )
    mine = run_made(first, minutes_ago=2)
    run_made(final, minutes_ago=1)

    html = bob_client.get(HISTORY, {"group": first.pk}).content.decode()

    assert runs_listed(html) == [mine.pk]
    assert f'<option value="{first.pk}" selected>First reminder</option>' in html
    assert "Clear" in html


def test_it_says_when_a_group_has_no_runs(bob_client):
    group = ActionGroupFactory()

    assert (
        "This group has not been run yet."
        in bob_client.get(HISTORY, {"group": group.pk}).content.decode()
    )
    assert "No dunning run has been made yet." in bob_client.get(HISTORY).content.decode()


@pytest.mark.parametrize("value", GARBAGE, ids=short)
def test_it_ignores_a_group_that_cannot_be_read(bob_client, value):
    run = run_made(ActionGroupFactory(), minutes_ago=1)

    response = bob_client.get(HISTORY, {"group": value, "page": value})

    assert response.status_code == 200
    assert runs_listed(response.content.decode()) == [run.pk]


def test_it_pages_the_runs_by_fifty(bob_client):
    group = ActionGroupFactory()
    runs = [run_made(group, minutes_ago=minutes) for minutes in range(51, 0, -1)]

    first = bob_client.get(HISTORY).content.decode()
    second = bob_client.get(HISTORY, {"page": 2}).content.decode()

    assert len(runs_listed(first)) == 50
    assert runs_listed(second) == [runs[0].pk]


def test_it_shows_the_history_in_dutch(client, bob):
    client.force_login(bob)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    run_made(ActionGroupFactory(name="Herinnering 1"), minutes_ago=1)

    html = client.get(HISTORY).content.decode()

    assert "Betalingsherinneringenhistorie" in html
    assert "1 run" in html and "Actiegroep" in html


def test_it_keeps_the_history_for_employees(client, django_user_model):
    assert client.get(HISTORY).status_code == 302

    client.force_login(django_user_model.objects.create_user(username="eve", password="x"))

    assert client.get(HISTORY)["Location"].startswith(reverse("backoffice:login"))
