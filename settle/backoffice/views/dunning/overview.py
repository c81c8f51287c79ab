"""The dunning overview (Betalingsherinneringen): filter the open invoices, select some or all
that match, choose an action group, confirm the counts, start the run.

The selection travels as either the ticked invoice ids of a page or, with "select all", the
filter's query string itself: the run then holds every invoice the filter matches, on every
page, and keeps the filter as its record.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.base import BackofficeForm
from settle.common.dates import organisation_today
from settle.common.errors import ApplicationError
from settle.correspondence.models import Channel
from settle.dunning.filters import InvoiceDunningFilter, invoices_filtered, selection_query
from settle.dunning.models import ActionGroup
from settle.dunning.runs import run_start
from settle.dunning.selectors import SKIP_REASONS, groups_active, selection_summary
from settle.receivables.models import Invoice

PAGE_SIZE = 50
# More ids than a few pages' worth is no hand-made selection: "select all" is for that.
MAX_IDS = 1000
MAX_ID = 2**63 - 1
QUERY_LENGTH = 5000


class SelectionForm(BackofficeForm):
    """What the overview posts: the group and either the ticked ids or select_all + query."""

    group = forms.ModelChoiceField(
        label=gettext_lazy("Action group"),
        queryset=ActionGroup.objects.none(),
        error_messages={
            "required": gettext_lazy("Choose an action group."),
            "invalid_choice": gettext_lazy(
                "That action group no longer exists or has been archived. Choose another one."
            ),
        },
    )
    select_all = forms.BooleanField(required=False)
    query = forms.CharField(required=False, max_length=QUERY_LENGTH, strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups_active()

    def clean(self):
        data = super().clean()
        data["ids"] = self._ids()
        if not data.get("select_all") and not data["ids"]:
            raise forms.ValidationError(_("Select at least one invoice."))
        return data

    def _ids(self) -> list[int]:
        raw = self.data.getlist("invoice") if hasattr(self.data, "getlist") else []
        if len(raw) > MAX_IDS:
            raise forms.ValidationError(
                _("Select at most %(count)s invoices by hand, or select all that match.")
                % {"count": MAX_IDS}
            )
        try:
            ids = sorted({int(value) for value in raw})
        except ValueError as exc:
            raise forms.ValidationError(_("The selection cannot be read.")) from exc
        if any(pk < 1 or pk > MAX_ID for pk in ids):
            raise forms.ValidationError(_("The selection cannot be read."))
        return ids


@dataclass(frozen=True)
class Selection:
    group: ActionGroup
    invoices: QuerySet[Invoice]
    select_all: bool
    query: str
    ids: list[int]


def _selection(request: HttpRequest) -> Selection:
    """The posted selection, or ApplicationError with the reason to show."""
    form = SelectionForm(request.POST)
    if not form.is_valid():
        errors = [str(error) for field in form.errors.values() for error in field]
        raise ApplicationError(" ".join(errors))
    data = form.cleaned_data
    # Re-encoded, so that what is kept on the run and put in addresses is a clean query string.
    query = selection_query(QueryDict(data["query"])) if data["select_all"] else ""
    if data["select_all"]:
        matched = invoices_filtered(query)
        # A plain queryset by id: the summary and the run annotate it their own way.
        invoices = Invoice.objects.filter(pk__in=matched.values("pk"))
    else:
        invoices = Invoice.objects.filter(pk__in=data["ids"])
    if not invoices.exists():
        raise ApplicationError(_("No invoice matches this selection."))
    return Selection(data["group"], invoices, data["select_all"], query, data["ids"])


def _back(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """To the overview with the same filter, the refusal shown above it."""
    messages.error(request, exc.message)
    url = reverse("backoffice:dunning_overview")
    query = request.POST.get("query", "")
    if request.POST.get("select_all") and query and len(query) <= QUERY_LENGTH:
        return redirect(f"{url}?{selection_query(QueryDict(query))}")
    return redirect(url)


def _run_url(pk: int) -> str:
    # The run page belongs to the history's part; its address is fixed if the name is not yet.
    try:
        return reverse("backoffice:dunning_run", kwargs={"pk": pk})
    except NoReverseMatch:
        return f"/backoffice/dunning/runs/{pk}/"


def _channel_label(code: str) -> str:
    return Channel(code).label if code in Channel.values else code


@require_GET
@staff_required
def dunning_overview(request: HttpRequest) -> HttpResponse:
    filterset = InvoiceDunningFilter(request.GET)
    valid = filterset.is_valid()
    # An unreadable filter shows its errors and no invoices, never a wider selection.
    invoices = filterset.qs if valid else Invoice.objects.none()
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    today = organisation_today()
    for invoice in page.object_list:
        invoice.days_overdue = max((today - invoice.due_date).days, 0)
    query = selection_query(request.GET)
    return render(
        request,
        "backoffice/dunning/overview.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "valid": valid,
            "page": page,
            "sort": request.GET.get("sort", ""),
            "query": query,
            "filtered": any(value for name, value in request.GET.items() if name != "sort"),
            "groups": groups_active(),
            "skip_reasons": SKIP_REASONS,
        },
    )


@require_POST
@staff_required
def dunning_confirm(request: HttpRequest) -> HttpResponse:
    try:
        selection = _selection(request)
    except ApplicationError as exc:
        return _back(request, exc)
    summary = selection_summary(invoices=selection.invoices, group=selection.group)
    # Invoices are skipped by reason; "no_address" counts debtors who cannot get a message.
    skipped = [
        (
            SKIP_REASONS.get(reason, reason),
            ngettext("%(count)s debtor", "%(count)s debtors", count) % {"count": count}
            if reason == "no_address"
            else ngettext("%(count)s invoice", "%(count)s invoices", count) % {"count": count},
        )
        for reason, count in summary.skipped.items()
        if count
    ]
    return render(
        request,
        "backoffice/dunning/confirm.html",
        {
            "selection": selection,
            "summary": summary,
            "channels": [
                (code, _channel_label(code), count)
                for code, count in summary.messages_by_channel.items()
                if count
            ],
            "skipped": skipped,
        },
    )


@require_POST
@staff_required
def dunning_start(request: HttpRequest) -> HttpResponse:
    try:
        selection = _selection(request)
        run = run_start(
            group=selection.group,
            invoices=selection.invoices,
            created_by=request.user,
            filter_query=selection.query,
        )
    except ApplicationError as exc:
        return _back(request, exc)
    messages.success(request, _("The run has started."))
    return redirect(_run_url(run.pk))
