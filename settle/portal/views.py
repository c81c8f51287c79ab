"""The debtor's side of Settle. Every page but the link and the neutral pages needs a live debtor
session (`debtor_required`) and reads only through `access_*` selectors."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from settle.common.ratelimit import rate_limit_exceeded, rate_limit_reached
from settle.payments.selectors import online_payment_enabled
from settle.portal.landing import landing_invoices, landing_totals
from settle.portal.pay import allow_checkout
from settle.portal.selectors import access_landing
from settle.portal.services import (
    portal_link_check,
    portal_link_request,
    portal_sign_in,
    portal_sign_out,
)
from settle.portal.session import (
    debtor_required,
    portal_session_end,
    portal_session_link,
    portal_session_start,
)

# More than this many failed keys from one address within a minute, and the link answers 429 to
# that address, for valid keys too, until the minute is over. Letting valid keys through would
# tell a guesser which guess was right; refusing everyone costs a real debtor on the same
# address at most a minute, and tells a guesser nothing.
FAILED_KEYS_PER_MINUTE = 20
NEW_LINK_REQUESTS_PER_HOUR = 5


class NewLinkForm(forms.Form):
    identifier = forms.CharField(
        label=gettext_lazy("Your e-mail address or an invoice number"), max_length=254
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/too_many.html", status=429)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    # One page for unknown, expired, revoked and inactive alike, so nothing in it tells them
    # apart; the language switch returns to the new-link page rather than to this address.
    return render(
        request,
        "portal/invalid_link.html",
        {"form": NewLinkForm(), "language_next": reverse("portal:new_link")},
    )


def _chosen_language(request: HttpRequest, default: str) -> str:
    """The language the link page was shown in (posted with its button), else `default`."""
    posted = request.POST.get("language", "")
    if posted in dict(settings.LANGUAGES):
        return posted
    return default


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def link(request: HttpRequest, key: str) -> HttpResponse:
    """GET shows one button and changes nothing (mail scanners open links); POST signs in.

    GET and HEAD write no row and start no session. The page does set Django's CSRF cookie
    (`csrftoken`; a browser that has one gets it back with a renewed expiry): the button's POST
    must be protected against login CSRF (another site signing a visitor into the attacker's own
    portal), and a CSRF token only proves anything when it is bound to a secret the browser
    received earlier, which before the first page can only be a cookie. That cookie holds a
    random secret, no state on the server, and nothing about the debtor or the link.
    """
    if rate_limit_reached(request, scope="portal-key", limit=FAILED_KEYS_PER_MINUTE):
        if request.method == "POST":
            portal_sign_in(key=key, rate_limited=True)
        return _too_many(request)
    if request.method == "POST":
        result = portal_sign_in(key=key)
        if not result.ok:
            rate_limit_exceeded(request, scope="portal-key", limit=FAILED_KEYS_PER_MINUTE)
            return _invalid_link(request)
        debtor = result.link.debtor
        portal_session_start(request, link=result.link)
        response = redirect("portal:home")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            _chosen_language(request, debtor.language),
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE or settings.SESSION_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        )
        return response
    result = portal_link_check(key=key)
    if not result.ok:
        rate_limit_exceeded(request, scope="portal-key", limit=FAILED_KEYS_PER_MINUTE)
        return _invalid_link(request)
    # The holder of a valid key sees the page in the debtor's language, unless this browser has
    # chosen one.
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(result.link.debtor.language)
        request.LANGUAGE_CODE = translation.get_language()
    return render(request, "portal/link.html", {"online_payment": online_payment_enabled()})


@require_safe
@debtor_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the debtor's open invoices by due date, each with its status (the
    latest open response, else the collection status), and the total open.

    A fixed number of queries however many invoices: the session, the link with its debtor, and
    the invoices with their collection status and latest open response, and, when some invoice
    has an open response, its arrangements with their schedules (plus, at most once a minute,
    the session's idle-time update), and with online payment one more: the invoices with a
    payment in progress.
    """
    landing = access_landing(debtor=request.debtor)
    rows = landing.rows
    context = {
        "invoices": landing_invoices(rows, landing.in_payment),
        "totals": landing_totals(rows),
        "arrangements": landing.arrangements,
        "online_payment": online_payment_enabled(),
    }
    # The "Pay this instalment" button's POST leads to the provider's checkout.
    return allow_checkout(render(request, "portal/home.html", context))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    link = portal_session_link(request)
    if link is not None:
        portal_sign_out(link=link)
    portal_session_end(request)
    return redirect("portal:signed_out")


@require_safe
def ended(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/ended.html", {"form": NewLinkForm()})


@require_safe
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/signed_out.html", {"form": NewLinkForm()})


@require_http_methods(["GET", "HEAD", "POST"])
def new_link(request: HttpRequest) -> HttpResponse:
    """Ask for a new link. The answer is the same whether or not we know the person."""
    form = NewLinkForm(request.POST or None)
    if request.method == "POST":
        if rate_limit_exceeded(
            request, scope="portal-new-link", limit=NEW_LINK_REQUESTS_PER_HOUR, window=3600
        ):
            return _too_many(request)
        if form.is_valid():
            portal_link_request(identifier=form.cleaned_data["identifier"])
            messages.info(
                request,
                _(
                    "If we know these details, a new link is on its way to the contact "
                    "details we have on file."
                ),
            )
            return redirect("portal:new_link")
    return render(request, "portal/new_link.html", {"form": form})
