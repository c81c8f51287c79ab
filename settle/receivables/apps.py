from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    name = "settle.receivables"
    label = "receivables"
    verbose_name = _("Receivables")

    def ready(self) -> None:
        from settle.receivables import checks  # noqa: F401 (registers the system checks)
