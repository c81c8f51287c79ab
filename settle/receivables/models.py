from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from settle.common.languages import in_language
from settle.common.models import DueRow, TimestampedModel

ZERO = Decimal("0.00")
MONEY = {"max_digits": 14, "decimal_places": 2}


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    ONLINE = "online", _("Online payment")


class DeliveryMethod(models.TextChoices):
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    SMS = "sms", _("SMS")


class DebtorKind(models.TextChoices):
    """A consumer gets the statutory 14-day letter before collection costs may be charged; a
    business may be charged commercial interest and the EU's fixed compensation."""

    BUSINESS = "business", _("Business")
    CONSUMER = "consumer", _("Consumer")


class Debtor(TimestampedModel):
    number = models.CharField(_("number"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True, help_text="E.164")
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    payment_method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    delivery_method = models.CharField(
        _("delivery method"),
        max_length=10,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.EMAIL,
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=DebtorKind.choices, default=DebtorKind.BUSINESS
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("backoffice:debtor_detail", kwargs={"pk": self.pk})


class CollectionStatus(models.Model):
    """Where an invoice stands in the organisation's chasing; the list is configurable."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_nl = models.CharField(_("Dutch label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("collection status")
        verbose_name_plural = _("collection statuses")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_language(self.label_nl, self.label_en)


class PaymentState(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")


class InvoiceQuerySet(models.QuerySet):
    def open(self):
        return self.filter(open_amount__gt=0)

    def with_payment_state(self, state: str):
        if state == PaymentState.PAID:
            return self.filter(open_amount__lte=0)
        if state == PaymentState.PARTLY_PAID:
            return self.filter(open_amount__gt=0, open_amount__lt=models.F("amount"))
        if state == PaymentState.OPEN:
            return self.filter(open_amount__gt=0, open_amount__gte=models.F("amount"))
        return self.none()


class Invoice(TimestampedModel):
    number = models.CharField(_("number"), max_length=50, unique=True)
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("debtor")
    )
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"), db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    payment_reference = models.CharField(_("payment reference"), max_length=50, blank=True)
    collection_status = models.ForeignKey(
        CollectionStatus,
        on_delete=models.PROTECT,
        to_field="code",
        db_column="collection_status",
        default="open",
        related_name="+",
        verbose_name=_("collection status"),
    )
    document = models.FileField(_("document"), upload_to="invoices/%Y/%m/", blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(
                condition=Q(open_amount__gte=0), name="invoice_open_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("backoffice:invoice_detail", kwargs={"pk": self.pk})

    @property
    def payment_state(self) -> str:
        if self.open_amount <= ZERO:
            return PaymentState.PAID
        if self.open_amount < self.amount:
            return PaymentState.PARTLY_PAID
        return PaymentState.OPEN

    def get_payment_state_display(self) -> str:
        return PaymentState(self.payment_state).label

    @property
    def is_overdue(self) -> bool:
        return self.open_amount > ZERO and self.due_date < timezone.localdate()


class PaymentSource(models.TextChoices):
    ERP = "erp", _("ERP")
    BANK = "bank", _("Bank")
    PSP = "psp", _("Payment provider")
    MANUAL = "manual", _("Manual")


class Payment(TimestampedModel):
    debtor = models.ForeignKey(
        Debtor,
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
        verbose_name=_("debtor"),
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=PaymentSource.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # The same bank line or ERP payment must never be booked twice.
            models.UniqueConstraint(
                fields=["source", "reference"],
                condition=~Q(reference=""),
                name="payment_unique_source_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.reference}"

    @property
    def unallocated_amount(self) -> Decimal:
        """What is on no invoice: a reversal lowers the allocations by what went back, so
        that money is neither allocated nor still here."""
        allocated = sum((a.amount for a in self.allocations.all()), ZERO)
        reversed_ = sum((r.amount for r in self.reversals.all()), ZERO)
        return self.amount - allocated - reversed_


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.amount}"


class PaymentReversal(models.Model):
    """Money of a booked payment that went back to the payer (a refund, a chargeback): the
    allocations it lowered reopened their invoices by the same amount."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="reversals")
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("payment reversal")
        verbose_name_plural = _("payment reversals")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reversal_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: -{self.amount}"


class ImportKind(models.TextChoices):
    DEBTORS = "debtors", _("Debtors")
    INVOICES = "invoices", _("Invoices")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    CHECKING = "checking", _("Checking")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(DueRow):
    """An uploaded CSV file waiting for, or being checked and imported by, the worker."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.QUEUED
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    # Rows (data lines) of the file, known once the check has read it all.
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The first problems by line ({"line", "field", "message"}); error_count counts all of them.
    line_errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # The uploader's language, in which the worker writes the problems it finds.
    language = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(DueRow.Meta):
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state == ImportState.DONE else 0
        return int(self.rows_done * 100 / self.rows_total)
