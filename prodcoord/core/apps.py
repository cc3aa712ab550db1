from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prodcoord.core"
    label = "core"
    verbose_name = "Core"
