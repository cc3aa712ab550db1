from django.apps import AppConfig

# How the pages name this app's events.
VERB_LABELS = {
    "morning_brief.generated": "Morning brief generated",
    "morning_brief.published": "Morning brief",
}


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from prodcoord.events.presenters import register_verbs

        register_verbs(VERB_LABELS)
