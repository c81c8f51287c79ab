"""Holds for dunning, from the invoice and debtor pages: any employee puts an invoice or a whole
debtor on hold until a date with a reason, and lifts it again. A hold ends by itself after its
date; the services in settle.dunning.services keep the rules."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.base import service_errors_show
from settle.backoffice.forms.dunning import HoldForm
from settle.common.errors import ApplicationError
from settle.dunning import services
from settle.dunning.models import DunningHold
from settle.receivables.models import Debtor, Invoice

ANCHOR = "#dunning-holds"
# The largest id a BigAutoField holds: a larger number in a tampered form is no row, not a 500.
MAX_PK = 2**63 - 1


def _pk(value: str) -> int | None:
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_PK else None


def _target(request: HttpRequest) -> tuple[Invoice | None, Debtor | None]:
    """The invoice or the debtor the posted form is about; 404 when it names neither."""
    invoice_pk, debtor_pk = _pk(request.POST.get("invoice")), _pk(request.POST.get("debtor"))
    if invoice_pk is not None and debtor_pk is None:
        return get_object_or_404(Invoice.objects.select_related("debtor"), pk=invoice_pk), None
    if debtor_pk is not None and invoice_pk is None:
        return None, get_object_or_404(Debtor, pk=debtor_pk)
    raise Http404


@require_POST
@staff_required
def hold_create_view(request: HttpRequest) -> HttpResponse:
    invoice, debtor = _target(request)
    page = (invoice or debtor).get_absolute_url()
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.hold_create(
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                created_by=request.user,
                invoice=invoice,
                debtor=debtor,
            )
        except ApplicationError as exc:
            service_errors_show(form, exc)
        else:
            if invoice is not None:
                text = _("Invoice %(number)s is on hold for dunning until %(date)s.")
                values = {"number": invoice.number}
            else:
                text = _("%(number)s is on hold for dunning until %(date)s, with all invoices.")
                values = {"number": debtor.name}
            until = form.cleaned_data["until"]
            messages.success(request, text % {**values, "date": date_format(until)})
            return redirect(page + ANCHOR)
    # The form lives on the invoice or debtor page; a refused one is shown on a page of its own
    # with the errors, and a way back, rather than rebuilding those pages here.
    return render(
        request,
        "backoffice/dunning/hold_form.html",
        {"form": form, "invoice": invoice, "debtor": debtor, "page": page},
        status=400,
    )


@require_POST
@staff_required
def hold_lift_view(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(DunningHold.objects.select_related("invoice", "debtor"), pk=pk)
    if hold.lifted_at is not None:
        messages.info(request, _("This hold had already been lifted."))
    else:
        try:
            services.hold_lift(hold=hold, lifted_by=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The hold has been lifted: dunning may include it again."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = (hold.invoice or hold.debtor).get_absolute_url() + ANCHOR
    return redirect(back)
