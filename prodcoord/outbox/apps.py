from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "prodcoord.outbox"
    label = "outbox"
    verbose_name = "Outbox"
