"""Dunning: action groups and their actions, runs over a selection of invoices with one item per
debtor, holds, scheduled runs, and the commercial interest rates.

A run is made once, with its items (one per debtor, listing that debtor's selected invoices);
the worker works the items (`DunningRunItem` is a DueRow), each idempotently, so a crash or a
second worker sends nothing twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from settle.common.models import DueRow, TimestampedModel
from settle.receivables.models import CollectionStatus, Debtor, Invoice


class ActionType(models.TextChoices):
    EMAIL = "email", _("E-mail reminder")
    SMS = "sms", _("SMS reminder")
    LETTER = "letter", _("Letter (PDF)")
    INVITATION = "invitation", _("Portal invitation")
    FOURTEEN_DAY_LETTER = "fourteen_day_letter", _("14-day letter (consumers)")
    STATUS_ONLY = "status_only", _("Set the status only")
    COLLECTION_AGENCY = "collection_agency", _("Hand over to a collection agency")


class ActionGroup(TimestampedModel):
    """A named set of actions an employee runs on a selection ("First reminder", "Final
    notice"). A group with history is archived, never deleted."""

    name = models.CharField(_("name"), max_length=100)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("action group")
        verbose_name_plural = _("action groups")

    def __str__(self) -> str:
        return self.name


class Action(models.Model):
    """One step of a group, done for each debtor of a run, in `position` order.

    `message_kind` is the correspondence kind whose template the message uses (reminder_1,
    reminder_2, final_notice, portal_invitation, fourteen_day_letter); `channel` the channel of
    a portal invitation (email or sms). `resulting_status` is set on the invoices the action
    reached.
    """

    group = models.ForeignKey(ActionGroup, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    action_type = models.CharField(_("action type"), max_length=20, choices=ActionType.choices)
    message_kind = models.CharField(_("template"), max_length=40, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    resulting_status = models.ForeignKey(
        CollectionStatus,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resulting collection status"),
    )

    class Meta:
        ordering = ["group", "position", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"{self.group_id}.{self.position} {self.name}"


class RunSource(models.TextChoices):
    MANUAL = "manual", _("Back office")
    SCHEDULE = "schedule", _("Schedule")
    API = "api", _("API")


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class DunningSchedule(TimestampedModel):
    """A group run by the worker every working day at `run_at` on a saved filter (the overview's
    query string), e.g. "first reminder: 7–20 days overdue, not yet reminded"."""

    name = models.CharField(_("name"), max_length=100)
    group = models.ForeignKey(ActionGroup, on_delete=models.PROTECT, related_name="schedules")
    filter_query = models.TextField(_("filter"), blank=True)
    run_at = models.TimeField(_("time"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["run_at", "name"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return self.name


class DunningRun(TimestampedModel):
    """A group run over a selection: the selection is kept as the filter that made it."""

    group = models.ForeignKey(ActionGroup, on_delete=models.PROTECT, related_name="runs")
    source = models.CharField(max_length=10, choices=RunSource.choices, default=RunSource.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filter_query = models.TextField(blank=True)
    # A scheduled run: at most one per (schedule, day), so a worker catching up after an
    # outage never runs a day twice.
    schedule = models.ForeignKey(
        DunningSchedule, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    schedule_day = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    invoice_count = models.PositiveIntegerField(default=0)
    debtor_count = models.PositiveIntegerField(default=0)
    # Invoices left out when the run was made, by reason (excluded, held, paid …).
    skipped = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("dunning run")
        verbose_name_plural = _("dunning runs")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "schedule_day"],
                condition=Q(schedule__isnull=False),
                name="dunning_run_once_per_schedule_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.created_at:%Y-%m-%d %H:%M}"


class ItemState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Done")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class DunningRunItem(DueRow):
    """One debtor of a run: every action of the group, once, for that debtor's invoices of the
    run (one consolidated message per action, not one per invoice)."""

    run = models.ForeignKey(DunningRun, on_delete=models.CASCADE, related_name="items")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="dunning_items")
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.PENDING)
    # Why the item was skipped or failed, as a code (skip reasons) and a text for people.
    reason = models.CharField(max_length=40, blank=True)
    detail = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta(DueRow.Meta):
        ordering = ["run", "pk"]
        indexes = [
            *DueRow.Meta.indexes,
            models.Index(fields=["run", "state"], name="dunning_item_run_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "debtor"], name="dunning_item_once_per_debtor")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.debtor_id} {self.state}"


class DunningItemInvoice(models.Model):
    """An invoice of an item; `skipped_reason` when it was left out at processing (paid since,
    held, excluded since the run was made). `processed_at` is when the item's actions reached
    it: the overview's "last dunning action" reads it."""

    item = models.ForeignKey(DunningRunItem, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="dunning_lines")
    skipped_reason = models.CharField(max_length=40, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "invoice"], name="dunning_line_once"),
        ]
        indexes = [models.Index(fields=["invoice", "processed_at"], name="dunning_line_last")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.invoice_id}"


class DunningHold(TimestampedModel):
    """An invoice or a whole debtor kept out of dunning until a date (inclusive), with a reason.
    It ends by itself after `until`; `lifted_at` when an employee lifts it earlier."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, null=True, blank=True, related_name="dunning_holds"
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, null=True, blank=True, related_name="dunning_holds"
    )
    until = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("dunning hold")
        verbose_name_plural = _("dunning holds")
        constraints = [
            models.CheckConstraint(
                condition=(Q(invoice__isnull=False) & Q(debtor__isnull=True))
                | (Q(invoice__isnull=True) & Q(debtor__isnull=False)),
                name="dunning_hold_invoice_or_debtor",
            ),
        ]

    def __str__(self) -> str:
        return f"hold {self.invoice_id or self.debtor_id} until {self.until}"


class InterestRate(models.Model):
    """The statutory commercial interest rate (wettelijke handelsrente) from `valid_from` until
    the next period's start, in percent a year. Administrators add a period each half year."""

    valid_from = models.DateField(_("valid from"), unique=True)
    rate = models.DecimalField(_("rate (% a year)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("commercial interest rate")
        verbose_name_plural = _("commercial interest rates")

    def __str__(self) -> str:
        return f"{self.valid_from}: {self.rate}%"
