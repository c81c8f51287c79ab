from django.db import models
from django.utils.translation import gettext_lazy as _

from settle.common.models import DueRow


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")


class MessageStatus(models.TextChoices):
    READY = "ready", _("Ready")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(DueRow):
    """One piece of correspondence in the outbox, written with the change that caused it.

    The worker delivers it when due; `idempotency_key` names the cause, so the same cause never
    yields two messages, and it doubles as the e-mail's Message-ID so that a resend after a crash
    is recognisable downstream.
    """

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    debtor = models.ForeignKey(
        "receivables.Debtor",
        verbose_name=_("debtor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    cause = models.CharField(_("cause"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.READY
    )
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"
