from django.apps import AppConfig

# How the pages name this app's events.
VERB_LABELS = {
    "schedule.entry_created": "Scheduled",
    "schedule.entry_changed": "Schedule changed",
    "schedule.entry_removed": "Removed from schedule",
    "schedule.entry_replanned": "Replanned",
}


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Planning"

    def ready(self):
        from prodcoord.events.presenters import register_subject, register_verbs

        from .selectors import schedule_entry_labels

        register_verbs(VERB_LABELS)
        register_subject("planning.scheduleentry", schedule_entry_labels)
