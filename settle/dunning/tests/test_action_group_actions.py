"""Adding, changing, ordering and removing a group's actions."""

import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.dunning.models import ActionType
from settle.dunning.services import action_add, action_delete, action_move, action_update
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory
from settle.receivables.models import CollectionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def status(code: str) -> CollectionStatus:
    return CollectionStatus.objects.get(code=code)


def names(group) -> list[tuple[int, str]]:
    return list(group.actions.order_by("position").values_list("position", "name"))


def refusal(**values) -> dict[str, str]:
    group = values.pop("group", None) or ActionGroupFactory()
    with pytest.raises(ApplicationError) as refused:
        action_add(group=group, **values)
    assert str(refused.value) == "The action was not saved."
    return {error.field: str(error.message) for error in refused.value.errors}


def test_it_adds_actions_at_the_end_in_order():
    group = ActionGroupFactory()

    action_add(
        group=group,
        name="Mail",
        action_type=ActionType.EMAIL,
        message_kind="reminder_1",
        resulting_status=status("reminder_1"),
    )
    action_add(
        group=group, name="Status", action_type="status_only", resulting_status=status("open")
    )

    assert names(group) == [(0, "Mail"), (1, "Status")]
    mail = group.actions.get(name="Mail")
    assert (mail.message_kind, mail.channel, mail.resulting_status.code) == (
        "reminder_1",
        "email",
        "reminder_1",
    )


def test_it_refuses_an_action_without_name_or_type():
    assert refusal(name=" ", action_type="fax") == {
        "name": "Give the action a name.",
        "action_type": "Choose an action type.",
    }


def test_it_refuses_a_message_action_without_a_dunning_template():
    assert refusal(name="Mail", action_type="email", message_kind="") == {
        "message_kind": "Choose a template."
    }
    assert refusal(name="Mail", action_type="email", message_kind="invoice_copy") == {
        "message_kind": "Choose a template."
    }


def test_it_refuses_a_template_the_channel_does_not_have(monkeypatch):
    from settle.correspondence import kinds

    monkeypatch.setitem(kinds.CHANNELS, "reminder_2", ("email",))

    assert refusal(name="Text", action_type="sms", message_kind="reminder_2") == {
        "message_kind": "This template cannot be sent as “SMS”."
    }


def test_it_accepts_sms_and_letter_reminders():
    group = ActionGroupFactory()

    sms = action_add(group=group, name="Text", action_type="sms", message_kind="reminder_2")
    letter = action_add(group=group, name="Post", action_type="letter", message_kind="final_notice")

    assert (sms.channel, letter.channel) == ("sms", "letter")


def test_it_sends_an_invitation_by_email_or_sms_only():
    group = ActionGroupFactory()

    invitation = action_add(group=group, name="Invite", action_type="invitation", channel="sms")

    assert (invitation.message_kind, invitation.channel) == ("portal_invitation", "sms")
    assert refusal(name="Invite", action_type="invitation", channel="letter") == {
        "channel": "Choose e-mail or SMS for an invitation."
    }


def test_it_gives_a_fourteen_day_letter_its_own_template_by_letter():
    group = ActionGroupFactory()

    action = action_add(group=group, name="14 days", action_type="fourteen_day_letter")

    assert (action.message_kind, action.channel) == ("fourteen_day_letter", "letter")
    assert refusal(
        name="14 days", action_type="fourteen_day_letter", message_kind="reminder_1"
    ) == {"message_kind": "A 14-day letter uses its own template."}
    assert refusal(name="14 days", action_type="fourteen_day_letter", channel="sms") == {
        "channel": "Send a 14-day letter by letter or e-mail."
    }


def test_it_needs_a_status_to_set_the_status_only():
    assert refusal(name="Status", action_type="status_only") == {
        "resulting_status": "Choose the status to set."
    }


def test_it_clears_what_a_type_does_not_use():
    group = ActionGroupFactory()

    agency = action_add(
        group=group,
        name="Agency",
        action_type="collection_agency",
        message_kind="reminder_1",
        channel="email",
        resulting_status=status("collection_agency"),
    )

    assert (agency.message_kind, agency.channel) == ("", "")


def test_it_updates_an_action_in_place():
    action = ActionFactory(name="Mail")
    ActionFactory(group=action.group, name="Second")

    action_update(
        action=action,
        name="Post",
        action_type="letter",
        message_kind="reminder_2",
        channel="",
        resulting_status=status("reminder_2"),
    )

    action.refresh_from_db()
    assert (action.position, action.name, action.channel, action.resulting_status.code) == (
        0,
        "Post",
        "letter",
        "reminder_2",
    )


def test_it_refuses_a_wrong_update_and_keeps_the_action():
    action = ActionFactory(name="Mail")

    with pytest.raises(ApplicationError):
        action_update(
            action=action,
            name="",
            action_type="status_only",
            message_kind="",
            channel="",
            resulting_status=None,
        )

    action.refresh_from_db()
    assert (action.name, action.action_type) == ("Mail", "email")


def test_it_moves_an_action_up_and_down():
    group = ActionGroupFactory()
    first, second, third = (ActionFactory(group=group, name=n) for n in ("A", "B", "C"))

    action_move(action=third, up=True)
    assert names(group) == [(0, "A"), (1, "C"), (2, "B")]

    action_move(action=first, up=False)
    assert names(group) == [(0, "C"), (1, "A"), (2, "B")]


def test_it_keeps_the_first_first_and_the_last_last():
    group = ActionGroupFactory()
    first, second = ActionFactory(group=group, name="A"), ActionFactory(group=group, name="B")

    action_move(action=first, up=True)
    action_move(action=second, up=False)

    assert names(group) == [(0, "A"), (1, "B")]


def test_it_closes_gaps_in_positions_when_moving():
    group = ActionGroupFactory()
    ActionFactory(group=group, name="A", position=3)
    b = ActionFactory(group=group, name="B", position=7)

    action_move(action=b, up=True)

    assert names(group) == [(0, "B"), (1, "A")]


def test_it_deletes_an_action_and_moves_the_later_ones_up():
    group = ActionGroupFactory()
    a, b, c = (ActionFactory(group=group, name=n) for n in ("A", "B", "C"))

    action_delete(action=b)

    assert names(group) == [(0, "A"), (1, "C")]
    assert (
        action_add(group=group, name="D", action_type="sms", message_kind="reminder_1").position
        == 2
    )
