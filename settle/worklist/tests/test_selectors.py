"""tasks_for_worklist, task_detail and task_figures."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from settle.backoffice.selectors import task_detail
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.tests.factories import ResponseFactory
from settle.worklist.models import Task, TaskKind
from settle.worklist.selectors import task_figures, tasks_for_worklist
from settle.worklist.services import task_assign, task_complete, task_create

pytestmark = pytest.mark.django_db


def new_task(debtor, *, days: int, kind=TaskKind.COMPLAINT, assignee=None, **kwargs) -> Task:
    task = task_create(
        kind=kind,
        title=kwargs.pop("title", f"Taak over {days} dagen"),
        debtor=debtor,
        due_date=timezone.localdate() + timedelta(days=days),
        **kwargs,
    )
    if assignee is not None:
        task = task_assign(task=task, assignee=assignee)
    return task


def listed(user, **filters) -> list[int]:
    filters.setdefault("scope", "all")
    return [task.pk for task in tasks_for_worklist(user=user, **filters)]


@pytest.fixture
def tasks(alice, carol, bob, dave):
    """Tasks of every sort: bob's, dave's, nobody's, overdue, due today, later, and done."""
    return {
        "bob_late": new_task(alice, days=-3, assignee=bob),
        "nobody_today": new_task(carol, days=0, kind=TaskKind.ALREADY_PAID),
        "dave_later": new_task(alice, days=4, assignee=dave, kind=TaskKind.ALREADY_PAID),
        "nobody_late": new_task(alice, days=-1),
        "bob_later": new_task(carol, days=10, assignee=bob, kind=TaskKind.PROMISE_BROKEN),
        "bob_done": task_complete(
            task=new_task(alice, days=-5, assignee=bob), closed_by=bob, outcome="Klaar"
        ),
    }


def test_it_lists_open_tasks_by_due_date(bob, tasks):
    assert listed(bob) == [
        tasks[name].pk
        for name in ("bob_late", "nobody_late", "nobody_today", "dave_later", "bob_later")
    ]


def test_it_lists_the_tasks_due_on_one_day_oldest_first(bob, alice):
    first = new_task(alice, days=1, title="Eerste")
    second = new_task(alice, days=1, title="Tweede")

    assert listed(bob) == [first.pk, second.pk]


def test_it_lists_mine_or_the_unassigned_ones(bob, dave, tasks):
    assert listed(bob, scope="mine") == [tasks["bob_late"].pk, tasks["bob_later"].pk]
    assert listed(dave, scope="mine") == [tasks["dave_later"].pk]
    assert listed(bob, scope="unassigned") == [tasks["nobody_late"].pk, tasks["nobody_today"].pk]


def test_it_filters_by_kind_and_overdue(bob, tasks):
    assert listed(bob, kind=TaskKind.ALREADY_PAID) == [
        tasks["nobody_today"].pk,
        tasks["dave_later"].pk,
    ]
    # Due today is not overdue yet, and a task that is done is never overdue.
    assert listed(bob, overdue=True) == [tasks["bob_late"].pk, tasks["nobody_late"].pk]
    assert listed(bob, overdue=True, state="") == [tasks["bob_late"].pk, tasks["nobody_late"].pk]
    assert listed(bob, scope="mine", overdue=True) == [tasks["bob_late"].pk]
    assert listed(bob, kind=TaskKind.PROMISE_BROKEN, overdue=True) == []


def test_it_lists_done_tasks_or_all_when_asked(bob, tasks):
    assert listed(bob, state="done") == [tasks["bob_done"].pk]
    assert listed(bob, scope="mine", state="") == [
        tasks["bob_done"].pk,
        tasks["bob_late"].pk,
        tasks["bob_later"].pk,
    ]


def test_it_needs_the_same_queries_for_many_tasks_as_for_one(bob, alice):
    def fetch() -> int:
        with CaptureQueriesContext(connection) as queries:
            shown = [
                (
                    [invoice.number for invoice in task.invoices.all()],
                    task.debtor.name,
                    task.assignee,
                    task.response.response_type.name if task.response else None,
                )
                for task in tasks_for_worklist(user=bob, scope="all")
            ]
        assert len(shown) == Task.objects.count()
        return len(queries)

    def add_task() -> None:
        debtor = DebtorFactory()
        invoices = InvoiceFactory.create_batch(2, debtor=debtor)
        response = ResponseFactory(debtor=debtor, invoices=invoices)
        new_task(debtor, days=1, invoices=invoices, response=response, assignee=bob)

    add_task()
    one = fetch()
    for _ in range(20):
        add_task()
    new_task(alice, days=2)

    assert fetch() == one == 2


def test_it_reads_one_task_with_everything_its_page_shows(bob, alice):
    invoice = InvoiceFactory(debtor=alice, number="F-1")
    response = ResponseFactory(debtor=alice, invoices=[invoice], values={"text": "Te duur"})
    task = new_task(alice, days=1, invoices=[invoice], response=response, assignee=bob)

    with CaptureQueriesContext(connection) as queries:
        found = task_detail(pk=task.pk)
        assert [i.number for i in found.invoices.all()] == ["F-1"]
        assert found.invoices.all()[0].excluded_from_dunning is True
        assert "text" in {field.key for field in found.response.response_type.fields.all()}
        assert (found.debtor, found.assignee, found.closed_by) == (alice, bob, None)
    assert len(queries) == 3

    with pytest.raises(Task.DoesNotExist):
        task_detail(pk=task.pk + 1000)


def test_it_counts_open_overdue_and_my_tasks(bob, dave, tasks):
    figures = task_figures(user=bob)

    assert (figures.open, figures.overdue, figures.mine) == (5, 2, 2)
    assert task_figures(user=dave).mine == 1
