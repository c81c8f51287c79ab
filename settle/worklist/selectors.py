"""Reads of the worklist: the tasks an employee sees and the figures of the overview. Each costs
the same few queries however many tasks there are. (One task with what its page shows, which
marks invoices excluded from dunning by a response, is read above: backoffice.selectors.)"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from settle.receivables.models import Invoice
from settle.worklist.models import Task, TaskState

MINE, UNASSIGNED, ALL = "mine", "unassigned", "all"


def tasks_for_worklist(
    *,
    user: AbstractBaseUser,
    scope: str,
    kind: str = "",
    overdue: bool = False,
    state: str = TaskState.OPEN,
) -> QuerySet[Task]:
    """Tasks by due date (then age): `scope` is "mine" (assigned to `user`), "unassigned" or
    "all"; `kind` one TaskKind or all; `overdue` only open tasks due before today; `state` one
    TaskState, or "" for both. A scope or state it does not know shows everything of that
    dimension rather than failing."""
    tasks = Task.objects.select_related(
        "debtor", "assignee", "response__response_type"
    ).prefetch_related(Prefetch("invoices", queryset=Invoice.objects.order_by("number")))
    if scope == MINE:
        tasks = tasks.filter(assignee=user)
    elif scope == UNASSIGNED:
        tasks = tasks.filter(assignee__isnull=True)
    if kind:
        tasks = tasks.filter(kind=kind)
    if state in TaskState.values:
        tasks = tasks.filter(state=state)
    if overdue:
        tasks = tasks.filter(state=TaskState.OPEN, due_date__lt=timezone.localdate())
    return tasks.order_by("due_date", "pk")


def user_has_open_tasks(*, user: AbstractBaseUser) -> bool:
    return Task.objects.open().filter(assignee=user).exists()


@dataclass(frozen=True)
class TaskFigures:
    open: int
    overdue: int
    mine: int


def task_figures(*, user: AbstractBaseUser) -> TaskFigures:
    """The open tasks, how many of them are overdue and how many are `user`'s, in one query."""
    figures = Task.objects.open().aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=timezone.localdate())),
        mine=Count("pk", filter=Q(assignee=user)),
    )
    return TaskFigures(**figures)
