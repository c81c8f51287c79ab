from django.db import models
from django.utils.translation import gettext_lazy as _

from settle.common.models import TimestampedModel


class ApiKey(TimestampedModel):
    """A key for the ERP. Only the SHA-256 of the key is kept; the key itself is shown once."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("To recognise a key."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
