"""The pay button of a message (/pay/<token>) and the demo provider's checkout page.

A pay link signs the debtor in to nothing: it shows the debtor's name, the message's invoices
that are still open and their total, and pays exactly those. GET and HEAD create nothing (mail
scanners open links); only the button's POST creates a payment.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from settle.common.errors import ApplicationError
from settle.common.ratelimit import rate_limit_exceeded, rate_limit_reached
from settle.payments.models import DemoPayment, PaymentRequest, RequestOrigin
from settle.payments.providers.base import FINAL_STATES, ProviderState
from settle.payments.providers.demo import demo_payment_set
from settle.payments.providers.registry import provider_named
from settle.payments.services import payment_request_create, payment_request_sync
from settle.portal.pay import allow_checkout, invoices_total, to_checkout, total_changed
from settle.portal.paylinks import PayLinkExpired, PayLinkInvalid, pay_link_read
from settle.portal.selectors import access_open_invoices
from settle.portal.views import FAILED_KEYS_PER_MINUTE, NewLinkForm
from settle.receivables.models import Debtor

# The demo checkout's buttons, in the order shown, and the state each one sets.
DEMO_CHOICES = {
    "paid": ProviderState.PAID,
    "failed": ProviderState.FAILED,
    "canceled": ProviderState.CANCELED,
    "pending": ProviderState.PENDING,
}


def _link_ended(request: HttpRequest, *, expired: bool, status: int = 200) -> HttpResponse:
    # The language switch returns to the new-link page rather than to this address.
    return render(
        request,
        "portal/pay/link_ended.html",
        {"form": NewLinkForm(), "expired": expired, "language_next": reverse("portal:new_link")},
        status=status,
    )


def _in_language(request: HttpRequest, language: str) -> None:
    """Show the page in the debtor's language, unless this browser has chosen one."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def pay_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link pays and changes nothing; POST creates the payment and sends
    the debtor to the provider's checkout.

    Failed tokens count towards the same limit as failed portal keys, so guessing at either
    address costs the same. Like the portal link, the page sets the CSRF cookie its button's
    POST needs, and nothing else.
    """
    if rate_limit_reached(request, scope="portal-key", limit=FAILED_KEYS_PER_MINUTE):
        return render(request, "portal/too_many.html", status=429)
    try:
        claim = pay_link_read(token=token)
        debtor = Debtor.objects.filter(pk=claim.debtor_id, active=True).first()
        if debtor is None:
            raise PayLinkInvalid
    except PayLinkExpired as expired:
        # The link was ours: the page that says so may speak its debtor's language.
        owner = Debtor.objects.filter(pk=expired.claim.debtor_id).first()
        if owner is not None:
            _in_language(request, owner.language)
        return _link_ended(request, expired=True)
    except PayLinkInvalid:
        rate_limit_exceeded(request, scope="portal-key", limit=FAILED_KEYS_PER_MINUTE)
        return _link_ended(request, expired=False, status=404)
    _in_language(request, debtor.language)
    invoices = list(access_open_invoices(debtor=debtor).filter(pk__in=claim.invoice_ids))
    if not invoices:
        return render(request, "portal/pay/link_paid.html", {"form": NewLinkForm()})
    total = invoices_total(invoices)
    error = ""
    if request.method == "POST":
        if total_changed(request, total):
            error = _("The amount to pay has changed in the meantime. Check it and pay again.")
        else:
            try:
                created = payment_request_create(
                    debtor=debtor,
                    invoices=invoices,
                    language=translation.get_language(),
                    origin=RequestOrigin.PAY_LINK,
                )
            except ApplicationError as refusal:
                error = refusal.message
            else:
                return to_checkout(created.checkout_url)
    context = {
        "debtor": debtor,
        "invoices": invoices,
        "total": total,
        "currency": invoices[0].currency,
        "error": error,
    }
    return allow_checkout(render(request, "portal/pay/link.html", context))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def demo_checkout(request: HttpRequest, demo_id: str) -> HttpResponse:
    """The demo provider's checkout: four buttons that set the payment's state as a real
    checkout would, then the same path as a provider's webhook (`payment_request_sync`), then
    back to the return page. Only while the demo is the configured provider; a payment in a
    final state stays as it is."""
    if provider_named("demo") is None:
        raise Http404
    payment = DemoPayment.objects.filter(demo_id=demo_id).first()
    if payment is None:
        raise Http404
    # In the language the debtor is paying in, as a real provider's checkout is (its locale).
    language = (
        PaymentRequest.objects.filter(provider="demo", provider_id=demo_id)
        .values_list("language", flat=True)
        .first()
    )
    if language in dict(settings.LANGUAGES):
        _in_language(request, language)
    final = payment.state in FINAL_STATES
    error, status = "", 200
    if request.method == "POST":
        state = DEMO_CHOICES.get(request.POST.get("state", ""))
        if final:
            error, status = _("This payment is final and cannot be changed any more."), 409
        elif state is None:
            error, status = _("Choose one of the buttons below."), 400
        else:
            payment = demo_payment_set(demo_id=payment.demo_id, state=state)
            payment_request_sync(provider="demo", provider_id=payment.demo_id)
            return to_checkout(payment.return_url)
    context = {"payment": payment, "final": final, "error": error}
    return render(request, "portal/pay/demo_checkout.html", context, status=status)
