"""Payment arrangements: the list, one arrangement's schedule and progress, and an employee's
decision on a proposal that fell outside the policy."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from settle.arrangements import selectors
from settle.arrangements.instalments import arrangement_end
from settle.arrangements.models import ArrangementState, PaymentArrangement
from settle.arrangements.policy import failure_texts
from settle.arrangements.selectors import arrangement_decided
from settle.arrangements.services import arrangement_accept, arrangement_reject
from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.arrangements import (
    ArrangementFilterForm,
    EndForm,
    RejectForm,
    ScheduleForm,
)
from settle.backoffice.forms.base import service_errors_show
from settle.backoffice.pages import review_forms, task_page
from settle.common.errors import ApplicationError
from settle.worklist.models import Task, TaskKind, TaskState

PAGE_SIZE = 50


@require_GET
@staff_required
def arrangement_list(request: HttpRequest) -> HttpResponse:
    form = ArrangementFilterForm(request.GET)
    state = form.state_filter()
    page = Paginator(selectors.arrangements_for_list(state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "backoffice/arrangement_list.html", {"form": form, "page": page, "state": state}
    )


@require_GET
@staff_required
def arrangement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return arrangement_page(request, pk)


def arrangement_page(
    request: HttpRequest,
    pk: int,
    *,
    schedule_form: ScheduleForm | None = None,
    reject_form: RejectForm | None = None,
    end_form: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The arrangement's page; with a form, that form as it was posted, with its errors."""
    try:
        arrangement = selectors.arrangement_detail(pk=pk)
    except PaymentArrangement.DoesNotExist as exc:
        raise Http404 from exc
    review_task = (
        Task.objects.filter(
            response=arrangement.response_id,
            kind=TaskKind.ARRANGEMENT_REVIEW,
            state=TaskState.OPEN,
        ).first()
        if arrangement.state == ArrangementState.UNDER_REVIEW
        else None
    )
    context = {
        "arrangement": arrangement,
        "response": arrangement.response,
        "schedule": selectors.arrangement_schedule(arrangement),
        "progress": selectors.arrangement_progress(arrangement),
        "failures": failure_texts(arrangement.policy_failures),
        "review_task": review_task,
        "tasks": arrangement.response.tasks.order_by("-created_at"),
    }
    if arrangement.state == ArrangementState.ACCEPTED:
        context["end_form"] = end_form or EndForm()
    if arrangement.state == ArrangementState.UNDER_REVIEW:
        context |= review_forms(
            arrangement, schedule_form=schedule_form, reject_form=reject_form, task_id=None
        )
    return render(request, "backoffice/arrangement_detail.html", context, status=status)


def _task_of(arrangement: PaymentArrangement, task: object) -> int | None:
    """The task the decision was made from, if `task` (as posted) names one of this
    arrangement's."""
    task = task if isinstance(task, str) else ""
    # isascii(): str.isdigit() also says yes to "²", which int() refuses.
    task_id = int(task) if task.isascii() and task.isdigit() and len(task) < 19 else None
    if task_id and Task.objects.filter(pk=task_id, response=arrangement.response_id).exists():
        return task_id
    return None


def _done(arrangement: PaymentArrangement, task: str | None):
    """Back to the task (of this arrangement) the decision was made from, or else to the
    arrangement."""
    if task_id := _task_of(arrangement, task):
        return redirect("backoffice:task_detail", pk=task_id)
    return redirect(arrangement)


def _again(request: HttpRequest, arrangement: PaymentArrangement, status: int, **forms):
    """The page the decision was made from (the task's or the arrangement's) with the forms as
    they were posted, so what was typed and the errors stay where the employee works."""
    form = next(iter(forms.values()))
    if task_id := _task_of(arrangement, form.data.get("task")):
        return task_page(request, task_id, status=status, extra=forms)
    return arrangement_page(request, arrangement.pk, status=status, **forms)


def _refused(request: HttpRequest, arrangement: PaymentArrangement, error: ApplicationError):
    """A decision that no longer applies (decided meanwhile, response closed): the arrangement's
    page says why, as it now stands."""
    messages.error(request, error.message)
    return redirect(arrangement)


@require_POST
@staff_required
def arrangement_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = get_object_or_404(PaymentArrangement, pk=pk)
    # Decided meanwhile: that is what to tell, not what is wrong with the form's input.
    if refusal := arrangement_decided(arrangement):
        return _refused(request, arrangement, ApplicationError(refusal))
    if "more" in request.POST:
        return _again(
            request, arrangement, 200, schedule_form=ScheduleForm.with_more_rows(request.POST)
        )
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _again(request, arrangement, 400, schedule_form=form)
    try:
        arrangement_accept(
            arrangement=arrangement,
            decided_by=request.user,
            instalments=form.cleaned_data["schedule"],
        )
    except ApplicationError as exc:
        if not exc.errors:
            return _refused(request, arrangement, exc)
        form.add_service_errors(exc)
        return _again(request, arrangement, 400, schedule_form=form)
    messages.success(
        request, _("The arrangement has been accepted; the debtor is sent the schedule.")
    )
    return _done(arrangement, form.cleaned_data.get("task"))


@require_POST
@staff_required
def arrangement_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = get_object_or_404(PaymentArrangement, pk=pk)
    if refusal := arrangement_decided(arrangement):
        return _refused(request, arrangement, ApplicationError(refusal))
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _again(request, arrangement, 400, reject_form=form)
    try:
        arrangement_reject(
            arrangement=arrangement, decided_by=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        if not exc.errors:
            return _refused(request, arrangement, exc)
        service_errors_show(form, exc)
        return _again(request, arrangement, 400, reject_form=form)
    messages.success(request, _("The proposal has been rejected; the debtor is told why."))
    return _done(arrangement, form.cleaned_data.get("task"))


@require_POST
@staff_required
def arrangement_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    arrangement = get_object_or_404(PaymentArrangement, pk=pk)
    form = EndForm(request.POST)
    if arrangement.state != ArrangementState.ACCEPTED:
        # Ended, completed or defaulted meanwhile: that is what to tell, not the form's input.
        messages.error(
            request,
            _("Only a running arrangement can be ended; this one is %(state)s.")
            % {"state": arrangement.get_state_display().lower()},
        )
        return redirect(arrangement)
    if not form.is_valid():
        return arrangement_page(request, arrangement.pk, end_form=form, status=400)
    try:
        arrangement_end(
            arrangement=arrangement, ended_by=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        if not exc.errors:
            return _refused(request, arrangement, exc)
        service_errors_show(form, exc)
        return arrangement_page(request, arrangement.pk, end_form=form, status=400)
    messages.success(
        request, _("The arrangement has been ended; the debtor is told why. Dunning resumes.")
    )
    return redirect(arrangement)
