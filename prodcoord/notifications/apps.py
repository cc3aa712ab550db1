from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "prodcoord.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from prodcoord.events import hooks

        from .kinds import NOTIFY_VERBS

        # In the transaction that records one of these events, an outbox message to fan it out to the
        # followers: notifications and their e-mails are never lost, and never made for a rolled-back change.
        hooks.subscribe_task("prodcoord.notifications.tasks.notifications_fan_out_task", verbs=NOTIFY_VERBS)
