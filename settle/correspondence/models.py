from django.conf import settings
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
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    invoices = models.ManyToManyField(
        "receivables.Invoice", verbose_name=_("invoices"), blank=True, related_name="messages"
    )
    pdf = models.FileField(_("PDF"), upload_to="letters/%Y/%m/", blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(DueRow.Meta):
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [*DueRow.Meta.indexes, models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"


class Template(models.Model):
    """The wording of one kind of message on one channel in one language.

    The texts are Jinja2 templates, rendered sandboxed with only the variables of their kind
    (see `kinds.py`); they are checked when saved, so a stored template always renders.
    """

    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "language"], name="template_kind_channel_language"
            )
        ]
        ordering = ["kind", "channel", "language"]

    def __str__(self) -> str:
        return f"{self.kind} / {self.channel} / {self.language}"


class Organisation(models.Model):
    """Who the correspondence comes from; one row (pk 1)."""

    name = models.CharField(_("name"), max_length=200, default="Settle")
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> "Organisation":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def address_lines(self) -> list[str]:
        second = " ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.street, second) if line]


class MessageAttachment(models.Model):
    """A file sent with an e-mail (an invoice copy, a letter), kept as it was sent."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="messages/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
