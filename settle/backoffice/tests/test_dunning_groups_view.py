"""Actiegroepenbeheer: administrators keep the action groups and their ordered actions."""

import pytest
from django.urls import reverse

from settle.backoffice.tests.support import GARBAGE, MISSING_PKS, page_after, short, shown_errors
from settle.dunning.models import Action, ActionGroup
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory, DunningRunFactory
from settle.receivables.models import CollectionStatus

pytestmark = pytest.mark.django_db

GROUPS = reverse("backoffice:settings_dunning_groups")
CREATE = reverse("backoffice:settings_dunning_group_create")


def group_url(group, name="settings_dunning_group") -> str:
    return reverse(f"backoffice:{name}", args=[group.pk])


def action_url(action, name) -> str:
    return reverse(f"backoffice:settings_dunning_action_{name}", args=[action.pk])


def action_names(client, group) -> list[str]:
    html = client.get(group_url(group)).content.decode()
    rows = html.split('class="action-name">')[1:]
    return [row.split("<", 1)[0] for row in rows]


def reminder(**changes) -> dict:
    return {"name": "Eerste herinnering", "action_type": "email", "message_kind": "reminder_1"} | (
        changes
    )


def test_it_lists_active_groups_and_archived_ones_apart(dave_client):
    ActionGroupFactory(name="Zachte herinnering")
    archived = ActionGroupFactory(name="Oude aanmaning")
    DunningRunFactory(group=archived)
    dave_client.post(group_url(archived, "settings_dunning_group_delete"))

    html = dave_client.get(GROUPS).content.decode()

    active_part, archived_part = html.split('id="active-groups"')[1].split('id="archived-groups"')
    assert "Zachte herinnering" in active_part
    assert "Oude aanmaning" not in active_part
    assert "Oude aanmaning" in archived_part


def test_it_shows_the_settings_tab(dave_client):
    html = dave_client.get(GROUPS).content.decode()

    assert "Actiegroepen" in html
    assert reverse("backoffice:settings_dunning_rates") in html


def test_it_adds_a_group_and_opens_it(dave_client):
    response = dave_client.post(CREATE, {"name": "  Eerste   herinnering "})

    group = ActionGroup.objects.get(name="Eerste herinnering")
    assert response["Location"] == group_url(group)
    assert "Eerste herinnering" in page_after(dave_client, response)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "\x00"], ids=short)
def test_it_refuses_a_group_without_a_usable_name(dave_client, name):
    before = ActionGroup.objects.count()

    response = dave_client.post(CREATE, {"name": name})

    assert response.status_code == 400
    assert shown_errors(response.content.decode())
    assert ActionGroup.objects.count() == before


def test_it_refuses_a_name_in_use_on_the_form(dave_client):
    ActionGroupFactory(name="Aanmaning 2")

    response = dave_client.post(CREATE, {"name": "aanmaning 2"})

    assert response.status_code == 400
    assert any("aanmaning 2" in error for error in shown_errors(response.content.decode()))


def test_it_renames_a_group(dave_client):
    group = ActionGroupFactory(name="Herinnering")

    response = dave_client.post(
        group_url(group, "settings_dunning_group_rename"), {"name": "Nieuw"}
    )

    assert "Nieuw" in page_after(dave_client, response)
    group.refresh_from_db()
    assert group.name == "Nieuw"


def test_it_refuses_an_empty_new_name(dave_client):
    group = ActionGroupFactory(name="Herinnering")

    response = dave_client.post(group_url(group, "settings_dunning_group_rename"), {"name": " "})

    assert response.status_code == 400
    assert shown_errors(response.content.decode())
    group.refresh_from_db()
    assert group.name == "Herinnering"


def test_it_deletes_a_group_that_never_ran(dave_client):
    group = ActionGroupFactory(name="Proef")

    response = dave_client.post(group_url(group, "settings_dunning_group_delete"))

    assert "is verwijderd" in page_after(dave_client, response)
    assert not ActionGroup.objects.filter(pk=group.pk).exists()


def test_it_archives_a_group_with_runs_and_says_so(dave_client):
    group = ActionGroupFactory(name="Met historie")
    DunningRunFactory(group=group)

    response = dave_client.post(group_url(group, "settings_dunning_group_delete"))

    assert "gearchiveerd" in page_after(dave_client, response)
    group.refresh_from_db()
    assert group.archived_at is not None


def test_it_offers_no_changes_on_an_archived_group(dave_client):
    group = ActionGroupFactory(name="Met historie")
    ActionFactory(group=group, name="Mail")
    DunningRunFactory(group=group)
    dave_client.post(group_url(group, "settings_dunning_group_delete"))

    html = dave_client.get(group_url(group)).content.decode()
    refused = dave_client.post(group_url(group, "settings_dunning_action_add"), reminder())

    assert "Mail" in html
    assert group_url(group, "settings_dunning_action_add") not in html
    assert "gearchiveerd" in page_after(dave_client, refused)
    assert group.actions.count() == 1


