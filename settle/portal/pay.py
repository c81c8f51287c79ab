"""The debtor's online payment pages: the summary of the selected invoices and its pay button,
an arrangement's next instalment, and the page a provider's checkout sends the debtor back to.

Every invoice id that arrives goes through `access_payable_invoices` (anyone else's answers 404)
and every amount is computed here from what is open now, never taken from the form. What a
payment's state is comes from the provider (`payment_request_refresh`), never from the address
the provider sent the debtor back with.
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from settle.common.errors import ApplicationError
from settle.payments.configuration import MOLLIE_ENDPOINT
from settle.payments.models import PaymentRequest as PaymentRequestRow
from settle.payments.models import RequestOrigin, RequestPurpose, RequestState
from settle.payments.providers.base import ProviderError
from settle.payments.selectors import invoice_ids_in_payment
from settle.payments.services import (
    payment_request_create,
    payment_request_refresh,
    payment_request_result_note,
)
from settle.portal.selectors import access_instalment_to_pay, access_payable_invoices
from settle.portal.session import debtor_required, portal_session_link
from settle.receivables.models import ZERO, Invoice

# More than anyone selects on one page; a longer list is cut off before it reaches the database.
MAX_SELECTED = 500
# The shape of a request's key (URL-safe, as `secrets.token_urlsafe` makes it); anything else
# is refused without a query.
KEY_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")

# How long the return page asks by itself: the methods offered settle within minutes; past this
# the debtor checks again by hand (the worker keeps polling the provider meanwhile).
POLL_FOR = timedelta(minutes=15)

WAITING_STATES = frozenset(
    {RequestState.CREATED, RequestState.OPEN, RequestState.PENDING, RequestState.AUTHORIZED}
)


def checkout_origins() -> list[str]:
    """Where the configured provider's hosted checkout lives: the pages whose forms lead there
    must name it in their Content-Security-Policy's `form-action`, which browsers apply to the
    redirect that follows a form's POST too. None for the demo (our own origin)."""
    config = settings.SETTLE_PAYMENTS
    if config.provider == "mollie":
        if config.endpoint == MOLLIE_ENDPOINT:
            return ["https://www.mollie.com"]
        return [config.endpoint]
    if config.provider == "adyen":
        if config.endpoint == "test":
            return ["https://checkoutshopper-test.adyen.com"]
        if config.endpoint == "live":
            # The live checkout's host names the account's region (…-live-us, …-live-au, …).
            return ["https://*.adyen.com"]
        return [config.endpoint]
    return []


def allow_checkout(response: HttpResponse) -> HttpResponse:
    """Let the page's forms lead to the provider's checkout (django-csp's per-response update,
    read by its middleware); every other directive stays as strict as everywhere."""
    origins = checkout_origins()
    if origins:
        response._csp_update = {"form-action": origins}
    return response


