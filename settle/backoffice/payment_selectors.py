"""Reads of the back office's payment pages: the booked payments with their allocations and
reversals, the debtors' online payment attempts, and what the settings page shows of the
provider. Each list costs the same number of queries for 5 rows as for 50."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from settle.payments.models import PaymentRequest, PaymentRequestInvoice
from settle.payments.selectors import payments_status
from settle.receivables.models import Payment, PaymentAllocation, PaymentReversal, PaymentSource

# What the back office calls each value of SETTLE_PAYMENTS.provider.
PROVIDER_NAMES = {
    "": _("None: debtors cannot pay online"),
    "demo": _("Demo checkout (no real money)"),
    "mollie": "Mollie",
    "adyen": "Adyen",
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 (compared, not bound)
# The providers whose servers call a webhook of ours, with its URL name.
WEBHOOKS = {"mollie": "payments:webhook_mollie", "adyen": "payments:webhook_adyen"}


def payment_list(*, query: str = "", source: str = "") -> QuerySet[Payment]:
    """Every booked payment newest first, with its debtor, the invoices it was allocated to,
    its reversals and, for a provider's payment, the online attempt it came from; found by
    debtor number or name, invoice number or reference, and filtered by source."""
    payments = Payment.objects.select_related("debtor", "payment_request").prefetch_related(
        Prefetch(
            "allocations",
            queryset=PaymentAllocation.objects.select_related("invoice").order_by(
                "invoice__number"
            ),
        ),
        Prefetch("reversals", queryset=PaymentReversal.objects.order_by("created_at", "pk")),
    )
    query = query.strip()
    if query:
        # A subquery rather than a join, so a payment of three matching invoices shows once.
        allocated = PaymentAllocation.objects.filter(invoice__number__icontains=query)
        payments = payments.filter(
            Q(debtor__number__icontains=query)
            | Q(debtor__name__icontains=query)
            | Q(reference__icontains=query)
            | Q(pk__in=allocated.values("payment_id"))
        )
    if source in PaymentSource.values:
        payments = payments.filter(source=source)
    return payments.order_by("-date", "-pk")


def payment_request_list(*, query: str = "", state: str = "") -> QuerySet[PaymentRequest]:
    """Debtors' online payment attempts newest first, with their invoices and the attempt that
    replaced each; found by debtor number or name, invoice number or the provider's id."""
    requests = PaymentRequest.objects.select_related(
        "debtor", "superseded_by", "payment"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=PaymentRequestInvoice.objects.select_related("invoice").order_by(
                "invoice__number"
            ),
        )
    )
    query = query.strip()
    if query:
        lines = PaymentRequestInvoice.objects.filter(invoice__number__icontains=query)
        requests = requests.filter(
            Q(debtor__number__icontains=query)
            | Q(debtor__name__icontains=query)
            | Q(provider_id__icontains=query)
            | Q(pk__in=lines.values("request_id"))
        )
    if state:
        requests = requests.filter(state=state)
    return requests.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class ProviderSettings:
    """The settings page's view of the payment provider. It holds no key, by construction: the
    page cannot show what it is not given."""

    provider: str
    name: str
    test_mode: bool
    last_webhook_at: datetime | None
    webhook_url: str
    # Where the provider must reach us: a provider's server cannot call a local address.
    base_url_unreachable: bool


def provider_settings() -> ProviderSettings:
    status = payments_status()
    base = settings.SETTLE_BASE_URL
    url_name = WEBHOOKS.get(status.provider)
    return ProviderSettings(
        provider=status.provider,
        name=str(PROVIDER_NAMES.get(status.provider, status.provider)),
        test_mode=status.test_mode,
        last_webhook_at=status.last_webhook_at,
        webhook_url=base + reverse(url_name) if url_name else "",
        base_url_unreachable=bool(url_name) and urlsplit(base).hostname in LOCAL_HOSTS,
    )
