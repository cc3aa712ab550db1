"""The kinds of events a person can be notified of, and the defaults each role starts with.

Verbs are strings (this layer never imports the apps that record them); their labels come from the
event presenter, where each app registers its own.
"""

# Events that notify a follower: what happens to a work order on the floor and to its schedule.
NOTIFY_VERBS = (
    "hold.placed",
    "hold.released",
    "work_order.priority_changed",
    "work_order.rescheduled",
    "work_order.released",
    "work_order.started",
    "work_order.completed",
    "work_order.closed",
    "work_order.cancelled",
    "work_order.progress_reported",
    "production_report.reversed",
    "schedule.entry_created",
    "schedule.entry_changed",
    "schedule.entry_removed",
    "shortage.escalated",
    "schedule.entry_replanned",
)

# Events that reach people by their role whatever they follow (their own subscription's e-mail choice
# wins when stronger): ``"all"`` — everyone with the role; ``"department"`` — those whose department
# (notification settings, else their chosen work center's) is one the event concerns.
ROLE_RECIPIENTS = {
    "shortage.escalated": {"planner": "all", "coordinator": "department"},
}
ROLE_RECIPIENT_EMAIL = "immediate"

HOLDS = ("hold.placed", "hold.released")
SCHEDULE_CHANGES = (
    "work_order.rescheduled",
    "work_order.priority_changed",
    "schedule.entry_created",
    "schedule.entry_changed",
    "schedule.entry_removed",
    "schedule.entry_replanned",
)
# A replanned entry (moved, or its quantity changed, with a reason) changes what the floor works to now.
DISRUPTIONS = (
    "hold.placed",
    "hold.released",
    "work_order.priority_changed",
    "work_order.rescheduled",
    "schedule.entry_replanned",
)

# What a person follows before they choose (``notification_defaults_apply``), by role; the first of
# their roles in this order that has defaults decides. ``"own department"``: the department of their
# notification settings (set by them on the settings page, or by an administrator); a role's
# department subscription is skipped while it is unknown.
#   (kind, target, verbs, email)
ROLE_DEFAULTS = {
    "supervisor": [("department", "own department", HOLDS, "immediate")],
    "coordinator": [("department", "own department", DISRUPTIONS, "none")],
    "planner": [("event", verb, (), "digest") for verb in SCHEDULE_CHANGES],
    "quality": [("event", verb, (), "immediate") for verb in HOLDS],
}
