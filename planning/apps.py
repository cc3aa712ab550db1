from django.apps import AppConfig

# How the pages name this app's events.
VERB_LABELS = {
    "schedule.entry_created": "Scheduled",
    "schedule.entry_changed": "Schedule changed",
    "schedule.entry_removed": "Removed from schedule",
    "shortage.raised": "Shortage raised",
    "shortage.escalated": "Shortage escalated",
    "shortage.acknowledged": "Shortage acknowledged",
    "shortage.resolved": "Shortage resolved",
    "schedule.entry_replanned": "Replanned",
}


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Planning"

    def ready(self):
        from prodcoord.events import hooks
        from prodcoord.events.presenters import register_subject, register_verbs

        from .selectors import schedule_entry_labels
        from .shortages import TRIGGER_PREFIXES, TRIGGER_VERBS

        register_verbs(VERB_LABELS)
        register_subject("planning.scheduleentry", schedule_entry_labels)
        # Whatever changes supply or demand marks its items for the debounced netting run, through the
        # outbox message written in the change's own transaction (lower layers never import planning).
        hooks.subscribe_task("planning.tasks.shortages_mark_task", verbs=TRIGGER_VERBS, prefixes=TRIGGER_PREFIXES)
