from django.apps import AppConfig

# How the pages name this app's events.
VERB_LABELS = {
    "action_item.created": "Action item created",
    "action_item.updated": "Action item changed",
    "action_item.done": "Action item done",
    "action_item.cancelled": "Action item cancelled",
    "action_item.reopened": "Action item reopened",
    "shift_handover.submitted": "Handover submitted",
    "shift_handover.acknowledged": "Handover acknowledged",
    "roster.set": "Roster changed",
}

# The events that tell an action item's owner about it (``coordination.tasks``).
OWNER_NOTIFY_VERBS = (
    "action_item.created",
    "action_item.updated",
    "action_item.done",
    "action_item.cancelled",
    "action_item.reopened",
)


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = "Coordination"

    def ready(self):
        from prodcoord.events import hooks
        from prodcoord.events.presenters import register_verbs

        register_verbs(VERB_LABELS)
        hooks.subscribe_task("coordination.tasks.action_items_notify_owner_task", verbs=OWNER_NOTIFY_VERBS)
        hooks.subscribe_task("coordination.tasks.shift_handovers_notify_incoming_task", verbs=("shift_handover.submitted",))
