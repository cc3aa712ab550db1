from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "prodcoord.events"
    label = "events"
    verbose_name = "Event log"
