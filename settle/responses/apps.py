from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    name = "settle.responses"
    label = "responses"
    verbose_name = _("Responses")
