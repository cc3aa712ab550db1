from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


def _sync_roles(sender, apps=None, **kwargs):
    """Keep the role groups and their permissions current after every migrate (and every test flush)."""
    from django.apps import apps as global_apps

    from .roles import sync_roles

    sync_roles(apps or global_apps)


class CoreConfig(AppConfig):
    name = "prodcoord.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="prodcoord.core.sync_roles")
        # Connects the request id to Celery's signals: queued tasks carry it, workers log it.
        from . import request_id  # noqa: F401
        from .sessions import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="prodcoord.core.sessions.stamp_login")

        from .auth import connect_receivers

        connect_receivers()
