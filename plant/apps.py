from django.apps import AppConfig

VERB_LABELS = {
    "wall_display.created": "Wall display created",
    "wall_display.revoked": "Wall display revoked",
}


class PlantConfig(AppConfig):
    name = "plant"
    verbose_name = "Plant"

    def ready(self):
        from prodcoord.events.presenters import register_verbs

        register_verbs(VERB_LABELS)
