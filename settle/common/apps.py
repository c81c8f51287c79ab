from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "settle.common"
    label = "common"
