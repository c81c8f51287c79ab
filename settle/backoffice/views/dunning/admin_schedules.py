"""Scheduled runs and the commercial interest rates, for administrators.

A schedule's filter is the overview's query string: the overview offers "save this filter as a
schedule", which opens the add form with ?filter=<query>; the filter is checked as the overview
would read it (settle.dunning.schedules_admin)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from settle.backoffice.decorators import administrator_required
from settle.backoffice.forms.base import service_errors_show
from settle.backoffice.forms.dunning import InterestRateForm, ScheduleForm
from settle.common.errors import ApplicationError
from settle.dunning import rates, schedules_admin
from settle.dunning.models import DunningSchedule

TAB = "dunning"
FILTER_LENGTH = schedules_admin.FILTER_LENGTH


@require_http_methods(["GET"])
@administrator_required
def schedule_list(request: HttpRequest) -> HttpResponse:
    schedules = DunningSchedule.objects.select_related("group").order_by(
        "-active", "run_at", "name"
    )
    return render(
        request,
        "backoffice/dunning/schedule_list.html",
        {"schedules": schedules, "tab": TAB, "dunning_tab": "schedules"},
    )


def _form_page(request, form, *, schedule=None, status=200) -> HttpResponse:
    return render(
        request,
        "backoffice/dunning/schedule_form.html",
        {"form": form, "schedule": schedule, "tab": TAB, "dunning_tab": "schedules"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def schedule_create_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # From the overview's "save this filter as a schedule": its query string, as a start.
        saved = request.GET.get("filter", "")[:FILTER_LENGTH]
        initial = {"filter_query": schedules_admin.filter_query_clean(saved), "active": True}
        return _form_page(request, ScheduleForm(initial=initial))
    form = ScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            schedule = schedules_admin.schedule_create(
                name=data["name"],
                group=data["group"],
                filter_query=data["filter_query"],
                run_at=data["run_at"],
                active=data["active"],
                created_by=request.user,
            )
        except ApplicationError as exc:
            service_errors_show(form, exc)
        else:
            messages.success(
                request, _("The schedule “%(name)s” has been added.") % {"name": schedule.name}
            )
            return redirect("backoffice:settings_dunning_schedules")
    return _form_page(request, form, status=400)


@require_http_methods(["GET", "POST"])
@administrator_required
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(DunningSchedule.objects.select_related("group"), pk=pk)
    if request.method == "GET":
        initial = {
            "name": schedule.name,
            "group": schedule.group_id,
            "filter_query": schedule.filter_query,
            "run_at": schedule.run_at,
            "active": schedule.active,
        }
        return _form_page(
            request, ScheduleForm(initial=initial, schedule=schedule), schedule=schedule
        )
    form = ScheduleForm(request.POST, schedule=schedule)
    if form.is_valid():
        data = form.cleaned_data
        try:
            schedules_admin.schedule_update(
                schedule=schedule,
                name=data["name"],
                group=data["group"],
                filter_query=data["filter_query"],
                run_at=data["run_at"],
                active=data["active"],
            )
        except ApplicationError as exc:
            service_errors_show(form, exc)
        else:
            messages.success(request, _("The schedule has been saved."))
            return redirect("backoffice:settings_dunning_schedules")
    return _form_page(request, form, schedule=schedule, status=400)


@require_POST
@administrator_required
def schedule_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(DunningSchedule, pk=pk)
    if schedules_admin.schedule_deactivate(schedule=schedule):
        text = _("The schedule “%(name)s” has been stopped: the worker no longer starts its runs.")
        messages.success(request, text % {"name": schedule.name})
    else:
        messages.info(request, _("This schedule was already stopped."))
    return redirect("backoffice:settings_dunning_schedules")


# --- Interest rates ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@administrator_required
def rate_list(request: HttpRequest) -> HttpResponse:
    form = InterestRateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rates.interest_rate_add(**form.cleaned_data)
        except ApplicationError as exc:
            service_errors_show(form, exc)
        else:
            messages.success(request, _("The period has been added."))
            return redirect("backoffice:settings_dunning_rates")
    return render(
        request,
        "backoffice/dunning/rates.html",
        {
            "rates": rates.interest_rates_shown(),
            "form": form,
            "tab": TAB,
            "dunning_tab": "rates",
        },
        status=400 if request.method == "POST" else 200,
    )
