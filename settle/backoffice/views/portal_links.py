"""Creating and revoking a debtor's portal links from the back office."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from settle.backoffice.decorators import staff_required
from settle.portal.models import PortalLink
from settle.portal.services import (
    portal_link_issue,
    portal_link_revoke,
    portal_link_url,
    portal_links_revoke_all,
)
from settle.receivables.models import Debtor


@never_cache
@require_POST
@staff_required
def portal_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a link and show its URL once.

    The URL is rendered straight into the answer to this POST: it is never put in the session,
    a redirect or a log, so it exists only on this page (and `never_cache` keeps the page out of
    every cache). Reloading the page asks to post again, which creates a new link.
    """
    debtor = get_object_or_404(Debtor, pk=pk)
    if not debtor.active:
        messages.error(request, _("This debtor is inactive; a portal link would not sign in."))
        return redirect(debtor.get_absolute_url() + "#portal-links")
    issued = portal_link_issue(debtor=debtor, created_by=request.user)
    return render(
        request,
        "backoffice/portal_link_created.html",
        {"debtor": debtor, "link": issued.link, "url": portal_link_url(key=issued.key)},
    )


@require_POST
@staff_required
def portal_link_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(PortalLink.objects.select_related("debtor"), pk=pk)
    was_revoked = link.revoked_at is not None
    portal_link_revoke(link=link, revoked_by=request.user)
    if was_revoked:
        messages.info(request, _("This link had already been revoked."))
    else:
        messages.success(request, _("The link has been revoked."))
    return redirect(link.debtor.get_absolute_url() + "#portal-links")


@require_POST
@staff_required
def portal_links_revoke_all_view(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = get_object_or_404(Debtor, pk=pk)
    count = portal_links_revoke_all(debtor=debtor, revoked_by=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d link has been revoked.", "%(count)d links have been revoked.", count
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("This debtor had no valid links."))
    return redirect(debtor.get_absolute_url() + "#portal-links")
