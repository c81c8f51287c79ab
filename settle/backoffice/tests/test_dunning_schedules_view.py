"""Scheduled runs: administrators save an overview filter as a schedule of a group at a time
of day, change it and stop it."""

from datetime import time
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from settle.backoffice.tests.support import GARBAGE, MISSING_PKS, page_after, short, shown_errors
from settle.dunning.models import DunningSchedule
from settle.dunning.tests.factories import ActionGroupFactory, DunningRunFactory

pytestmark = pytest.mark.django_db

SCHEDULES = reverse("backoffice:settings_dunning_schedules")
CREATE = reverse("backoffice:settings_dunning_schedule_create")


def edit_url(schedule) -> str:
    return reverse("backoffice:settings_dunning_schedule", args=[schedule.pk])


def stop_url(schedule) -> str:
    return reverse("backoffice:settings_dunning_schedule_deactivate", args=[schedule.pk])


@pytest.fixture
def group():
    return ActionGroupFactory(name="Eerste herinnering")


def form(chosen, **changes) -> dict:
    data = {
        "name": "Elke ochtend",
        "group": chosen.pk,
        "filter_query": "overdue_min=7&overdue_max=20&last_action=never",
        "run_at": "07:30",
        "active": "on",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def schedule_of(group, **fields) -> DunningSchedule:
    values = {"name": "Dagelijks", "group": group, "filter_query": "", "run_at": time(8)}
    return DunningSchedule.objects.create(**(values | fields))


def test_it_saves_an_overview_filter_as_a_schedule(dave_client, dave, group):
    overview_query = "overdue_min=7&overdue_max=20&page=3&last_action=never"

    page = dave_client.get(CREATE + "?" + urlencode({"filter": overview_query}))
    response = dave_client.post(CREATE, form(group))

    assert "last_action=never&amp;overdue_max=20&amp;overdue_min=7" in page.content.decode()
    assert "page=3" not in page.content.decode()
    html = page_after(dave_client, response)
    assert "De planning “Elke ochtend” is toegevoegd." in html
    assert "07:30" in html
    schedule = DunningSchedule.objects.get()
    assert (schedule.group, schedule.run_at, schedule.active) == (group, time(7, 30), True)
    assert schedule.filter_query == "last_action=never&overdue_max=20&overdue_min=7"
    assert schedule.created_by == dave


@pytest.mark.parametrize(
    "query",
    [
        "overdue_min=abc",
        "overdue_min=20&overdue_max=7",
        "status=no-such-status",
        "due_from=gisteren",
        "x" * 2001,
    ],
    ids=short,
)
def test_it_refuses_a_filter_the_overview_cannot_read(dave_client, group, query):
    response = dave_client.post(CREATE, form(group, filter_query=query))

    assert response.status_code == 400
    assert shown_errors(response.content.decode())
    assert not DunningSchedule.objects.exists()


def test_it_accepts_an_empty_filter_as_every_open_invoice(dave_client, group):
    response = dave_client.post(CREATE, form(group, filter_query=""))

    assert "elke openstaande factuur" in page_after(dave_client, response)


@pytest.mark.parametrize(
    "changes", [{"name": " "}, {"run_at": "25:00"}, {"run_at": ""}, {"group": ""}], ids=short
)
def test_it_refuses_missing_or_bad_fields(dave_client, group, changes):
    response = dave_client.post(CREATE, form(group, **changes))

    assert response.status_code == 400
    assert shown_errors(response.content.decode())
    assert not DunningSchedule.objects.exists()


def test_it_offers_no_archived_group(dave_client, group):
    archived = ActionGroupFactory(name="Oud")
    DunningRunFactory(group=archived)
    dave_client.post(reverse("backoffice:settings_dunning_group_delete", args=[archived.pk]))

    page = dave_client.get(CREATE).content.decode()
    response = dave_client.post(CREATE, form(archived))

    assert "Eerste herinnering" in page
    assert ">Oud<" not in page
    assert response.status_code == 400
    assert not DunningSchedule.objects.exists()


def test_it_edits_a_schedule(dave_client, group):
    schedule = schedule_of(group)

    page = dave_client.get(edit_url(schedule)).content.decode()
    response = dave_client.post(edit_url(schedule), form(group, name="Later", run_at="09:15"))

    assert 'value="Dagelijks"' in page
    assert "Later" in page_after(dave_client, response)
    schedule.refresh_from_db()
    assert (schedule.name, schedule.run_at) == ("Later", time(9, 15))


def test_it_stops_a_schedule(dave_client, group):
    schedule = schedule_of(group)

    response = dave_client.post(stop_url(schedule))
    assert "is gestopt" in page_after(dave_client, response)
    again = dave_client.post(stop_url(schedule))
    assert "Deze planning was al gestopt." in page_after(dave_client, again)
    schedule.refresh_from_db()
    assert not schedule.active


def test_it_keeps_a_stopped_schedule_of_an_archived_group_stopped(dave_client, group):
    schedule = schedule_of(group, active=False)
    DunningRunFactory(group=group)
    dave_client.post(reverse("backoffice:settings_dunning_group_delete", args=[group.pk]))

    renamed = dave_client.post(edit_url(schedule), form(group, name="Nieuw", active=None))
    restarted = dave_client.post(edit_url(schedule), form(group))

    assert renamed.status_code == 302
    assert restarted.status_code == 400
    assert any("gearchiveerd" in error for error in shown_errors(restarted.content.decode()))
    schedule.refresh_from_db()
    assert (schedule.name, schedule.active) == ("Nieuw", False)


def test_it_keeps_schedules_from_employees(bob_client, group):
    schedule = schedule_of(group)

    assert bob_client.get(SCHEDULES).status_code == 403
    assert bob_client.post(CREATE, form(group)).status_code == 403
    assert bob_client.post(stop_url(schedule)).status_code == 403
    schedule.refresh_from_db()
    assert schedule.active
    assert DunningSchedule.objects.count() == 1


def test_it_sends_strangers_to_sign_in(client):
    response = client.get(SCHEDULES)

    assert response.status_code == 302
    assert reverse("backoffice:login") in response["Location"]


@pytest.mark.parametrize("pk", MISSING_PKS, ids=short)
def test_it_answers_404_for_a_missing_schedule(dave_client, pk):
    url = reverse("backoffice:settings_dunning_schedule", args=[pk])

    assert dave_client.get(url).status_code == 404


@pytest.mark.parametrize("value", GARBAGE, ids=short)
def test_it_never_fails_on_garbage(dave_client, group, value):
    posted = {"name": value, "group": value, "filter_query": value, "run_at": value}

    assert dave_client.post(CREATE, posted).status_code == 400
    assert dave_client.post(CREATE, form(group, filter_query=value)).status_code in (302, 400)
    assert dave_client.get(CREATE, {"filter": value}).status_code == 200
