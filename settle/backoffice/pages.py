"""Pages that more than one view renders: a debtor's page, a task's page and the decision forms
of an arrangement proposal. A view that posts a form renders the page the form was on again,
with the form as posted and its errors, so these live here rather than in one view module."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from settle.arrangements import selectors as arrangement_selectors
from settle.arrangements.models import ArrangementState, PaymentArrangement
from settle.backoffice import selectors
from settle.backoffice.forms.arrangements import RejectForm, ScheduleForm
from settle.backoffice.forms.correspondence import SendMessageForm
from settle.backoffice.forms.worklist import TaskAssignForm, TaskCompleteForm
from settle.backoffice.response_values import shown_values
from settle.correspondence.kinds import Kind
from settle.receivables.models import Debtor
from settle.responses.models import ResponseState
from settle.worklist.models import Task, TaskKind, TaskState


def debtor_page(
    request: HttpRequest, debtor: Debtor, *, send_form: SendMessageForm | None = None, status=200
) -> HttpResponse:
    """The debtor's page; with `send_form`, the send form as it was posted, with its errors."""
    return render(
        request,
        "backoffice/debtor_detail.html",
        {
            "debtor": debtor,
            "invoices": selectors.debtor_invoices(debtor=debtor),
            "payments": selectors.debtor_payments(debtor=debtor),
            "portal_links": selectors.debtor_portal_links(debtor=debtor),
            "timeline": selectors.debtor_timeline(debtor=debtor),
            "send_form": send_form or SendMessageForm(),
            # The quick "send portal link" buttons have a form of their own, and a key of
            # their own, so that pressing one does not spend the key of the other form.
            "quick_form": SendMessageForm(),
            "portal_invitation": Kind.PORTAL_INVITATION,
        },
        status=status,
    )


def task_page(
    request: HttpRequest,
    pk: int,
    *,
    assign_form: TaskAssignForm | None = None,
    complete_form: TaskCompleteForm | None = None,
    status: int = 200,
    extra: dict | None = None,
) -> HttpResponse:
    """The task's page; with a form, that form as it was posted, with its errors. `extra` adds
    to the context, e.g. an arrangement's decision forms as they were posted from this page."""
    try:
        task = selectors.task_detail(pk=pk)
    except Task.DoesNotExist as exc:
        raise Http404 from exc
    response = task.response
    extra = extra or {}
    return render(
        request,
        "backoffice/task_detail.html",
        {
            "task": task,
            "is_open": task.state == TaskState.OPEN,
            "is_mine": task.assignee_id == request.user.pk,
            "response": response,
            "response_open": response is not None and response.state == ResponseState.OPEN,
            "values": shown_values(response) if response is not None else [],
            "assign_form": assign_form or TaskAssignForm(initial={"assignee": task.assignee_id}),
            "complete_form": (complete_form or TaskCompleteForm()).about(response),
            # Prepared here, not in a template tag: a template does not query.
            "arrangement_panel": arrangement_panel(
                task,
                schedule_form=extra.get("schedule_form"),
                reject_form=extra.get("reject_form"),
            ),
        }
        | extra,
        status=status,
    )


def review_forms(
    arrangement: PaymentArrangement,
    *,
    schedule_form: ScheduleForm | None = None,
    reject_form: RejectForm | None = None,
    task_id: int | None,
) -> dict:
    """The accept form (filled with the proposal) and the reject form of a proposal."""
    schedule = [
        (row.due_date, row.amount)
        for row in arrangement_selectors.arrangement_schedule(arrangement)
    ]
    return {
        "arrangement": arrangement,
        "schedule_form": schedule_form or ScheduleForm(schedule=schedule, task_id=task_id),
        "reject_form": reject_form or RejectForm(initial={"task": task_id}),
    }


def arrangement_panel(
    task: Task,
    *,
    schedule_form: ScheduleForm | None = None,
    reject_form: RejectForm | None = None,
) -> dict | None:
    """The payment arrangement of a task's response for the task's page, with the accept and
    reject forms while its proposal waits for review on this task; None without one."""
    if task.response_id is None:
        return None
    arrangement = arrangement_selectors.arrangement_for_response(response_id=task.response_id)
    if arrangement is None:
        return None
    panel = {"arrangement": arrangement, "reviewing": False}
    if (
        task.kind == TaskKind.ARRANGEMENT_REVIEW
        and arrangement.state == ArrangementState.UNDER_REVIEW
    ):
        # The decision forms as they were posted from this page, with their errors, if so.
        panel |= review_forms(
            arrangement, task_id=task.pk, schedule_form=schedule_form, reject_form=reject_form
        )
        panel["reviewing"] = True
    return panel
