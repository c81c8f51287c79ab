"""An item's page (its invoices, messages and letters) and the letters as one PDF to print."""

import pytest
from django.conf import settings
from django.urls import reverse

from settle.backoffice.tests.dunning_support import item_of, message_of, pages_in
from settle.backoffice.views.dunning import runs as views
from settle.correspondence.models import Channel, MessageStatus
from settle.dunning.models import ActionType, ItemState
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory, DunningRunFactory
from settle.receivables.tests.factories import DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def group():
    group = ActionGroupFactory(name="Final notice")
    ActionFactory(group=group, name="Notice by e-mail", message_kind="final_notice")
    ActionFactory(
        group=group,
        name="Notice by post",
        action_type=ActionType.LETTER,
        message_kind="final_notice",
    )
    return group


@pytest.fixture
def run(group):
    return DunningRunFactory(group=group)


def email_action(group):
    return group.actions.get(action_type=ActionType.EMAIL)


def letter_action(group):
    return group.actions.get(action_type=ActionType.LETTER)


def item_url(item) -> str:
    return reverse("backoffice:dunning_item", args=[item.pk])


def test_it_shows_an_items_invoices_messages_and_letter(bob_client, run, group):
    item = item_of(
        run, DebtorFactory(name="Alice Jansen"), invoices=2, state=ItemState.SENT, skipped=["paid"]
    )
    email = message_of(item, email_action(group), status=MessageStatus.SENT)
    letter = message_of(item, letter_action(group), channel=Channel.LETTER, pages=2)

    html = bob_client.get(item_url(item)).content.decode()

    assert "Alice Jansen" in html and "Final notice" in html
    for line in item.lines.all():
        assert line.invoice.number in html
    assert "Skipped: Paid, nothing open" in html
    assert html.count(">Done ") >= 2
    assert reverse("backoffice:message_detail", args=[email.pk]) in html
    assert reverse("backoffice:message_detail", args=[letter.pk]) in html
    assert reverse("backoffice:message_pdf", args=[letter.pk]) in html
    assert reverse("backoffice:dunning_item_letters", args=[item.pk]) in html
    assert reverse("backoffice:dunning_run", args=[run.pk]) in html


def test_it_shows_why_an_item_was_skipped(bob_client, run):
    item = item_of(run, DebtorFactory(), state=ItemState.SKIPPED, reason="no_address")

    html = bob_client.get(item_url(item)).content.decode()

    assert "No address for the channel" in html
    assert "No message has been made for this debtor yet." in html
    assert "No letter for this debtor." in html


