import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.dunning.models import ActionGroup
from settle.dunning.services import action_group_create
from settle.dunning.tests.factories import ActionGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_creates_a_group_with_the_name_tidied():
    group = action_group_create(name="  First   reminder ")

    assert group.name == "First reminder"
    assert group.archived_at is None
    assert group.actions.count() == 0


def test_it_refuses_a_group_without_a_name():
    with pytest.raises(ApplicationError) as refused:
        action_group_create(name="   ")

    assert [(e.field, str(e.message)) for e in refused.value.errors] == [
        ("name", "Give the group a name.")
    ]


def test_it_refuses_a_name_in_use_whatever_its_case():
    ActionGroupFactory(name="First reminder")

    with pytest.raises(ApplicationError) as refused:
        action_group_create(name="first REMINDER")

    assert str(refused.value) == "There is already an action group named “first REMINDER”."
    assert ActionGroup.objects.filter(name__iexact="first reminder").count() == 1


def test_it_allows_the_name_of_an_archived_group():
    ActionGroupFactory(name="First reminder", archived_at="2026-01-01T00:00Z")

    group = action_group_create(name="First reminder")

    assert group.pk


def test_it_refuses_a_name_too_long():
    with pytest.raises(ApplicationError) as refused:
        action_group_create(name="x" * 101)

    assert refused.value.errors[0].message == "Use at most 100 characters."


def test_it_refuses_in_dutch_for_a_dutch_reader():
    with translation.override("nl"), pytest.raises(ApplicationError) as refused:
        action_group_create(name="")

    assert str(refused.value) == "Geef de groep een naam."
