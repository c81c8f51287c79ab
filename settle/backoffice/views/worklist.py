"""The worklist: the tasks that workflows hand to employees; taking, assigning, completing them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.worklist import TaskAssignForm, TaskCompleteForm, WorklistFilterForm
from settle.backoffice.pages import task_page
from settle.backoffice.selectors import person_name
from settle.common.errors import ApplicationError
from settle.responses.models import ResponseState
from settle.worklist import selectors
from settle.worklist.models import Task, TaskState
from settle.worklist.services import task_assign, task_complete

PAGE_SIZE = 50


@require_GET
@staff_required
def task_list(request: HttpRequest) -> HttpResponse:
    # An employee opens the worklist to do their own work first; with none left, the pool of
    # unassigned tasks is where the next one comes from.
    default_scope = (
        selectors.MINE if selectors.user_has_open_tasks(user=request.user) else selectors.UNASSIGNED
    )
    form = WorklistFilterForm(request.GET, default_scope=default_scope)
    filters = form.filters()
    page = Paginator(
        selectors.tasks_for_worklist(user=request.user, **filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/task_list.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "filtered": bool(
                filters["kind"]
                or filters["overdue"]
                or filters["state"] != TaskState.OPEN
                or filters["scope"] != default_scope
            ),
        },
    )


@require_GET
@staff_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return task_page(request, pk)


@require_POST
@staff_required
def task_take(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    try:
        task_assign(task=task, assignee=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The task is yours."))
    return redirect("backoffice:task_detail", pk=task.pk)


@require_POST
@staff_required
def task_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    if task.state != TaskState.OPEN:
        messages.error(request, _("This task is already done."))
        return redirect("backoffice:task_detail", pk=task.pk)
    form = TaskAssignForm(request.POST)
    if not form.is_valid():
        return task_page(request, pk, assign_form=form, status=400)
    assignee = form.cleaned_data["assignee"]
    try:
        task_assign(task=task, assignee=assignee)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The task is assigned to %(name)s.") % {"name": person_name(assignee)}
            if assignee is not None
            else _("The task is no longer assigned to anyone."),
        )
    return redirect("backoffice:task_detail", pk=task.pk)


@require_POST
@staff_required
def task_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    form = TaskCompleteForm(request.POST)
    if task.state != TaskState.OPEN:
        # Done by someone else meanwhile: said, with the outcome as typed, whatever its errors.
        form.is_valid()
        form.add_error(None, _("This task is already done."))
        return task_page(request, pk, complete_form=form, status=409)
    if not form.is_valid():
        return task_page(request, pk, complete_form=form, status=400)
    close_response = form.cleaned_data["close_response"]
    try:
        task = task_complete(
            task=task,
            closed_by=request.user,
            outcome=form.cleaned_data["outcome"],
            close_response=close_response,
            by_hand=True,
        )
    except ApplicationError as exc:
        # Shown with the form as it was sent: the outcome typed is not lost.
        form.add_error(None, exc.message)
        return task_page(request, pk, complete_form=form, status=409)
    response = task.response
    if response is None or not close_response:
        messages.success(request, _("The task is done."))
    elif response.state == ResponseState.CLOSED:
        messages.success(request, _("The task is done and its response is closed."))
    else:
        messages.warning(
            request,
            _("The task is done. Its response stays open: another task for it is still open."),
        )
    return redirect("backoffice:task_detail", pk=task.pk)