def test_it_downloads_an_items_letters_as_one_pdf(bob_client, run, group):
    item = item_of(run, DebtorFactory(), state=ItemState.SENT)
    message_of(item, letter_action(group), channel=Channel.LETTER, pages=3)

    response = bob_client.get(reverse("backoffice:dunning_item_letters", args=[item.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="dunning-item-{item.pk}-letters.pdf"'
    )
    assert pages_in(response.content) == 3


def test_it_combines_every_letter_of_the_run_and_counts_those_still_being_made(
    bob_client, run, group
):
    for pages in (1, 2):
        item = item_of(run, DebtorFactory(), state=ItemState.SENT)
        message_of(item, letter_action(group), channel=Channel.LETTER, pages=pages)
        message_of(item, email_action(group))
    waiting = item_of(run, DebtorFactory(), state=ItemState.SENT)
    message_of(waiting, letter_action(group), channel=Channel.LETTER)
    given_up = item_of(run, DebtorFactory(), state=ItemState.SENT)
    message_of(given_up, letter_action(group), channel=Channel.LETTER, status=MessageStatus.FAILED)
    # A letter of another run is not in this one.
    other = item_of(DunningRunFactory(group=group), DebtorFactory(), state=ItemState.SENT)
    message_of(other, letter_action(group), channel=Channel.LETTER, pages=5)

    page = bob_client.get(reverse("backoffice:dunning_run", args=[run.pk])).content.decode()
    response = bob_client.get(reverse("backoffice:dunning_run_letters", args=[run.pk]))

    assert "2 letters are ready to print." in page
    assert "1 letter is still being made." in page
    assert "Download the letters as one PDF" in page
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="dunning-run-{run.pk}-letters.pdf"'
    )
    assert pages_in(response.content) == 3
    waiting_page = bob_client.get(item_url(waiting)).content.decode()
    assert "1 letter is still being made." in waiting_page


def test_it_prints_a_large_run_in_parts(bob_client, run, group, monkeypatch):
    monkeypatch.setattr(views, "LETTERS_PER_PDF", 2)
    for pages in (1, 2, 4):
        item = item_of(run, DebtorFactory(), state=ItemState.SENT)
        message_of(item, letter_action(group), channel=Channel.LETTER, pages=pages)
    url = reverse("backoffice:dunning_run_letters", args=[run.pk])

    page = bob_client.get(reverse("backoffice:dunning_run", args=[run.pk])).content.decode()

    assert "Download letters 1–2 as one PDF" in page
    assert f"{url}?part=2" in page and "Download letters 3–3 as one PDF" in page
    assert pages_in(bob_client.get(url).content) == 3
    second = bob_client.get(url, {"part": 2})
    assert pages_in(second.content) == 4
    assert (
        second["Content-Disposition"]
        == f'attachment; filename="dunning-run-{run.pk}-letters-2.pdf"'
    )


def test_it_says_so_when_there_is_no_letter_to_print_yet(bob_client, run, group):
    item = item_of(run, DebtorFactory(), state=ItemState.SENT)
    message_of(item, letter_action(group), channel=Channel.LETTER)

    response = bob_client.get(reverse("backoffice:dunning_run_letters", args=[run.pk]), follow=True)
    for_item = bob_client.get(
        reverse("backoffice:dunning_item_letters", args=[item.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("backoffice:dunning_run", args=[run.pk])
    assert "There are no letters with a PDF to print yet." in response.content.decode()
    assert for_item.redirect_chain[-1][0] == item_url(item)
    assert "There are no letters with a PDF to print yet." in for_item.content.decode()


def test_it_skips_a_letter_whose_file_is_lost(bob_client, run, group):
    kept = item_of(run, DebtorFactory(), state=ItemState.SENT)
    message_of(kept, letter_action(group), channel=Channel.LETTER, pages=2)
    lost = item_of(run, DebtorFactory(), state=ItemState.SENT)
    message = message_of(lost, letter_action(group), channel=Channel.LETTER, pages=1)
    message.pdf.storage.delete(message.pdf.name)

    response = bob_client.get(reverse("backoffice:dunning_run_letters", args=[run.pk]))

    assert pages_in(response.content) == 2


def test_it_shows_the_item_in_dutch(client, bob, run):
    client.force_login(bob)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    item = item_of(
        run, DebtorFactory(), state=ItemState.SKIPPED, reason="no_address", skipped=["held"]
    )

    html = client.get(item_url(item)).content.decode()

    assert "Overgeslagen" in html
    assert "Nog geen bericht voor deze debiteur gemaakt." in html


@pytest.mark.parametrize("name", ["dunning_item", "dunning_item_letters"])
def test_it_keeps_items_and_letters_for_employees(client, django_user_model, run, name):
    item = item_of(run, DebtorFactory(), state=ItemState.SENT)
    url = reverse(f"backoffice:{name}", args=[item.pk])
    assert client.get(url).status_code == 302

    client.force_login(django_user_model.objects.create_user(username="eve", password="x"))

    assert client.get(url)["Location"].startswith(reverse("backoffice:login"))


def test_it_answers_404_for_an_unknown_item(bob_client):
    assert bob_client.get(reverse("backoffice:dunning_item", args=[987_654])).status_code == 404
    assert (
        bob_client.get(reverse("backoffice:dunning_item_letters", args=[987_654])).status_code
        == 404
    )
