from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark plants (``seed_demo``, ``seed_plant``). No domain app imports this one."""

    name = "demo"
    verbose_name = "Demo plants"
