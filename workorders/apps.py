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
    "production_report.reversed": "Report reversed",
    "hold.placed": "Hold placed",
    "hold.released": "Hold released",
    "scrap_reason.created": "Scrap reason created",
    "scrap_reason.updated": "Scrap reason changed",
    "scrap_reason.deleted": "Scrap reason deleted",
}


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = "Work orders"

    def ready(self):
        from prodcoord.events.presenters import register_subject, register_verbs

        from .selectors import production_report_labels

        register_verbs(VERB_LABELS)
        register_subject("workorders.productionreport", production_report_labels)
