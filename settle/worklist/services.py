"""The worklist: tasks that workflows hand to people, and what people do with them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from settle.common.errors import ApplicationError, FieldError
from settle.common.hooks import hooks
from settle.receivables.models import Debtor, Invoice
from settle.worklist.models import Task, TaskState

OUTCOME_LENGTH = 5000


def task_create(
    *,
    kind: str,
    debtor: Debtor,
    due_date: date,
    params: dict | None = None,
    title: str = "",
    invoices: Sequence[Invoice] = (),
    response: Model | None = None,
    description: str = "",
) -> Task:
    """Put a task on the worklist, unassigned, in the caller's transaction.

    `params` says what the task is (see texts.py), so that each reader gets its text in their
    own language; `title` and `description` are only for a caller without them. `response` is
    a responses.Response, typed as any model: the worklist sits below the responses app.
    """
    params = params or {}
    if params:
        title, description = _texts(kind, params)
    task = Task.objects.create(
        kind=kind,
        params=params,
        title=title[: Task._meta.get_field("title").max_length],
        description=description,
        debtor=debtor,
        due_date=due_date,
        response=response,
    )
    if invoices:
        task.invoices.set(invoices)
    return task


@dataclass(frozen=True)
class TaskDraft:
    """One task of a batch: whose it is, why, and which invoices it is about."""

    debtor_id: int
    response_id: int | None
    params: dict
    invoice_ids: Sequence[int] = ()


def _texts(kind: str, params: dict) -> tuple[str, str]:
    """The title and description in the organisation's language, stored beside `params` for
    whatever reads the table without them."""
    with override(settings.LANGUAGE_CODE):
        task = Task(kind=kind, params=params)
        return task.title_text, task.description_text


def tasks_create(*, kind: str, due_date: date, drafts: Sequence[TaskDraft]) -> list[Task]:
    """Many tasks of one kind at once, as `task_create` makes them one by one, in two statements
    for the whole batch (a worker sweep can hand out thousands of tasks at a time)."""
    limit = Task._meta.get_field("title").max_length
    texts = [_texts(kind, draft.params) for draft in drafts]
    tasks = Task.objects.bulk_create(
        Task(
            kind=kind,
            params=draft.params,
            title=title[:limit],
            description=description,
            debtor_id=draft.debtor_id,
            due_date=due_date,
            response_id=draft.response_id,
        )
        for draft, (title, description) in zip(drafts, texts, strict=True)
    )
    links = Task.invoices.through
    links.objects.bulk_create(
        links(task_id=task.pk, invoice_id=invoice_id)
        for task, draft in zip(tasks, drafts, strict=True)
        for invoice_id in draft.invoice_ids
    )
    return tasks


def task_assign(*, task: Task, assignee: AbstractBaseUser | None) -> Task:
    """Give an open task to an employee (taking it is assigning it to oneself), or to nobody."""
    if assignee is not None and not (assignee.is_active and assignee.is_staff):
        raise ApplicationError(
            _("Tasks can only be assigned to employees."),
            errors=[FieldError("assignee", _("Choose an active employee."))],
        )
    updated = Task.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
        assignee=assignee, updated_at=timezone.now()
    )
    if not updated:
        raise ApplicationError(_("This task is already done."))
    task.refresh_from_db()
    return task


def task_complete(
    *,
    task: Task,
    closed_by: AbstractBaseUser | None,
    outcome: str,
    close_response: bool = True,
    by_hand: bool = False,
) -> Task:
    """Mark a task done with its outcome, once, and tell the apps above (the functions in
    settings.SETTLE_ON_TASK_COMPLETED, in this transaction): with `close_response` the response
    that caused it closes too (unless another open task still needs it), which lifts its
    dunning exclusion.

    Done `by_hand` (an employee's "complete", not a workflow's decision), a task that a function
    in settings.SETTLE_TASK_HOLDS holds is refused with its reason: a review of an arrangement
    proposal ends by accepting or rejecting it while the proposal waits.
    """
    outcome = outcome.strip()
    if len(outcome) > OUTCOME_LENGTH:
        raise ApplicationError(
            _("The outcome is too long."),
            errors=[
                FieldError(
                    "outcome", _("Use at most %(limit)d characters.") % {"limit": OUTCOME_LENGTH}
                )
            ],
        )
    with transaction.atomic():
        if by_hand:
            for hold in hooks("SETTLE_TASK_HOLDS"):
                if reason := hold(task=task):
                    raise ApplicationError(reason)
        updated = Task.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
            state=TaskState.DONE,
            outcome=outcome,
            closed_by=closed_by,
            closed_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if not updated:
            raise ApplicationError(_("This task is already done."))
        task.refresh_from_db()
        for completed in hooks("SETTLE_ON_TASK_COMPLETED"):
            completed(
                task=task,
                closed_by=closed_by,
                outcome=outcome,
                close_response=close_response,
                by_hand=by_hand,
            )
    return task


def tasks_close_for_response(*, response: Model, outcome: str) -> int:
    """Close the open tasks of a response that settled itself (e.g. the payment arrived); the
    caller closes the response. Returns how many tasks were closed."""
    return tasks_close_for_responses(response_ids=[response.pk], outcome=outcome)


def tasks_close_for_responses(*, response_ids: Sequence[int], outcome: str) -> int:
    """`tasks_close_for_response` for many responses in one statement."""
    now = timezone.now()
    return Task.objects.filter(response_id__in=response_ids, state=TaskState.OPEN).update(
        state=TaskState.DONE, outcome=outcome, closed_at=now, updated_at=now
    )
