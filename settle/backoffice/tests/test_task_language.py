"""A task reads in the language of the employee who reads it, whatever language the workflow
that created it ran in (issue 10, point 11)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import ResponseType
from settle.responses.services import response_submit
from settle.worklist.models import Task, TaskKind
from settle.worklist.services import task_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam")))


def submit(debtor, code: str, invoices, values: dict):
    return response_submit(
        debtor=debtor,
        response_type=ResponseType.objects.get(code=code),
        invoices=invoices,
        values=values,
        submission_key=f"{code}-{invoices[0].number}",
    )


def pages(client, task: Task, language: str) -> dict[str, str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    urls = {
        "list": reverse("backoffice:task_list") + "?scope=all",
        "task": reverse("backoffice:task_detail", args=[task.pk]),
        "debtor": reverse("backoffice:debtor_detail", args=[task.debtor.pk]),
    }
    return {name: client.get(url).content.decode() for name, url in urls.items()}


def test_a_workflows_task_reads_in_english_for_an_english_employee(bob_client, alice):
    submit(
        alice,
        "already_paid",
        [InvoiceFactory(debtor=alice)],
        {"payment_date": "2026-02-27", "amount": "1234.5"},
    )
    task = Task.objects.get()

    shown = pages(bob_client, task, "en")

    assert "Already paid" in shown["list"] and "Is betaald" not in shown["list"]
    assert "<h1>Already paid" in shown["task"]
    assert "Payment date: 27/02/2026" in shown["task"]
    assert "Amount paid: €1,234.50" in shown["task"].replace("\xa0", "")
    assert "Betaaldatum" not in shown["task"]
    assert "Task: Already paid" in shown["debtor"]


def test_the_same_task_reads_in_dutch_for_a_dutch_employee(bob_client, alice):
    submit(
        alice,
        "already_paid",
        [InvoiceFactory(debtor=alice)],
        {"payment_date": "2026-02-27", "amount": "1234.5"},
    )
    task = Task.objects.get()

    shown = pages(bob_client, task, "nl")

    assert "<h1>Is betaald" in shown["task"]
    assert "Betaaldatum: 27-2-2026" in shown["task"]
    assert "Betaald bedrag: € 1.234,50" in shown["task"].replace("\xa0", " ")
    assert "Taak: Is betaald" in shown["debtor"]


def test_a_copy_request_task_says_what_to_do_in_the_readers_language(bob_client, alice):
    submit(
        alice,
        "copy_request",
        [InvoiceFactory(debtor=alice, number="F-77")],
        {"email": "admin@alice.test"},
    )
    task = Task.objects.get(kind=TaskKind.COPY_REQUEST)

    english = pages(bob_client, task, "en")["task"]
    dutch = pages(bob_client, task, "nl")["task"]

    assert "<h1>Send invoice copy" in english
    assert "Send a copy of these invoices to admin@alice.test:\n- F-77" in english
    assert "Send a copy" not in dutch and "- F-77" in dutch


def test_a_task_from_before_shows_the_text_it_stored(bob_client, alice):
    task = task_create(
        kind=TaskKind.COMPLAINT,
        title="Klacht over levering",
        description="Oude tekst",
        debtor=alice,
        due_date=datetime(2026, 3, 5).date(),
    )

    shown = pages(bob_client, task, "en")

    assert "<h1>Klacht over levering" in shown["task"] and "Oude tekst" in shown["task"]
