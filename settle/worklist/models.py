from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from settle.common.models import TimestampedModel
from settle.worklist.texts import task_description, task_title


class TaskKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    ALREADY_PAID = "already_paid", _("Already paid")
    UNKNOWN_INVOICE = "unknown_invoice", _("Invoice unknown")
    NOT_APPROVED = "not_approved", _("Not yet approved")
    COPY_REQUEST = "copy_request", _("Send invoice copy")
    PROMISE_BROKEN = "promise_broken", _("Promise to pay not kept")
    ARRANGEMENT_REVIEW = "arrangement_review", _("Review arrangement proposal")
    ARRANGEMENT_DEFAULTED = "arrangement_defaulted", _("Arrangement instalment not paid")
    PAYMENT_MISMATCH = "payment_mismatch", _("Payment differs")
    PAYMENT_REFUND = "payment_refund", _("Refund over-payment")
    PAYMENT_REVERSED = "payment_reversed", _("Payment refunded or charged back")


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=TaskState.OPEN)


class Task(TimestampedModel):
    """Work for a person: what a workflow could not settle by itself."""

    kind = models.CharField(_("kind"), max_length=30, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # What the task is, for writing its title and description in the reader's language (see
    # texts.py); `title` and `description` keep the text in the organisation's language, and
    # are all that tasks from before have.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    debtor = models.ForeignKey(
        "receivables.Debtor",
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("debtor"),
    )
    invoices = models.ManyToManyField(
        "receivables.Invoice", related_name="tasks", blank=True, verbose_name=_("invoices")
    )
    response = models.ForeignKey(
        "responses.Response",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("response"),
    )
    due_date = models.DateField(_("due date"), db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["state", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open", closed_at__isnull=True)
                | Q(state="done", closed_at__isnull=False),
                name="task_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title_text

    @property
    def title_text(self) -> str:
        """The title in the reader's (the active) language."""
        return task_title(self)

    @property
    def description_text(self) -> str:
        """The description in the reader's (the active) language."""
        return task_description(self)

    @property
    def is_overdue(self) -> bool:
        return self.state == TaskState.OPEN and self.due_date < timezone.localdate()
