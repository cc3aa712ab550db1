from django.apps import AppConfig

# How the pages name this app's events.
VERB_LABELS = {
    "wall_display.created": "Wall display created",
    "wall_display.revoked": "Wall display revoked",
    "downtime.started": "Down",
    "downtime.recorded": "Downtime recorded",
    "downtime.ended": "Running again",
    "downtime.updated": "Downtime corrected",
    "downtime.deleted": "Downtime deleted",
}


class PlantConfig(AppConfig):
    name = "plant"
    verbose_name = "Plant"

    def ready(self):
        from prodcoord.events.presenters import register_verbs

        register_verbs(VERB_LABELS)
