import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from settle.backoffice.tests.dunning_support import item_of, message_of
from settle.backoffice.tests.support import HTMX, MISSING_PKS, PASSWORD, axe_violations_in_main
from settle.correspondence.models import Channel, MessageStatus
from settle.dunning.models import ActionType, ItemState, RunSource, RunState
from settle.dunning.selectors import SKIP_REASONS
from settle.dunning.tests.factories import ActionFactory, ActionGroupFactory, DunningRunFactory
from settle.receivables.tests.factories import DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def group():
    group = ActionGroupFactory(name="First reminder")
    ActionFactory(group=group, name="Reminder e-mail")
    ActionFactory(
        group=group, name="Letter", action_type=ActionType.LETTER, message_kind="reminder_1"
    )
    return group


@pytest.fixture
def run(group, bob):
    return DunningRunFactory(
        group=group,
        created_by=bob,
        invoice_count=5,
        debtor_count=3,
        skipped={"held": 2, "excluded_response": 1, "paid": 0},
    )


def run_url(run) -> str:
    return reverse("backoffice:dunning_run", args=[run.pk])


def progress_url(run) -> str:
    return reverse("backoffice:dunning_run_progress", args=[run.pk])


def row(html: str, item) -> str:
    return re.search(rf'<tr id="item-{item.pk}">(.*?)</tr>', html, re.S).group(1)


def test_it_shows_the_run_with_its_counts_and_why_invoices_were_skipped(bob_client, run):
    html = bob_client.get(run_url(run)).content.decode()

    assert "Dunning run: First reminder" in html
    assert "Reminder e-mail, Letter" in html
    assert "Bob" in html
    assert "Back office" in html
    assert "<dt>Invoices</dt><dd>5</dd>" in html
    assert "<dt>Debtors</dt><dd>3</dd>" in html
    skipped = html[html.index('class="plain-list skipped-at-start"') :]
    skipped = skipped[: skipped.index("</ul>")]
    assert "On hold for dunning: 2" in skipped
    assert "Excluded: open response: 1" in skipped
    # A reason no invoice was skipped for is not listed.
    assert "Paid" not in skipped


def test_it_lists_each_debtor_with_state_reason_invoices_and_messages(bob_client, run, group):
    sent = item_of(run, DebtorFactory(name="Alice Jansen"), invoices=2, state=ItemState.SENT)
    skipped = item_of(
        run, DebtorFactory(name="Carol Smith"), state=ItemState.SKIPPED, reason="no_address"
    )
    email = message_of(sent, group.actions.first(), status=MessageStatus.SENT)

    html = bob_client.get(run_url(run)).content.decode()

    alice = row(html, sent)
    assert "Alice Jansen" in alice and "Done" in alice
    for line in sent.lines.all():
        assert line.invoice.number in alice
    assert reverse("backoffice:message_detail", args=[email.pk]) in alice
    assert reverse("backoffice:dunning_item", args=[sent.pk]) in alice
    carol = row(html, skipped)
    assert "Skipped" in carol and "No address for the channel" in carol
    assert "backoffice/messages/" not in carol


def test_it_does_not_mix_in_messages_of_the_same_debtor_in_another_run(bob_client, run, group):
    debtor = DebtorFactory()
    item = item_of(run, debtor, state=ItemState.SENT)
    other = item_of(DunningRunFactory(group=group), debtor, state=ItemState.SENT)
    theirs = message_of(other, group.actions.first())

    html = bob_client.get(run_url(run)).content.decode()

    assert reverse("backoffice:message_detail", args=[theirs.pk]) not in row(html, item)


def test_it_polls_the_progress_while_the_run_works(bob_client, run):
    item_of(run, DebtorFactory(), state=ItemState.SENT)
    item_of(run, DebtorFactory())

    html = bob_client.get(run_url(run)).content.decode()

    assert f'hx-get="{progress_url(run)}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert 'value="1"' in html and 'max="2"' in html
    assert "1 of 2 debtors processed." in html
    assert "htmx-2.min.js" in html


def test_it_stops_polling_once_every_debtor_is_processed(bob_client, run):
    item = item_of(run, DebtorFactory(), state=ItemState.SENT)
    pending = item_of(run, DebtorFactory())
    working = bob_client.get(progress_url(run), **HTMX).content.decode()
    assert "hx-trigger" in working and "The run is working" in working

    pending.state = ItemState.FAILED
    pending.processed_at = timezone.now()
    pending.save()
    run.state, run.processed_at = RunState.DONE, timezone.now()
    run.save()
    finished = bob_client.get(progress_url(run), **HTMX).content.decode()

    assert "hx-get" not in finished and "hx-trigger" not in finished
    assert "The run is finished." in finished
    assert "2 of 2 debtors processed." in finished
    assert re.search(r'run-progress__failed">1<', finished)
    assert re.search(r'run-progress__sent">1<', finished)
    assert run_url(run) in finished
    assert item.pk  # both items counted above


