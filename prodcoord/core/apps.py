from django.apps import AppConfig
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

        from .auth import connect_receivers

        connect_receivers()