def to_checkout(url: str) -> HttpResponse:
    """303 See Other to the provider's checkout: the browser follows it with a GET, so the
    POST that created the payment is never sent again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def invoices_total(invoices: list[Invoice]) -> Decimal:
    return sum((invoice.open_amount for invoice in invoices), ZERO)


def total_changed(request: HttpRequest, total: Decimal) -> bool:
    """Whether the amount the page showed (posted back with its button) differs from what is
    open now: a payment or credit note came in between, and the debtor must see the new amount
    before paying it."""
    try:
        shown = Decimal(request.POST.get("total", ""))
    except InvalidOperation:
        return True
    return shown != total


@require_http_methods(["GET", "HEAD", "POST"])
@debtor_required
def pay(request: HttpRequest) -> HttpResponse:
    """GET: the selected invoices still open, their total and a pay button; POST: a payment
    request for them at the provider, and a 303 to its checkout."""
    data = request.POST if request.method == "POST" else request.GET
    # The summary shows which invoices made it in, so a longer list is cut off, as respond does.
    ids = data.getlist("invoice")[:MAX_SELECTED]
    invoices = access_payable_invoices(debtor=request.debtor, ids=ids)
    if not ids:
        messages.error(request, _("Select the invoices you want to pay."))
        return redirect("portal:home")
    total = invoices_total(invoices)
    error = ""
    if not invoices:
        error = _("These invoices have been paid in the meantime: there is nothing left to pay.")
    elif request.method == "POST":
        if total_changed(request, total):
            error = _("The amount to pay has changed in the meantime. Check it and pay again.")
        else:
            try:
                created = payment_request_create(
                    debtor=request.debtor,
                    invoices=invoices,
                    language=translation.get_language(),
                    origin=RequestOrigin.PORTAL,
                )
            except ApplicationError as refusal:
                error = refusal.message
            else:
                return to_checkout(created.checkout_url)
    in_payment = invoice_ids_in_payment(debtor=request.debtor) if invoices else set()
    context = {
        "invoices": invoices,
        "total": total,
        "currency": invoices[0].currency if invoices else "EUR",
        "error": error,
        "in_payment": any(invoice.pk in in_payment for invoice in invoices),
    }
    return allow_checkout(render(request, "portal/pay/pay.html", context))


@require_POST
@debtor_required
def pay_instalment(request: HttpRequest) -> HttpResponse:
    """A payment request for the first unpaid instalment of the debtor's running arrangement,
    for that instalment's unpaid part, and a 303 to its checkout."""
    instalment = access_instalment_to_pay(
        debtor=request.debtor, pk=request.POST.get("arrangement", "")
    )
    if instalment is None:
        messages.info(request, _("Every instalment of this arrangement has been paid. Thank you!"))
        return redirect("portal:home")
    try:
        created = payment_request_create(
            debtor=request.debtor,
            invoices=instalment.invoices,
            language=translation.get_language(),
            amount=instalment.amount,
            purpose=RequestPurpose.INSTALMENT,
            origin=RequestOrigin.PORTAL,
        )
    except ApplicationError as refusal:
        messages.error(request, refusal.message)
        return redirect("portal:home")
    return to_checkout(created.checkout_url)


def _payment_request(key: str) -> PaymentRequestRow:
    """The request whose return page this is. The key is a 256-bit secret, so the address
    alone is the access: no session is needed (the debtor may come back in another browser)."""
    if not KEY_RE.fullmatch(key):
        raise Http404
    found = (
        PaymentRequestRow.objects.select_related("debtor")
        .prefetch_related("lines__invoice")
        .filter(key=key)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _refreshed(request: HttpRequest, payment_request: PaymentRequestRow) -> PaymentRequestRow:
    """The request with its state fetched from the provider now; the state last stored when
    the provider cannot be reached (the page then keeps waiting). Of the query string only
    Adyen's `sessionId`/`sessionResult` are read: the token Adyen's lookup asks for, kept for
    the fetch, never a state."""
    payment_request = payment_request_result_note(
        request=payment_request,
        session_id=request.GET.get("sessionId", ""),
        result=request.GET.get("sessionResult", ""),
    )
    try:
        return payment_request_refresh(request=payment_request)
    except (ApplicationError, ProviderError):
        return payment_request


def _return_context(request: HttpRequest, payment_request: PaymentRequestRow) -> dict:
    session_link = portal_session_link(request)
    return {
        "payment_request": payment_request,
        "waiting": payment_request.state in WAITING_STATES,
        "polling": timezone.now() - payment_request.created_at < POLL_FOR,
        "paid": payment_request.state == RequestState.PAID,
        "invoice_numbers": [line.invoice.number for line in payment_request.lines.all()],
        "signed_in": session_link is not None
        and session_link.debtor_id == payment_request.debtor_id,
        # The demo's checkout can be opened again while its payment is not final.
        "demo_checkout": payment_request.checkout_url if payment_request.provider == "demo" else "",
    }


def _in_request_language(request: HttpRequest, payment_request: PaymentRequestRow) -> None:
    # In the language the debtor paid in, unless this browser has chosen one.
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    language = payment_request.language or payment_request.debtor.language
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


@never_cache
@require_safe
def pay_return(request: HttpRequest, key: str) -> HttpResponse:
    """Where the provider's checkout sends the debtor back: the payment's state as the
    provider tells it now. Whatever the address's query string says of the state is ignored."""
    payment_request = _refreshed(request, _payment_request(key))
    _in_request_language(request, payment_request)
    return render(request, "portal/pay/return.html", _return_context(request, payment_request))


@never_cache
@require_safe
def pay_return_status(request: HttpRequest, key: str) -> HttpResponse:
    """The return page's status, for htmx to poll while the payment is not final; the
    fragment of a final state carries no trigger, so the polling stops with it."""
    payment_request = _refreshed(request, _payment_request(key))
    _in_request_language(request, payment_request)
    return render(
        request, "portal/pay/return_status.html", _return_context(request, payment_request)
    )
