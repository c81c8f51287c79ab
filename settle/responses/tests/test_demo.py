"""The demo's debtors have answered in the portal: `make run` opens on a worklist with work in
it, a promise waiting for its check and arrangements running and under review."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from settle.arrangements.models import ArrangementState, PaymentArrangement
from settle.receivables.demo import MARKER_NUMBER
from settle.receivables.demo_users import STAFF_USERNAME
from settle.receivables.models import Debtor
from settle.responses.models import PaymentPromise, PromiseState, Response, ResponseState
from settle.worklist.models import Task, TaskKind, TaskState

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", stdout=StringIO())


def test_it_gives_the_worklist_a_task_of_each_kind_a_person_handles(demo):
    kinds = set(Task.objects.filter(state=TaskState.OPEN).values_list("kind", flat=True))

    assert kinds == {
        TaskKind.COMPLAINT,
        TaskKind.ALREADY_PAID,
        TaskKind.NOT_APPROVED,
        TaskKind.UNKNOWN_INVOICE,
        TaskKind.ARRANGEMENT_REVIEW,
    }
    assert Response.objects.count() == 7
    assert set(Response.objects.values_list("state", flat=True)) == {ResponseState.OPEN}
    approval = Task.objects.get(kind=TaskKind.NOT_APPROVED)
    assert approval.due_date == timezone.localdate() + timedelta(days=10)


def test_it_leaves_a_promise_to_be_checked_after_its_grace_days(demo):
    promise = PaymentPromise.objects.get()

    assert promise.state == PromiseState.PENDING
    assert promise.promised_date == timezone.localdate() + timedelta(days=3)
    assert timezone.localtime(promise.due_at).date() == timezone.localdate() + timedelta(days=5)


def test_it_runs_one_arrangement_and_leaves_one_for_review(demo):
    assert PaymentArrangement.objects.count() == 2
    states = {arrangement.state: arrangement for arrangement in PaymentArrangement.objects.all()}

    assert set(states) == {ArrangementState.ACCEPTED, ArrangementState.UNDER_REVIEW}
    assert states[ArrangementState.ACCEPTED].instalments.count() == 3
    assert states[ArrangementState.UNDER_REVIEW].instalments.count() == 0


def test_it_leaves_the_debtor_of_the_printed_link_without_answers(demo):
    assert not Debtor.objects.get(number=MARKER_NUMBER).responses.exists()


def test_it_shows_the_tasks_on_the_employees_worklist(demo, client):
    client.force_login(get_user_model().objects.get(username=STAFF_USERNAME))

    page = client.get(reverse("backoffice:task_list"), {"scope": "all"}).content.decode()

    for task in Task.objects.all():
        assert task.title in page


def test_it_adds_nothing_the_second_time(demo):
    call_command("demo", stdout=StringIO())

    assert Response.objects.count() == 7
