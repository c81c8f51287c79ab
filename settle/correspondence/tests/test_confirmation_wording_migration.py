"""Stored templates of the kinds that no longer issue a link lose the sentence about how long
"this link" is valid (migration 0004); other kinds and reworded sentences are left alone."""

from importlib import import_module

import pytest
from django.apps import apps

from settle.correspondence.models import Template

pytestmark = pytest.mark.django_db

migration = import_module(
    "settle.correspondence.migrations.0004_confirmations_without_link_wording"
)
OLD_NL = (
    "Deze link is {{ portal_link_validity }} geldig, tot en met {{ portal_link_valid_until }}. "
    "De link is persoonlijk: deel hem niet met anderen."
)


def _store(kind: str, body_text: str) -> Template:
    template, _created = Template.objects.update_or_create(
        kind=kind, channel="email", language="nl", defaults={"body_text": body_text}
    )
    return template


def test_it_rewords_the_validity_sentence_of_a_confirmation_only():
    confirmation = _store("response_received", f"Link: {{{{ portal_link }}}}\n\n{OLD_NL}")
    reminder = _store("reminder_1", f"Link: {{{{ portal_link }}}}\n\n{OLD_NL}")
    reworded = _store("invoice_copy", "Geldig tot {{ portal_link_valid_until }}.")

    migration.reword(apps, None)

    confirmation.refresh_from_db()
    assert "portal_link_valid" not in confirmation.body_text
    assert "een nieuwe link aan" in confirmation.body_text
    reminder.refresh_from_db()
    assert OLD_NL in reminder.body_text
    reworded.refresh_from_db()
    assert reworded.body_text == "Geldig tot {{ portal_link_valid_until }}."
