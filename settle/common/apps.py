from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "settle.common"
    label = "common"

    def ready(self) -> None:
        from settle.common import checks  # noqa: F401 (registers the system checks)
