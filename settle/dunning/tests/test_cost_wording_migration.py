"""Migration correspondence 0009: stored second reminders and final notices still in the shipped
wording get the paragraphs on statutory costs; a template an administrator changed is left
alone, and the 14-day letter's templates are installed."""

import re
from importlib import import_module

import pytest
from django.apps import apps

from settle.correspondence.defaults import default_fields
from settle.correspondence.models import Template

pytestmark = pytest.mark.django_db

migration = import_module(
    "settle.correspondence.migrations.0009_fourteen_day_letter_and_cost_wording"
)
# The shipped wording before 0009 is today's without the cost paragraphs.
COST_PARAGRAPH = re.compile(
    r"\n?\{% if (?:collection_costs_chargeable|commercial_interest) is defined.*?\{% endif %\}",
    re.S,
)


def _old(kind: str, channel: str, language: str, field: str) -> str:
    new = default_fields(kind=kind, channel=channel, language=language)[field]
    return COST_PARAGRAPH.sub("", new)


@pytest.mark.parametrize(("kind", "channel", "language", "field"), list(migration.OLD_DEFAULTS))
def test_it_knows_the_wording_shipped_before(kind, channel, language, field):
    old = _old(kind, channel, language, field)

    assert migration._digest(old) == migration.OLD_DEFAULTS[(kind, channel, language, field)]


def test_it_adds_the_cost_paragraphs_to_shipped_wording_only():
    shipped = Template.objects.get(kind="final_notice", channel="email", language="nl")
    shipped.body_text = _old("final_notice", "email", "nl", "body_text")
    shipped.body_html = _old("final_notice", "email", "nl", "body_html")
    shipped.save()
    changed = Template.objects.get(kind="reminder_2", channel="letter", language="nl")
    changed.body_html = "<p>Betaal nu, {{ debtor_name }}.</p>"
    changed.save()
    Template.objects.filter(kind="fourteen_day_letter").delete()

    migration.forward(apps, None)

    shipped.refresh_from_db()
    assert "wettelijke handelsrente" in shipped.body_text
    assert "wettelijke handelsrente" in shipped.body_html
    changed.refresh_from_db()
    assert changed.body_html == "<p>Betaal nu, {{ debtor_name }}.</p>"
    installed = set(
        Template.objects.filter(kind="fourteen_day_letter").values_list("channel", "language")
    )
    assert installed == {("email", "nl"), ("email", "en"), ("letter", "nl"), ("letter", "en")}