def test_it_shows_a_finished_run_without_polling(bob_client, run):
    item_of(run, DebtorFactory(), state=ItemState.SENT)

    html = bob_client.get(run_url(run)).content.decode()

    assert "hx-trigger" not in html
    assert "The run is finished." in html


def test_it_pages_the_debtors_by_fifty(bob_client, run):
    items = [item_of(run, DebtorFactory(), invoices=0) for _ in range(51)]

    first = bob_client.get(run_url(run)).content.decode()
    second = bob_client.get(run_url(run), {"page": 2}).content.decode()

    assert first.count('<tr id="item-') == 50
    assert f'id="item-{items[-1].pk}"' in second and second.count('<tr id="item-') == 1
    assert "Page 1 of 2" in first


def test_it_shows_the_page_at_a_constant_query_cost(bob_client, run, group):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert bob_client.get(run_url(run)).status_code == 200
        return len(queries)

    item = item_of(run, DebtorFactory(), state=ItemState.SENT)
    message_of(item, group.actions.first())
    one = page_queries()
    for _ in range(4):
        more = item_of(run, DebtorFactory(), invoices=2, state=ItemState.SENT)
        message_of(more, group.actions.first())
        message_of(more, group.actions.last(), channel=Channel.LETTER, pages=1)

    assert page_queries() == one


def test_it_names_a_scheduled_run_and_its_day(bob_client, group):
    run = DunningRunFactory(group=group, source=RunSource.SCHEDULE)

    html = bob_client.get(run_url(run)).content.decode()

    assert "Schedule" in html


def test_it_offers_the_agency_csv_only_for_a_group_that_hands_over(bob_client, run, group):
    assert reverse("backoffice:dunning_run_agency_csv", args=[run.pk]) not in (
        bob_client.get(run_url(run)).content.decode()
    )
    assert (
        bob_client.get(reverse("backoffice:dunning_run_agency_csv", args=[run.pk])).status_code
        == 404
    )

    agency = ActionGroupFactory(name="Agency")
    ActionFactory(group=agency, name="Hand over", action_type=ActionType.COLLECTION_AGENCY)
    handed = DunningRunFactory(group=agency)
    item_of(handed, DebtorFactory(name="Dirk Dijkstra"), state=ItemState.SENT)
    csv_url = reverse("backoffice:dunning_run_agency_csv", args=[handed.pk])
    assert csv_url in bob_client.get(run_url(handed)).content.decode()

    download = bob_client.get(csv_url)

    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert download["Content-Disposition"] == (
        f'attachment; filename="dunning-run-{handed.pk}-agency.csv"'
    )
    assert "Dirk Dijkstra" in download.content.decode()


def test_it_shows_the_run_in_dutch(client, bob, run):
    client.force_login(bob)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    item_of(run, DebtorFactory(), state=ItemState.SKIPPED, reason="held")

    html = client.get(run_url(run)).content.decode()

    assert "Herinneringsrun: First reminder" in html
    assert "Overgeslagen" in html
    assert "Facturen overgeslagen bij het maken van de run" in html
    with translation.override("nl"):
        assert f"{SKIP_REASONS['held']}: 2" in html


@pytest.mark.parametrize(
    "name", ["dunning_run", "dunning_run_progress", "dunning_run_letters", "dunning_run_agency_csv"]
)
def test_it_keeps_run_pages_for_employees(client, django_user_model, run, name):
    url = reverse(f"backoffice:{name}", args=[run.pk])
    assert client.get(url).status_code == 302

    client.force_login(django_user_model.objects.create_user(username="eve", password="x"))
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))


@pytest.mark.parametrize("pk", MISSING_PKS[:2])
def test_it_answers_404_for_an_unknown_run(bob_client, pk):
    assert bob_client.get(reverse("backoffice:dunning_run", args=[pk])).status_code == 404
    assert bob_client.get(reverse("backoffice:dunning_run_progress", args=[pk])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_updates_the_progress_in_the_browser_until_the_run_is_finished(page, django_user_model):
    django_user_model.objects.create_user(username="bob", password=PASSWORD, is_staff=True)
    run = DunningRunFactory(group=ActionGroupFactory(name="Herinnering 1"), debtor_count=2)
    item_of(run, DebtorFactory(), state=ItemState.SENT)
    pending = item_of(run, DebtorFactory())
    page.goto(f"{page.base}/backoffice/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{page.base}{run_url(run)}")
    expect(page.locator("#run-progress")).to_contain_text("1 van 2 debiteuren verwerkt.")
    assert not axe_violations_in_main(page)

    pending.state, pending.processed_at = ItemState.SENT, timezone.now()
    pending.save()

    expect(page.locator("#run-progress")).to_contain_text("De run is klaar.", timeout=6_000)
    expect(page.locator("#run-progress")).to_contain_text("2 van 2 debiteuren verwerkt.")
    expect(page.locator("#run-progress")).not_to_have_attribute("hx-trigger", re.compile("."))
