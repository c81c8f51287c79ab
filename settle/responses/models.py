from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from settle.common.languages import in_language
from settle.common.models import DueRow, TimestampedModel
from settle.receivables.models import MONEY, Debtor, Invoice


class WorkflowKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    ALREADY_PAID = "already_paid", _("Already paid")
    PROMISE = "promise", _("Promise to pay")
    UNKNOWN_INVOICE = "unknown_invoice", _("Invoice unknown")
    NOT_APPROVED = "not_approved", _("Not yet approved")
    COPY_REQUEST = "copy_request", _("Copy request")
    ARRANGEMENT = "arrangement", _("Payment arrangement")


class OnBroken(models.TextChoices):
    """What happens when a promised payment (or an arrangement's instalment) does not come."""

    TASK = "task", _("Create a task for an employee")
    RESUME = "resume", _("Close the response, so dunning resumes")


class ResponseType(TimestampedModel):
    """What a debtor can answer (the back office calls it an action type).

    The workflow parameters below steer what a response of this type sets going; a running
    workflow keeps the values it started with (see PaymentPromise), so a change applies to new
    responses only.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    workflow = models.CharField(_("workflow"), max_length=20, choices=WorkflowKind.choices)
    name_nl = models.CharField(_("Dutch name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    external_action_id = models.CharField(_("external action ID"), max_length=50, blank=True)
    excludes_from_dunning = models.BooleanField(_("exclude from dunning"), default=False)
    enabled_in_portal = models.BooleanField(_("enabled in portal"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    promise_max_days = models.PositiveSmallIntegerField(
        _("maximum days until the promised date"), default=30
    )
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=2)
    on_broken = models.CharField(
        _("when a payment is missed"),
        max_length=10,
        choices=OnBroken.choices,
        default=OnBroken.TASK,
    )
    notify_broken = models.BooleanField(_("tell the debtor about a broken promise"), default=True)
    task_due_days = models.PositiveSmallIntegerField(_("days until a task is due"), default=2)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("response type")
        verbose_name_plural = _("response types")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_nl, self.name_en)


class FieldKind(models.TextChoices):
    TEXT = "text", _("Free text")
    DATE = "date", _("Date")
    AMOUNT = "amount", _("Amount")
    INTEGER = "integer", _("Whole number")
    CHOICE = "choice", _("Choice")
    EMAIL = "email", _("E-mail address")
    FILE = "file", _("File (PDF, JPEG, PNG)")


class DateRule(models.TextChoices):
    ANY = "any", _("Any date")
    TODAY_OR_LATER = "future", _("Today or later")
    TODAY_OR_EARLIER = "past", _("Today or earlier")


class ResponseField(models.Model):
    """One input a response type shows. Visible fields are required unless optional."""

    response_type = models.ForeignKey(ResponseType, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices)
    label_nl = models.CharField(_("Dutch label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100)
    visible = models.BooleanField(_("visible"), default=True)
    optional = models.BooleanField(_("optional"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    date_rule = models.CharField(
        _("date rule"), max_length=10, choices=DateRule.choices, default=DateRule.ANY
    )
    # For kind=choice: [{"value": "...", "label_nl": "...", "label_en": "..."}, ...]
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("response field")
        verbose_name_plural = _("response fields")
        constraints = [
            models.UniqueConstraint(fields=["response_type", "key"], name="field_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.response_type.code}.{self.key}"

    @property
    def label(self) -> str:
        return in_language(self.label_nl, self.label_en)


class ResponseState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ResponseChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    BACKOFFICE = "backoffice", _("Back office")
    API = "api", _("API")


class ResponseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=ResponseState.OPEN)


class Response(TimestampedModel):
    """One submission by a debtor for one or more of their invoices."""

    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="responses")
    response_type = models.ForeignKey(
        ResponseType, on_delete=models.PROTECT, related_name="responses"
    )
    invoices = models.ManyToManyField(Invoice, related_name="responses")
    # Entered values by field key, JSON-safe: dates ISO 8601, amounts as decimal strings.
    values = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ResponseState.choices, default=ResponseState.OPEN
    )
    channel = models.CharField(
        max_length=12, choices=ResponseChannel.choices, default=ResponseChannel.PORTAL
    )
    # The form's one-time token: a double click or a resubmitted page finds the first response.
    submission_key = models.CharField(max_length=64)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("note"), blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["debtor", "submission_key"], name="response_submission_once"
            ),
            models.CheckConstraint(
                condition=Q(state="open", closed_at__isnull=True)
                | Q(state="closed", closed_at__isnull=False),
                name="response_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_type.code} {self.debtor_id} {self.created_at:%Y-%m-%d}"


class ResponseAttachment(TimestampedModel):
    """A file a debtor uploaded with a response; served to staff only, by id."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="attachments")
    field_key = models.SlugField(max_length=40)
    file = models.FileField(upload_to="responses/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class PromiseState(models.TextChoices):
    PENDING = "pending", _("Pending")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


class PaymentPromise(DueRow):
    """A debtor's promise to pay their response's invoices by a date, checked at `due_at`
    (the start of the promised date plus the grace days, in the organisation's time zone).

    The type's parameters are copied here when the promise is made: an administrator changing
    them later does not change what this promise was told.
    """

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="promise")
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="promises", verbose_name=_("debtor")
    )
    promised_date = models.DateField(_("promised date"))
    # The open amount of the invoices when the promise was made: what was promised.
    amount = models.DecimalField(_("amount"), **MONEY)
    grace_days = models.PositiveSmallIntegerField(_("grace days"))
    on_broken = models.CharField(
        _("when the promise is broken"), max_length=10, choices=OnBroken.choices
    )
    notify_broken = models.BooleanField(_("tell the debtor when broken"))
    state = models.CharField(
        _("state"), max_length=10, choices=PromiseState.choices, default=PromiseState.PENDING
    )
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta(DueRow.Meta):
        ordering = ["due_at", "pk"]
        verbose_name = _("payment promise")
        verbose_name_plural = _("payment promises")
        indexes = [
            *DueRow.Meta.indexes,
            # The worker's claim walks pending promises by due time; kept and broken ones (the
            # great majority after a while) are not in this index at all.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(state="pending"),
                name="promise_pending_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="pending", settled_at__isnull=True)
                | (~Q(state="pending") & Q(settled_at__isnull=False)),
                name="promise_settled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} {self.promised_date} {self.state}"
