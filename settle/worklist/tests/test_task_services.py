"""task_create, task_assign, task_complete and tasks_close_for_response. Refusals are matched in
the source language, English."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from settle.common.errors import ApplicationError
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.closing import response_close
from settle.responses.models import ResponseState
from settle.responses.selectors import invoices_excluded_from_dunning
from settle.responses.tests.factories import ResponseFactory
from settle.worklist.models import Task, TaskKind, TaskState
from settle.worklist.services import (
    OUTCOME_LENGTH,
    task_assign,
    task_complete,
    task_create,
    tasks_close_for_response,
)

pytestmark = pytest.mark.django_db


def new_task(debtor, *, response=None, invoices=(), kind=TaskKind.COMPLAINT, **kwargs) -> Task:
    return task_create(
        kind=kind,
        title=kwargs.pop("title", "Klacht behandelen"),
        debtor=debtor,
        due_date=kwargs.pop("due_date", timezone.localdate() + timedelta(days=3)),
        invoices=invoices,
        response=response,
        **kwargs,
    )


def complaint(debtor):
    """An open complaint on one invoice of `debtor`, which excludes it from dunning."""
    invoice = InvoiceFactory(debtor=debtor)
    return ResponseFactory(debtor=debtor, invoices=[invoice]), invoice


def excluded(invoice) -> bool:
    return invoices_excluded_from_dunning().filter(pk=invoice.pk).exists()


# --- task_create ----------------------------------------------------------------------------


def test_it_creates_an_open_unassigned_task_with_its_invoices_and_response(alice):
    response, invoice = complaint(alice)
    due = timezone.localdate() + timedelta(days=5)

    task = new_task(
        alice, response=response, invoices=[invoice], due_date=due, description="Te hoog bedrag"
    )

    task.refresh_from_db()
    assert (task.kind, task.title, task.description) == (
        TaskKind.COMPLAINT,
        "Klacht behandelen",
        "Te hoog bedrag",
    )
    assert (task.debtor, task.response, task.due_date) == (alice, response, due)
    assert list(task.invoices.all()) == [invoice]
    assert task.state == TaskState.OPEN
    assert task.assignee is None and task.closed_at is None and task.outcome == ""


def test_it_shortens_a_title_that_does_not_fit(alice):
    task = new_task(alice, title="x" * 250)

    task.refresh_from_db()
    assert task.title == "x" * 200


# --- task_assign ----------------------------------------------------------------------------


def test_it_assigns_a_task_to_an_employee_and_back_to_nobody(alice, bob, dave):
    task = new_task(alice)

    assert task_assign(task=task, assignee=bob).assignee == bob
    assert task_assign(task=task, assignee=dave).assignee == dave
    assert task_assign(task=task, assignee=None).assignee is None
    assert Task.objects.get().assignee is None


def test_it_refuses_to_assign_a_task_to_someone_who_is_not_an_employee(
    alice, bob, django_user_model
):
    task = new_task(alice)
    task_assign(task=task, assignee=bob)
    outsider = django_user_model.objects.create_user(username="olivia", is_staff=False)
    former = django_user_model.objects.create_user(username="frank", is_staff=True, is_active=False)

    for person in (outsider, former):
        with translation.override("en"), pytest.raises(ApplicationError) as refused:
            task_assign(task=task, assignee=person)
        assert refused.value.message == "Tasks can only be assigned to employees."
        assert refused.value.errors[0].field == "assignee"

    assert Task.objects.get().assignee == bob


def test_it_refuses_to_assign_a_task_that_is_done(alice, bob, dave):
    task = new_task(alice)
    task_complete(task=task, closed_by=bob, outcome="Afgehandeld")

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        task_assign(task=task, assignee=dave)

    assert refused.value.message == "This task is already done."
    assert Task.objects.get().assignee is None


# --- task_complete --------------------------------------------------------------------------


def test_it_completes_a_task_and_closes_its_response_which_lifts_the_exclusion(alice, bob):
    response, invoice = complaint(alice)
    task = new_task(alice, response=response, invoices=[invoice])
    assert excluded(invoice)

    done = task_complete(task=task, closed_by=bob, outcome="  Creditnota gestuurd \n")

    task = Task.objects.get()
    assert done == task
    assert task.state == TaskState.DONE
    assert task.outcome == "Creditnota gestuurd"
    assert task.closed_by == bob
    assert task.closed_at is not None
    response.refresh_from_db()
    assert response.state == ResponseState.CLOSED
    assert response.closed_by == bob
    assert response.close_note == "Creditnota gestuurd"
    assert not excluded(invoice)


def test_it_leaves_the_response_open_when_not_asked_to_close_it(alice, bob):
    response, invoice = complaint(alice)
    task = new_task(alice, response=response, invoices=[invoice])

    task_complete(task=task, closed_by=bob, outcome="Gebeld", close_response=False)

    assert Task.objects.get().state == TaskState.DONE
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN
    assert excluded(invoice)


def test_it_completes_a_task_on_its_own_without_the_apps_above(alice, bob, settings):
    # The worklist closes nothing of the responses itself: that is the hooks' work.
    settings.SETTLE_ON_TASK_COMPLETED = []
    response, invoice = complaint(alice)
    task = new_task(alice, response=response, invoices=[invoice])

    task_complete(task=task, closed_by=bob, outcome="Gebeld")

    assert Task.objects.get().state == TaskState.DONE
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN


def test_it_refuses_to_complete_by_hand_a_task_a_hook_holds(alice, bob, settings):
    settings.SETTLE_TASK_HOLDS = ["settle.worklist.tests.test_task_services.held"]
    task = new_task(alice)

    with pytest.raises(ApplicationError, match="Still running"):
        task_complete(task=task, closed_by=bob, outcome="Gebeld", by_hand=True)
    task_complete(task=task, closed_by=bob, outcome="Besloten", by_hand=False)

    assert Task.objects.get().outcome == "Besloten"


def held(*, task: Task) -> str:
    """A task hold for the test above: every task is held."""
    return "Still running"


def test_it_leaves_the_response_open_while_another_task_for_it_is_open(alice, bob):
    response, invoice = complaint(alice)
    first = new_task(alice, response=response, invoices=[invoice])
    second = new_task(alice, response=response, invoices=[invoice], kind=TaskKind.COPY_REQUEST)

    task_complete(task=first, closed_by=bob, outcome="Eerste deel")

    response.refresh_from_db()
    assert response.state == ResponseState.OPEN
    assert excluded(invoice)

    task_complete(task=second, closed_by=bob, outcome="Tweede deel")

    response.refresh_from_db()
    assert response.state == ResponseState.CLOSED
    assert not excluded(invoice)


def test_it_completes_a_task_without_a_response_or_whose_response_is_closed(alice, bob):
    response, _invoice = complaint(alice)
    lone = new_task(alice)
    late = new_task(alice, response=response)
    # An employee closed the response from its own page while the task was still open.
    response_close(response=response, closed_by=bob, note="Op de reactiepagina gesloten")

    task_complete(task=late, closed_by=bob, outcome="Daarna")
    task_complete(task=lone, closed_by=None, outcome="")

    assert set(Task.objects.values_list("state", flat=True)) == {TaskState.DONE}
    response.refresh_from_db()
    assert response.close_note == "Op de reactiepagina gesloten"


def test_it_completes_a_task_once(alice, bob, dave):
    response, _invoice = complaint(alice)
    task = new_task(alice, response=response)
    task_complete(task=task, closed_by=bob, outcome="Bob was eerst", close_response=False)
    stale = Task.objects.get(pk=task.pk)

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        task_complete(task=stale, closed_by=dave, outcome="Dave ook")

    assert refused.value.message == "This task is already done."
    task.refresh_from_db()
    assert (task.outcome, task.closed_by) == ("Bob was eerst", bob)
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN


def test_it_refuses_an_outcome_that_is_too_long_and_changes_nothing(alice, bob):
    response, _invoice = complaint(alice)
    task = new_task(alice, response=response)

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        task_complete(task=task, closed_by=bob, outcome="x" * (OUTCOME_LENGTH + 1))

    assert refused.value.errors[0].field == "outcome"
    assert Task.objects.get().state == TaskState.OPEN
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN


# --- tasks_close_for_response ---------------------------------------------------------------


def test_it_closes_the_open_tasks_of_a_response_that_settled_itself(alice, carol, bob):
    response, _invoice = complaint(alice)
    other_response, _other = complaint(carol)
    open_one = new_task(alice, response=response)
    open_two = new_task(alice, response=response, kind=TaskKind.ALREADY_PAID)
    done = new_task(alice, response=response)
    task_complete(task=done, closed_by=bob, outcome="Al gedaan", close_response=False)
    elsewhere = new_task(carol, response=other_response)

    closed = tasks_close_for_response(response=response, outcome="Betaling ontvangen")

    assert closed == 2
    for task in (open_one, open_two):
        task.refresh_from_db()
        assert (task.state, task.outcome) == (TaskState.DONE, "Betaling ontvangen")
        assert task.closed_at is not None and task.closed_by is None
    done.refresh_from_db()
    assert done.outcome == "Al gedaan"
    elsewhere.refresh_from_db()
    assert elsewhere.state == TaskState.OPEN
    # The caller closes the response.
    response.refresh_from_db()
    assert response.state == ResponseState.OPEN
    assert tasks_close_for_response(response=response, outcome="Nogmaals") == 0
