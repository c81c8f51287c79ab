from datetime import time

import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.dunning.models import Action, ActionGroup, DunningSchedule
from settle.dunning.selectors import groups_active
from settle.dunning.services import action_add, action_group_create, action_group_delete
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory, DunningRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_deletes_a_group_without_history_with_its_actions():
    group = ActionGroupFactory()
    ActionFactory(group=group)

    assert action_group_delete(group=group) is True

    assert not ActionGroup.objects.filter(pk=group.pk).exists()
    assert not Action.objects.filter(group_id=group.pk).exists()


def test_it_archives_a_group_with_runs():
    group = ActionGroupFactory(name="Reminder")
    ActionFactory(group=group)
    run = DunningRunFactory(group=group)

    assert action_group_delete(group=group) is False

    group.refresh_from_db()
    assert group.archived_at is not None
    assert group.actions.count() == 1
    assert run.group_id == group.pk
    assert group not in groups_active()


def test_it_archives_a_scheduled_group_and_stops_its_schedules():
    group = ActionGroupFactory()
    schedule = DunningSchedule.objects.create(name="Daily", group=group, run_at=time(9))

    assert action_group_delete(group=group) is False

    schedule.refresh_from_db()
    assert schedule.active is False


def test_it_frees_the_name_of_an_archived_group():
    group = ActionGroupFactory(name="Reminder")
    DunningRunFactory(group=group)
    action_group_delete(group=group)

    assert action_group_create(name="Reminder").pk != group.pk


def test_it_leaves_an_archived_group_archived_when_deleted_again():
    group = ActionGroupFactory()
    DunningRunFactory(group=group)
    action_group_delete(group=group)
    group.refresh_from_db()
    archived_at = group.archived_at

    assert action_group_delete(group=group) is False

    group.refresh_from_db()
    assert group.archived_at == archived_at


def test_it_refuses_new_actions_on_an_archived_group():
    group = ActionGroupFactory()
    DunningRunFactory(group=group)
    action_group_delete(group=group)

    with pytest.raises(ApplicationError):
        action_add(group=group, name="Mail", action_type="email", message_kind="reminder_1")
