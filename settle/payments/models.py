"""Online payments: what a debtor asked to pay (PaymentRequest), the provider notifications
waiting for the worker, and the demo provider's own payments."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from settle.common.models import DueRow, TimestampedModel
from settle.payments.providers.base import FINAL_STATES, ProviderState
from settle.receivables.models import MONEY, Debtor, Invoice, Payment

ZERO = Decimal("0.00")


class RequestState(models.TextChoices):
    """Where a request stands: CREATED until the provider has made the payment (or refused
    to), then the provider's own state as last fetched."""

    CREATED = "created", _("Being created")
    OPEN = ProviderState.OPEN.value, ProviderState.OPEN.label
    PENDING = ProviderState.PENDING.value, ProviderState.PENDING.label
    AUTHORIZED = ProviderState.AUTHORIZED.value, ProviderState.AUTHORIZED.label
    PAID = ProviderState.PAID.value, ProviderState.PAID.label
    CANCELED = ProviderState.CANCELED.value, ProviderState.CANCELED.label
    EXPIRED = ProviderState.EXPIRED.value, ProviderState.EXPIRED.label
    FAILED = ProviderState.FAILED.value, ProviderState.FAILED.label


# A request in one of these may still be paid: its invoices show "Payment in progress".
IN_PROGRESS_STATES = frozenset(
    {RequestState.CREATED, RequestState.OPEN, RequestState.PENDING, RequestState.AUTHORIZED}
)
REQUEST_FINAL_STATES = frozenset(RequestState(state.value) for state in FINAL_STATES)


class RequestPurpose(models.TextChoices):
    INVOICES = "invoices", _("Selected invoices")
    INSTALMENT = "instalment", _("Instalment")


class RequestOrigin(models.TextChoices):
    PORTAL = "portal", _("Portal")
    PAY_LINK = "pay_link", _("Pay link in a message")


class PaymentRequest(DueRow):
    """One attempt of a debtor to pay invoices online: the invoices and the amount (their open
    amounts when the attempt began), our key (the reference and idempotency key we give the
    provider, and the secret in the return page's address), the provider's payment id and
    checkout URL, and the state last fetched from the provider.

    `due_at` is when the worker next fetches the state from the provider, as long as the
    request is not final (and, once paid, not yet booked).
    """

    key = models.CharField(max_length=64, unique=True, editable=False)
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="payment_requests", verbose_name=_("debtor")
    )
    invoices = models.ManyToManyField(
        Invoice, through="PaymentRequestInvoice", related_name="payment_requests"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    description = models.CharField(_("description"), max_length=255)
    purpose = models.CharField(
        _("purpose"), max_length=12, choices=RequestPurpose.choices, default=RequestPurpose.INVOICES
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=RequestOrigin.choices, default=RequestOrigin.PORTAL
    )
    language = models.CharField(max_length=10, blank=True)
    provider = models.CharField(_("provider"), max_length=10)
    # Unique once known: booking locks the request by it, so a payment is booked once.
    provider_id = models.CharField(
        _("provider's payment id"), max_length=100, null=True, blank=True, unique=True
    )
    checkout_url = models.URLField(max_length=2000, blank=True)
    # Adyen's `sessionResult` from the debtor's return address: Adyen's session lookup requires
    # it. An opaque token handed back to Adyen, never a state, and never logged.
    provider_result = models.CharField(max_length=1000, blank=True, default="")
    state = models.CharField(
        _("state"), max_length=12, choices=RequestState.choices, default=RequestState.CREATED
    )
    # A newer attempt for (some of) the same invoices; this one is then left alone by the
    # portal and cancelled at the provider where it can be, but still booked if it is paid.
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    # The booking of this request's money (receivables.Payment), once paid.
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_request",
    )
    # The amount or currency the provider reported differed from ours: nothing was booked,
    # an employee has a task.
    mismatch = models.BooleanField(default=False)
    # As last reported by the provider, and how much of it Settle has already reversed.
    refunded_amount = models.DecimalField(**MONEY, default=ZERO)
    charged_back_amount = models.DecimalField(**MONEY, default=ZERO)
    reversed_amount = models.DecimalField(**MONEY, default=ZERO)
    last_webhook_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta(DueRow.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        indexes = [
            *DueRow.Meta.indexes,
            models.Index(fields=["state", "due_at"], name="payments_request_state_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_request_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_id or self.key[:8]} {self.amount} {self.state}"

    @property
    def in_progress(self) -> bool:
        return self.state in IN_PROGRESS_STATES


class PaymentRequestInvoice(models.Model):
    """An invoice of a request, with the part of the request's amount meant for it."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "invoice"], name="payment_request_invoice"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_request_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.amount}"


class NotificationState(models.TextChoices):
    NEW = "new", _("New")
    DONE = "done", _("Processed")
    IGNORED = "ignored", _("Ignored")


class Notification(DueRow):
    """A verified notification from a provider that sends facts, not just ids (Adyen): stored
    when it arrives (the webhook answers at once), processed by the worker. The same
    notification delivered again is stored once (`dedupe_key`)."""

    provider = models.CharField(max_length=10)
    dedupe_key = models.CharField(max_length=255, unique=True)
    provider_id = models.CharField(max_length=100, db_index=True)
    reference = models.CharField(max_length=100, blank=True)
    event = models.CharField(max_length=50)
    success = models.BooleanField(default=False)
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    original_id = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict)
    state = models.CharField(
        max_length=10, choices=NotificationState.choices, default=NotificationState.NEW
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta(DueRow.Meta):
        ordering = ["due_at", "pk"]
        indexes = [*DueRow.Meta.indexes]

    def __str__(self) -> str:
        return f"{self.provider} {self.event} {self.provider_id}"


class DemoPayment(TimestampedModel):
    """A payment at the demo provider (SETTLE_PAYMENTS_URL=demo:): the checkout page Settle
    serves itself sets its state, as a debtor would at a real provider's checkout."""

    demo_id = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=255)
    reference = models.CharField(max_length=64)
    return_url = models.URLField(max_length=2000)
    state = models.CharField(
        max_length=12, choices=ProviderState.choices, default=ProviderState.OPEN
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded = models.DecimalField(**MONEY, default=ZERO)
    charged_back = models.DecimalField(**MONEY, default=ZERO)

    def __str__(self) -> str:
        return f"{self.demo_id} {self.amount} {self.state}"
