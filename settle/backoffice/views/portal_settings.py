"""Portal settings: the response types a debtor can choose, their fields, and the link validity.
Administrators only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from settle.arrangements.policy import arrangement_type_update
from settle.arrangements.selectors import policy_shown
from settle.backoffice.decorators import administrator_required
from settle.backoffice.forms.portal import (
    ArrangementPolicyForm,
    FieldSettingsForm,
    PortalSettingsForm,
    ResponseTypeForm,
    WorkflowParametersForm,
)
from settle.common.errors import ApplicationError
from settle.portal.models import PortalSettings
from settle.portal.services import portal_settings_update
from settle.responses.configuration import response_type_update
from settle.responses.models import ResponseType, WorkflowKind


@require_GET
@administrator_required
def portal_settings(request: HttpRequest) -> HttpResponse:
    types = ResponseType.objects.prefetch_related("fields").order_by("position", "code")
    return render(
        request, "backoffice/portal_settings.html", {"response_types": types, "tab": "types"}
    )


def _posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST must be judged (and refused), not ignored.
    return request.POST if request.method == "POST" else None


def _bound_field_forms(request: HttpRequest, response_type: ResponseType):
    return [
        FieldSettingsForm(_posted(request), config=field) for field in response_type.fields.all()
    ]


def _show_errors(exc: ApplicationError, form, field_forms, *extra_forms) -> None:
    """Put a service's field errors next to the inputs they are about."""
    by_id = {field_form.config.pk: field_form for field_form in field_forms}
    for error in exc.errors:
        target = by_id.get(error.index) if error.index is not None else form
        if error.index is None:
            target = next((f for f in extra_forms if f and error.field in f.fields), target)
        if target is None:
            continue
        name = error.field if error.field in target.fields else None
        target.add_error(name, error.message)


@administrator_required
@require_http_methods(["GET", "POST"])
def response_type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    response_type = get_object_or_404(ResponseType.objects.prefetch_related("fields"), pk=pk)
    form = ResponseTypeForm(_posted(request), initial=ResponseTypeForm.initial_for(response_type))
    field_forms = _bound_field_forms(request, response_type)
    parameters_form = WorkflowParametersForm(_posted(request), response_type=response_type)
    policy_form = None
    if response_type.workflow == WorkflowKind.ARRANGEMENT:
        policy_form = ArrangementPolicyForm(
            _posted(request), policy=policy_shown(response_type=response_type)
        )
    refusal = None
    # Every form is checked, so all mistakes show at once, not one form per try.
    forms = [form, parameters_form, *field_forms, *([policy_form] if policy_form else [])]
    checked = [f.is_valid() for f in forms] if request.method == "POST" else []
    valid = bool(checked) and all(checked)
    if valid:
        try:
            changes = {
                **form.cleaned_data,
                "fields": {f.config.pk: f.settings() for f in field_forms},
                "parameters": parameters_form.parameters(),
            }
            if policy_form:
                arrangement_type_update(
                    response_type=response_type, policy=policy_form.policy(), **changes
                )
            else:
                response_type_update(response_type=response_type, **changes)
        except ApplicationError as exc:
            refusal = exc
            _show_errors(exc, form, field_forms, parameters_form, policy_form)
        else:
            messages.success(
                request, _("“%(type)s” has been saved.") % {"type": response_type.name}
            )
            return redirect("backoffice:response_type_edit", pk=response_type.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "backoffice/response_type_edit.html",
        {
            "response_type": response_type,
            "form": form,
            "parameters_form": parameters_form,
            "policy_form": policy_form,
            "field_forms": field_forms,
            "refusal": refusal,
            "failed": request.method == "POST",
            "tab": "types",
        },
        status=status,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def portal_settings_other(request: HttpRequest) -> HttpResponse:
    current = PortalSettings.load()
    form = PortalSettingsForm(
        _posted(request),
        initial={
            "link_validity_days": current.link_validity_days,
            "one_link_per_debtor": current.one_link_per_debtor,
        },
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            portal_settings_update(**form.cleaned_data)
        except ApplicationError as exc:
            refusal = exc
            _show_errors(exc, form, [])
        else:
            messages.success(request, _("The portal settings have been saved."))
            return redirect("backoffice:portal_settings_other")
    return render(
        request,
        "backoffice/portal_settings_other.html",
        {"form": form, "refusal": refusal, "tab": "other"},
        status=400 if request.method == "POST" else 200,
    )
