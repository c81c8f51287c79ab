"""The groups an organisation starts with (migration 0002_default_groups)."""

import pytest

from settle.dunning.channels import action_channel
from settle.dunning.selectors import groups_active
from settle.receivables.tests.factories import DebtorFactory

pytestmark = pytest.mark.django_db


def test_it_starts_with_the_usual_steps_each_setting_its_status():
    steps = {
        group.name: [
            (a.action_type, a.message_kind, a.channel, a.resulting_status.code)
            for a in group.actions.all()
        ]
        for group in groups_active()
    }

    assert steps == {
        "Aanmaning": [("email", "final_notice", "email", "final_notice")],
        "Herinnering 1": [("email", "reminder_1", "email", "reminder_1")],
        "Herinnering 2": [("email", "reminder_2", "email", "reminder_2")],
        "Veertiendagenbrief": [
            ("fourteen_day_letter", "fourteen_day_letter", "letter", "fourteen_day_letter")
        ],
    }


def test_it_gives_the_fourteen_day_letter_a_status_of_its_own():
    letter = groups_active().get(name="Veertiendagenbrief").actions.get()

    assert letter.resulting_status.label_nl == "Veertiendagenbrief verstuurd"
    assert action_channel(action=letter, debtor=DebtorFactory()) == "letter"
