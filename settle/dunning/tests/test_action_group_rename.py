import pytest
from django.utils import timezone, translation

from settle.common.errors import ApplicationError
from settle.dunning.services import action_group_rename
from settle.dunning.tests.factories import ActionGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_renames_a_group():
    group = ActionGroupFactory(name="Reminder")

    action_group_rename(group=group, name="First reminder")

    group.refresh_from_db()
    assert group.name == "First reminder"


def test_it_keeps_its_own_name_in_another_case():
    group = ActionGroupFactory(name="reminder")

    action_group_rename(group=group, name="Reminder")

    group.refresh_from_db()
    assert group.name == "Reminder"


def test_it_refuses_the_name_of_another_active_group():
    ActionGroupFactory(name="Final notice")
    group = ActionGroupFactory(name="Reminder")

    with pytest.raises(ApplicationError) as refused:
        action_group_rename(group=group, name="final notice")

    assert refused.value.errors[0].field == "name"
    group.refresh_from_db()
    assert group.name == "Reminder"


def test_it_refuses_an_empty_name():
    group = ActionGroupFactory(name="Reminder")

    with pytest.raises(ApplicationError):
        action_group_rename(group=group, name="")


def test_it_refuses_to_rename_an_archived_group():
    group = ActionGroupFactory(name="Reminder", archived_at=timezone.now())

    with pytest.raises(ApplicationError) as refused:
        action_group_rename(group=group, name="Other")

    assert str(refused.value) == "This action group is archived and cannot be changed."
