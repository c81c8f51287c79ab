"""The providers' webhooks: thin views over settle.payments.services and .notifications.

Both answer the POST at their exact address (no redirect), without CSRF (a provider has no
session), and never trust a delivery for more than it can prove: Mollie's names a payment id
whose state is then fetched from Mollie's API; Adyen's carries facts, verified per item with
HMAC before anything is stored.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from settle.payments.notifications import notifications_store
from settle.payments.providers.base import ProviderError, WebhookRefused
from settle.payments.providers.registry import provider_named
from settle.payments.services import payment_request_sync

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def mollie_webhook(request: HttpRequest) -> HttpResponse:
    """Mollie's webhook: `id=tr_…`. The state is fetched from Mollie (payment_request_sync), so
    a body claiming "paid" changes nothing by itself. An id we do not know answers 200 and
    changes nothing (Mollie's advice: do not reveal which ids exist). When Mollie cannot be
    reached for the fetch the answer is 503, so that Mollie delivers again later; the worker's
    poll catches up as well."""
    provider = provider_named("mollie")
    if provider is None:
        return HttpResponse(status=200)
    try:
        items = provider.webhook_items(body=request.body, headers=dict(request.headers))
    except WebhookRefused:
        return HttpResponse("Bad request", status=400, content_type="text/plain")
    for item in items:
        try:
            payment_request_sync(provider="mollie", provider_id=item.provider_id)
        except ProviderError as exc:
            logger.warning("Mollie webhook for %s: fetch failed: %s", item.provider_id, exc)
            return HttpResponse("Try again later", status=503, content_type="text/plain")
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def adyen_webhook(request: HttpRequest) -> HttpResponse:
    """Adyen's notification webhook: every item's HMAC signature is verified (one bad item
    refuses the whole batch with 401 and nothing is stored), the items are stored for the
    worker (notifications_process_due), and Adyen gets the `[accepted]` it expects at once."""
    provider = provider_named("adyen")
    if provider is None:
        # Without the configured HMAC key nothing can be verified, so nothing is accepted.
        return HttpResponse("Unauthorized", status=401, content_type="text/plain")
    try:
        items = provider.webhook_items(body=request.body, headers=dict(request.headers))
    except WebhookRefused as exc:
        logger.warning("Adyen webhook refused: %s", exc)
        return HttpResponse("Unauthorized", status=401, content_type="text/plain")
    notifications_store(provider="adyen", items=items)
    return HttpResponse("[accepted]", content_type="text/plain")
