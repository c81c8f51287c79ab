from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from settle.common.models import DueRow, TimestampedModel
from settle.receivables.models import MONEY
from settle.responses.models import OnBroken


class ArrangementPolicy(TimestampedModel):
    """The rules within which a proposed arrangement is accepted without a person looking at it.

    One per response type, made with the defaults the first time the type is used. A change
    applies to proposals made after it; decided arrangements keep what they were decided on.
    """

    response_type = models.OneToOneField(
        "responses.ResponseType",
        on_delete=models.CASCADE,
        related_name="arrangement_policy",
        verbose_name=_("response type"),
    )
    max_instalments = models.PositiveSmallIntegerField(
        _("maximum number of instalments"), default=6
    )
    min_instalment_amount = models.DecimalField(
        _("minimum instalment amount"), default=Decimal("25.00"), **MONEY
    )
    max_total_amount = models.DecimalField(
        _("maximum total amount"), default=Decimal("5000.00"), **MONEY
    )
    max_days_to_first = models.PositiveSmallIntegerField(
        _("maximum days until the first instalment"), default=30
    )
    max_duration_months = models.PositiveSmallIntegerField(
        _("maximum duration in months"), default=12
    )
    # 0 switches the look-back off.
    no_auto_accept_months = models.PositiveSmallIntegerField(
        _("no automatic acceptance after a broken promise or arrangement within (months)"),
        default=12,
    )

    class Meta:
        verbose_name = _("arrangement policy")
        verbose_name_plural = _("arrangement policies")

    def __str__(self) -> str:
        return str(self.response_type)


class ArrangementState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    UNDER_REVIEW = "under_review", _("Under review")
    # Its own context: an import is "bezig" (busy), an arrangement "lopend" (in force).
    ACCEPTED = "accepted", pgettext_lazy("arrangement state", "Running")
    REJECTED = "rejected", _("Rejected")
    DEFAULTED = "defaulted", _("Defaulted")
    COMPLETED = "completed", _("Completed")
    # Ended by an employee before it was paid, at the debtor's request; the debtor is told why.
    ENDED = "ended", _("Ended early")


class PaymentArrangement(TimestampedModel):
    """A debtor's proposal to pay the invoices of a response in monthly instalments.

    The proposal itself (number of instalments, first date) is kept next to the total, so the
    schedule offered for review can always be rebuilt; the instalments exist once accepted.
    """

    response = models.OneToOneField(
        "responses.Response",
        on_delete=models.CASCADE,
        related_name="arrangement",
        verbose_name=_("response"),
    )
    debtor = models.ForeignKey(
        "receivables.Debtor",
        on_delete=models.PROTECT,
        related_name="arrangements",
        verbose_name=_("debtor"),
    )
    total = models.DecimalField(_("total"), **MONEY)
    proposed_count = models.PositiveIntegerField(_("proposed number of instalments"), default=0)
    proposed_first_date = models.DateField(_("proposed first date"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ArrangementState.choices,
        default=ArrangementState.PROPOSED,
        db_index=True,
    )
    # [{"rule": "max_instalments", "limit": "6"}, …]: shown in the reader's language.
    policy_failures = models.JSONField(_("policy rules not met"), default=list, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # The type's settings when the proposal came in: later changes apply to new proposals only.
    grace_days = models.PositiveSmallIntegerField(_("grace days"))
    on_broken = models.CharField(
        _("when an instalment is missed"), max_length=10, choices=OnBroken.choices
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment arrangement")
        verbose_name_plural = _("payment arrangements")
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0), name="arrangement_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.debtor_id} {self.total} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("backoffice:arrangement_detail", kwargs={"pk": self.pk})


class InstalmentState(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    DEFAULTED = "defaulted", _("Not paid")
    # Not due any more: its arrangement defaulted or was ended before it.
    CANCELLED = "cancelled", _("Cancelled")


class Instalment(DueRow):
    """One instalment of an accepted arrangement; checked by the worker at `due_at` (the start of
    its due date plus the arrangement's grace days, in the organisation's time zone)."""

    arrangement = models.ForeignKey(
        PaymentArrangement,
        on_delete=models.CASCADE,
        related_name="instalments",
        verbose_name=_("arrangement"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=InstalmentState.choices,
        default=InstalmentState.PENDING,
    )
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta(DueRow.Meta):
        ordering = ["arrangement", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        indexes = [
            *DueRow.Meta.indexes,
            models.Index(
                fields=["due_at", "id"],
                condition=Q(state="pending"),
                name="instalment_pending_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="instalment_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
            models.CheckConstraint(
                condition=Q(state="pending", settled_at__isnull=True)
                | (~Q(state="pending") & Q(settled_at__isnull=False)),
                name="instalment_settled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrangement_id}/{self.number} {self.due_date} {self.amount}"
