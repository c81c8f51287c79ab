"""Settings for correspondence: the message templates, with a live preview, and the organisation
the messages come from. Administrators only."""

import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from settle.backoffice.decorators import administrator_required
from settle.backoffice.forms.base import service_errors_show
from settle.backoffice.forms.correspondence import PART_LABELS, OrganisationForm, TemplateForm
from settle.backoffice.serving import sandboxed_html
from settle.backoffice.templatetags.correspondence import kind_label
from settle.common.errors import ApplicationError, FieldError
from settle.correspondence import configuration, letters
from settle.correspondence.configuration import Preview
from settle.correspondence.kinds import Kind, kind_variables
from settle.correspondence.models import Channel, Organisation, Template
from settle.receivables.models import Debtor

CHANNEL_ORDER = {channel: position for position, channel in enumerate(Channel.values)}


def _posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST must be judged (and refused), not ignored.
    return request.POST if request.method == "POST" else None


# --- The list -------------------------------------------------------------------------------


@require_GET
@administrator_required
def template_settings(request: HttpRequest) -> HttpResponse:
    templates = sorted(
        Template.objects.select_related("updated_by"),
        key=lambda t: (CHANNEL_ORDER.get(t.channel, 99), t.language),
    )
    order = {kind: position for position, kind in enumerate(Kind.values)}
    groups: dict[str, list[Template]] = {}
    for template in sorted(templates, key=lambda t: order.get(t.kind, len(order))):
        groups.setdefault(template.kind, []).append(template)
    return render(
        request,
        "backoffice/template_settings.html",
        {
            "groups": [(kind_label(kind), rows) for kind, rows in groups.items()],
            "tab": "templates",
        },
    )


# --- Editing one template ---------------------------------------------------------------------


def _template(pk: int) -> Template:
    return get_object_or_404(Template.objects.select_related("updated_by"), pk=pk)


def _form(request: HttpRequest, template: Template) -> TemplateForm:
    initial = {part: getattr(template, part) for part in PART_LABELS}
    return TemplateForm(
        _posted(request),
        channel=template.channel,
        initial=initial,
        preview_url=reverse("backoffice:template_preview", args=[template.pk]),
    )


def _edit_page(request, template, form, *, refusal=None, shown=None, status=200):
    return render(
        request,
        "backoffice/template_edit.html",
        {
            "template": template,
            "kind_label": kind_label(template.kind),
            "form": form,
            "refusal": refusal,
            "shown": shown,
            "variables": kind_variables(template.kind),
            "is_letter": template.channel == Channel.LETTER,
            "tab": "templates",
        },
        status=status,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    form = _form(request, template)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            configuration.template_update(
                template=template, **form.texts(), updated_by=request.user
            )
        except ApplicationError as exc:
            refusal = exc
            service_errors_show(form, exc)
        else:
            messages.success(request, _("The template has been saved."))
            return redirect("backoffice:template_edit", pk=template.pk)
    status = 400 if request.method == "POST" else 200
    return _edit_page(request, template, form, refusal=refusal, status=status)


@require_POST
@administrator_required
def template_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    try:
        configuration.template_reset(template=template, updated_by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The template has its default wording again."))
    return redirect("backoffice:template_edit", pk=template.pk)


# --- The preview ------------------------------------------------------------------------------


@dataclass
class Shown:
    """What the preview pane shows: the rendered texts, or why there are none."""

    preview: Preview | None = None
    errors: list[FieldError] = field(default_factory=list)
    debtor: Debtor | None = None
    html: str = ""
    frame_url: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[tuple[str, str]]:
        """Each error with the name of the input it is about."""
        labels = {**PART_LABELS, "debtor": _("Debtor")}
        return [(str(labels.get(error.field, "")), error.message) for error in self.errors]


def _debtor(form: TemplateForm) -> Debtor | None:
    """The debtor the preview is for, or None for the sample; an unknown number is a form
    error on the debtor input."""
    number = form.cleaned_data.get("debtor", "").strip()
    if not number:
        return None
    debtor = Debtor.objects.filter(number=number).first()
    if debtor is None:
        form.add_error(
            "debtor", _("There is no debtor with number “%(number)s”.") % {"number": number}
        )
    return debtor


def _preview(request: HttpRequest, template: Template, form: TemplateForm) -> Shown:
    """The posted texts rendered for the preview pane."""
    if not form.is_valid():
        return Shown(errors=_form_errors(form))
    debtor = _debtor(form)
    if form.errors:
        return Shown(errors=_form_errors(form))
    preview = configuration.template_preview(
        kind=template.kind,
        channel=template.channel,
        language=template.language,
        debtor=debtor,
        **form.texts(),
    )
    if preview.errors:
        return Shown(errors=preview.errors, debtor=debtor)
    html, notes = preview.body_html, []
    if template.channel == Channel.LETTER:
        html, notes = configuration.letter_preview(
            language=template.language,
            subject=preview.subject,
            body_html=preview.body_html,
            debtor=debtor,
        )
    frame_url = ""
    if html:
        # The frame loads the HTML by itself (see sandboxed_html); the session holds it until
        # then, one per template, and the random version makes the frame load it again.
        request.session[_session_key(template)] = html
        frame_url = reverse("backoffice:template_preview_frame", args=[template.pk])
        frame_url += f"?v={uuid.uuid4().hex}"
    return Shown(preview=preview, debtor=debtor, html=html, frame_url=frame_url, notes=notes)


def _form_errors(form: TemplateForm) -> list[FieldError]:
    return [
        FieldError(name if name != "__all__" else "", str(message))
        for name, errors in form.errors.items()
        for message in errors
    ]


def _session_key(template: Template) -> str:
    return f"template-preview-{template.pk}"


@never_cache
@require_POST
@administrator_required
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview pane for htmx; without script, the whole page with the preview in it."""
    template = _template(pk)
    form = _form(request, template)
    shown = _preview(request, template, form)
    if request.htmx:
        return render(
            request,
            "backoffice/includes/template_preview.html",
            {"shown": shown, "template": template},
        )
    return _edit_page(request, template, form, shown=shown)


@never_cache
@require_GET
@administrator_required
def template_preview_frame(request: HttpRequest, pk: int) -> HttpResponse:
    html = request.session.get(_session_key(_template(pk)))
    if not html:
        raise Http404
    return sandboxed_html(html)


@never_cache
@require_POST
@administrator_required
def template_preview_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as the chosen debtor (or a sample one) would get it, as a PDF."""
    template = get_object_or_404(Template, pk=pk, channel=Channel.LETTER)
    form = _form(request, template)
    shown = _preview(request, template, form)
    if shown.errors:
        return _edit_page(request, template, form, shown=shown, status=400)
    response = HttpResponse(letters.letter_pdf(shown.html), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response


# --- The organisation -------------------------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(
        _posted(request), initial=OrganisationForm.initial_for(Organisation.load())
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            configuration.organisation_update(values=form.cleaned_data)
        except ApplicationError as exc:
            refusal = exc
            service_errors_show(form, exc)
        else:
            messages.success(request, _("The organisation's details have been saved."))
            return redirect("backoffice:organisation_settings")
    return render(
        request,
        "backoffice/organisation_settings.html",
        {
            "form": form,
            "refusal": refusal,
            "failed": request.method == "POST",
            "tab": "organisation",
        },
        status=400 if request.method == "POST" else 200,
    )