def test_it_adds_actions_in_order(dave_client):
    group = ActionGroupFactory()
    status = CollectionStatus.objects.first()
    add = group_url(group, "settings_dunning_action_add")

    dave_client.post(add, reminder(name="Mail", resulting_status=status.pk))
    dave_client.post(add, reminder(name="Sms", action_type="sms"))

    assert action_names(dave_client, group) == ["Mail", "Sms"]
    assert status.label in dave_client.get(group_url(group)).content.decode()


def test_it_shows_the_services_refusal_on_the_action_form(dave_client):
    group = ActionGroupFactory()

    response = dave_client.post(
        group_url(group, "settings_dunning_action_add"), reminder(message_kind="")
    )

    assert response.status_code == 400
    assert any("sjabloon" in error.lower() for error in shown_errors(response.content.decode()))
    assert not group.actions.exists()


def test_it_edits_an_action(dave_client):
    action = ActionFactory(name="Mail")

    page = dave_client.get(action_url(action, "edit"))
    response = dave_client.post(action_url(action, "edit"), reminder(name="Mail 2"))

    assert 'value="Mail"' in page.content.decode()
    assert "Mail 2" in page_after(dave_client, response)
    action.refresh_from_db()
    assert action.name == "Mail 2"


def test_it_refuses_a_bad_edit_on_the_form(dave_client):
    action = ActionFactory(name="Mail")

    response = dave_client.post(action_url(action, "edit"), reminder(action_type="fax"))

    assert response.status_code == 400
    assert shown_errors(response.content.decode())
    action.refresh_from_db()
    assert action.action_type == "email"


def test_it_moves_actions_up_and_down(dave_client):
    group = ActionGroupFactory()
    first, second, third = (ActionFactory(group=group, name=name) for name in "ABC")

    dave_client.post(action_url(third, "move"), {"direction": "up"})
    assert action_names(dave_client, group) == ["A", "C", "B"]
    dave_client.post(action_url(first, "move"), {"direction": "down"})
    assert action_names(dave_client, group) == ["C", "A", "B"]
    assert second.pk


def test_it_deletes_an_action(dave_client):
    action = ActionFactory(name="Weg ermee")

    response = dave_client.post(action_url(action, "delete"))

    assert "Weg ermee" in page_after(dave_client, response)  # in the confirmation
    assert not Action.objects.filter(pk=action.pk).exists()


def test_it_keeps_the_groups_from_employees(bob_client):
    group = ActionGroupFactory(name="Geheim")

    assert bob_client.get(GROUPS).status_code == 403
    assert bob_client.post(CREATE, {"name": "Nieuw"}).status_code == 403
    assert bob_client.post(group_url(group, "settings_dunning_group_delete")).status_code == 403
    assert ActionGroup.objects.filter(pk=group.pk).exists()
    assert not ActionGroup.objects.filter(name="Nieuw").exists()


def test_it_sends_strangers_to_sign_in(client):
    response = client.get(GROUPS)

    assert response.status_code == 302
    assert reverse("backoffice:login") in response["Location"]


@pytest.mark.parametrize("pk", MISSING_PKS, ids=short)
def test_it_answers_404_for_a_missing_group_or_action(dave_client, pk):
    assert (
        dave_client.get(reverse("backoffice:settings_dunning_group", args=[pk])).status_code == 404
    )
    edit = reverse("backoffice:settings_dunning_action_edit", args=[pk])
    assert dave_client.get(edit).status_code == 404


@pytest.mark.parametrize("value", GARBAGE, ids=short)
def test_it_never_fails_on_garbage(dave_client, value):
    action = ActionFactory(name="Mail")
    group = action.group
    posted = {
        "name": value,
        "action_type": value,
        "message_kind": value,
        "channel": value,
        "resulting_status": value,
        "direction": value,
    }

    for url in (
        CREATE,
        group_url(group, "settings_dunning_group_rename"),
        group_url(group, "settings_dunning_action_add"),
        action_url(action, "edit"),
        action_url(action, "move"),
    ):
        assert dave_client.post(url, posted).status_code in (302, 400), url


def test_it_speaks_english_to_who_chose_it(dave_client, settings):
    dave_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = dave_client.get(GROUPS).content.decode()
    refused = dave_client.post(CREATE, {"name": ""}).content.decode()

    assert "Add an action group" in html
    assert "Actiegroepen" not in html
    assert "This field is required." in shown_errors(refused)[0]
