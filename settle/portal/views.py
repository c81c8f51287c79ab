"""The debtor's side of Settle. Every page but the link and the neutral pages needs a live debtor
session (`debtor_required`) and reads only through `access_*` selectors."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from settle.portal.ratelimit import rate_limit_exceeded, rate_limit_reached
from settle.portal.selectors import access_open_invoices
from settle.portal.services import portal_link_check, portal_link_request, portal_sign_in
from settle.portal.session import debtor_required, portal_session_end, portal_session_start
from settle.receivables.models import ZERO
from settle.responses.selectors import latest_open_responses
from settle.responses.status import response_status_text

FAILED_KEYS_PER_MINUTE = 20
NEW_LINK_REQUESTS_PER_HOUR = 5


class NewLinkForm(forms.Form):
    identifier = forms.CharField(
        label=gettext_lazy("Your e-mail address or an invoice number"), max_length=254
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/too_many.html", status=429)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/invalid_link.html", {"form": NewLinkForm()})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def link(request: HttpRequest, key: str) -> HttpResponse:
    """GET shows one button and changes nothing (mail scanners open links); POST signs in."""
    if rate_limit_reached(request, scope="portal-key", limit=FAILED_KEYS_PER_MINUTE):
        return _too_many(request)
    if request.method == "POST":
        result = portal_sign_in(key=key)
        if not result.ok:
            rate_limit_exceeded(request, scope="portal-key", limit=FAILED_KEYS_PER_MINUTE)
            return _invalid_link(request)
        portal_session_start(request, link=result.link)
        response = redirect("portal:home")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            result.link.debtor.language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
        return response
    if not portal_link_check(key=key).ok:
        rate_limit_exceeded(request, scope="portal-key", limit=FAILED_KEYS_PER_MINUTE)
        return _invalid_link(request)
    return render(request, "portal/link.html")


@debtor_required
def home(request: HttpRequest) -> HttpResponse:
    invoices = list(access_open_invoices(debtor=request.debtor))
    latest = latest_open_responses(invoice.pk for invoice in invoices)
    rows = [
        {
            "invoice": invoice,
            "status": response_status_text(latest[invoice.pk])
            if invoice.pk in latest
            else invoice.collection_status.label,
        }
        for invoice in invoices
    ]
    total = sum((invoice.open_amount for invoice in invoices), ZERO)
    return render(request, "portal/home.html", {"rows": rows, "total": total})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    portal_session_end(request)
    return redirect("portal:signed_out")


def ended(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/ended.html", {"form": NewLinkForm()})


def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/signed_out.html", {"form": NewLinkForm()})


@require_http_methods(["GET", "POST"])
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
