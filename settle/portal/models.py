from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from settle.common.models import TimestampedModel
from settle.receivables.models import Debtor


class PortalSettings(models.Model):
    """The organisation's portal-wide settings; one row (pk 1)."""

    link_validity_days = models.PositiveSmallIntegerField(
        _("link validity (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "How many days after the day it was created a portal link stays valid, up to and "
            "including the last of them."
        ),
    )
    one_link_per_debtor = models.BooleanField(
        _("one valid link per debtor"),
        default=False,
        help_text=_("A new link revokes the debtor's older links."),
    )

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")

    def __str__(self) -> str:
        return str(_("Portal settings"))

    @classmethod
    def load(cls) -> "PortalSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class PortalLink(TimestampedModel):
    """A magic link to one debtor's portal. Only the SHA-256 of its key is stored."""

    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="portal_links", verbose_name=_("debtor")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")

    def __str__(self) -> str:
        return f"{self.debtor_id} until {self.expires_at:%Y-%m-%d}"

    def is_valid_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > moment


class PortalEventKind(models.TextChoices):
    ISSUED = "issued", _("Link created")
    SIGNED_IN = "signed_in", _("Signed in with link")
    REFUSED = "refused", _("Link refused")
    REVOKED = "revoked", _("Link revoked")
    NEW_LINK_REQUESTED = "new_link_requested", _("New link requested")
    SIGNED_OUT = "signed_out", _("Signed out")


class RefusalReason(models.TextChoices):
    UNKNOWN = "unknown", _("unknown key")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")
    INACTIVE = "inactive", _("debtor inactive")
    RATE_LIMITED = "rate_limited", _("too many attempts")


class PortalEvent(models.Model):
    """What happened with portal links, for the debtor's page. Never holds a key."""

    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, null=True, blank=True, related_name="portal_events"
    )
    link = models.ForeignKey(
        PortalLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=PortalEventKind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=RefusalReason.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("portal event")
        verbose_name_plural = _("portal events")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class PayLink(models.Model):
    """The pay button of one message: which debtor's invoices it pays, and until when.

    The link's token is this row's id, signed (see `paylinks.py`): short enough for an SMS, and
    unguessable without the secret key. The row is the claim, so the server decides expiry.
    """

    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="pay_links", verbose_name=_("debtor")
    )
    # Ids, not a relation: the link names what the message named, whatever became of it since;
    # the pay page asks for what is still open.
    invoice_ids = models.JSONField(_("invoices"), default=list)
    expires_at = models.DateTimeField(_("valid until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pay link")
        verbose_name_plural = _("pay links")

    def __str__(self) -> str:
        return f"{self.debtor_id} until {self.expires_at:%Y-%m-%d}"
