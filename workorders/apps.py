from django.apps import AppConfig

# How the pages name this app's events.
VERB_LABELS = {
    "work_order.created": "Created",
    "work_order.released": "Released",
    "work_order.started": "Started",
    "work_order.completed": "Completed",
    "work_order.closed": "Closed",
    "work_order.cancelled": "Cancelled",
    "work_order.deleted": "Deleted",
    "work_order.priority_changed": "Priority changed",
    "work_order.rescheduled": "Rescheduled",
    "work_order.updated": "Changed",
    "work_order.progress_reported": "Progress reported",
    "hold.placed": "Hold placed",
    "hold.released": "Hold released",
}


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = "Work orders"

    def ready(self):
        from prodcoord.events.presenters import register_verbs

        register_verbs(VERB_LABELS)
