"""action_channel: the channel an action reaches a debtor by, with the fallback to the debtor's
delivery method."""

import pytest

from settle.dunning.channels import action_channel
from settle.dunning.models import Action, ActionType
from settle.receivables.models import Debtor


def debtor(**fields) -> Debtor:
    values = {
        "email": "a@example.test",
        "mobile": "+31612345678",
        "street": "Dorpsstraat 1",
        "postal_code": "1234 AB",
        "city": "Utrecht",
        "country": "NL",
        "delivery_method": "email",
    }
    values.update(fields)
    return Debtor(**values)


def action(action_type: str, kind: str = "reminder_1", channel: str = "") -> Action:
    return Action(action_type=action_type, message_kind=kind, channel=channel)


@pytest.mark.parametrize(
    ("action_type", "channel", "expected"),
    [
        (ActionType.EMAIL, "", "email"),
        (ActionType.SMS, "", "sms"),
        (ActionType.LETTER, "", "letter"),
        (ActionType.INVITATION, "sms", "sms"),
    ],
)
def test_it_uses_the_actions_own_channel_when_the_debtor_has_it(action_type, channel, expected):
    assert action_channel(action=action(action_type, channel=channel), debtor=debtor()) == expected


def test_it_sends_a_fourteen_day_letter_by_letter():
    fourteen = action(ActionType.FOURTEEN_DAY_LETTER, kind="fourteen_day_letter")

    assert action_channel(action=fourteen, debtor=debtor()) == "letter"


def test_it_falls_back_to_the_debtors_delivery_method():
    mail = action(ActionType.EMAIL)

    assert action_channel(action=mail, debtor=debtor(email="", delivery_method="post")) == "letter"
    assert action_channel(action=mail, debtor=debtor(email="", delivery_method="sms")) == "sms"


def test_it_gives_none_when_the_debtor_cannot_receive_it():
    mail = action(ActionType.EMAIL)

    assert action_channel(action=mail, debtor=debtor(email="", delivery_method="email")) is None
    assert (
        action_channel(
            action=mail,
            debtor=debtor(email="", street="", postal_code="", city="", delivery_method="post"),
        )
        is None
    )


def test_it_falls_back_only_to_a_channel_the_template_has(monkeypatch):
    from settle.correspondence import kinds

    monkeypatch.setitem(kinds.CHANNELS, "reminder_1", ("email",))

    assert (
        action_channel(
            action=action(ActionType.EMAIL), debtor=debtor(email="", delivery_method="post")
        )
        is None
    )


def test_it_counts_a_foreign_country_as_an_address():
    letter = action(ActionType.LETTER)
    abroad = debtor(street="", postal_code="", city="", country="BE")

    assert action_channel(action=letter, debtor=abroad) == "letter"


@pytest.mark.parametrize("action_type", [ActionType.STATUS_ONLY, ActionType.COLLECTION_AGENCY])
def test_it_refuses_actions_that_send_nothing(action_type):
    with pytest.raises(ValueError):
        action_channel(action=action(action_type), debtor=debtor())
