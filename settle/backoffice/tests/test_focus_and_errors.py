"""Keyboard and screen-reader details of the back office: a task completed without an outcome
comes back with a focused error summary linking to the field; the template preview's scrolling
text can be reached by keyboard and has a name; invoice numbers never break."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from settle.backoffice.tests.support import HTMX, action_url, complaint_task, template, texts, url
from settle.worklist.models import Task, TaskState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_it_starts_a_task_completed_without_an_outcome_at_a_focused_error_summary(
    bob_client, alice
):
    task, _response, _invoice = complaint_task(alice)

    page = bob_client.post(action_url(task, "complete"), {"outcome": "  "})

    assert page.status_code == 400
    content = page.content.decode()
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', content, re.S)
    assert summary, "no error summary"
    opening = summary.group(0).split(">", 1)[0]
    assert 'role="alert"' in opening and "autofocus" in opening and 'tabindex="-1"' in opening
    assert "There is a problem" in summary.group(1)
    assert '<a href="#id_outcome">Outcome: This field is required.</a>' in summary.group(1)
    # Before everything else on the page that can take focus.
    assert content.index('class="error-summary"') < content.index(
        'action="' + action_url(task, "take")
    )
    assert Task.objects.get().state == TaskState.OPEN


def test_it_shows_no_error_summary_on_a_task_without_errors(bob_client, alice):
    task, _response, _invoice = complaint_task(alice)

    page = bob_client.get(reverse("backoffice:task_detail", args=[task.pk]))

    assert "error-summary" not in page.content.decode()


def test_it_lets_keyboard_users_reach_and_name_the_scrolling_preview_text(dave_client):
    email = template()

    html = dave_client.post(url("template_preview", email), texts(email), **HTMX).content.decode()

    preview = re.search(r'<pre class="message-text"[^>]*>', html)
    assert preview, html
    assert 'tabindex="0"' in preview.group(0) and 'role="region"' in preview.group(0)
    labelled_by = re.search(r'aria-labelledby="([^"]+)"', preview.group(0)).group(1)
    assert re.search(rf'<h3 id="{labelled_by}">Text</h3>', html)


def test_it_keeps_invoice_numbers_whole_in_the_worklist(bob_client, alice):
    task, _response, invoice = complaint_task(alice)
    Task.objects.filter(pk=task.pk).update(assignee=None)

    html = bob_client.get(reverse("backoffice:task_list"), {"scope": "all"}).content.decode()

    assert re.search(
        rf'<a class="invoice-number" href="[^"]+">{re.escape(invoice.number)}</a>', html
    )
