"""The site's navigation: each person sees the pages their role can use — the pages of the
coordinator's day in the header, the rest under "More".

Entries name their pages by URL name (a string: the pages belong to the apps above this
layer). ``navigation`` is a context processor; what it gives is worked out only when a
template uses it, once per request: the person's roles (the header shows them too) in one
query, their permissions from the permission cache (prodcoord/core/auth.py).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .roles import API_ROLES, role_names


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    # The URL names of the pages that belong to this entry (it is marked as the current one on them).
    pages: tuple = ()
    permission: str | None = None  # shown only to those who have it
    roles: tuple = ()  # shown only to these roles (and staff), when given
    staff: bool = False  # shown only to staff
    more: bool = False  # under "More": a page one opens now and then, not many times a shift


ENTRIES = (
    # The coordinator's day, in the header.
    Entry("Open orders", "home", pages=("home", "work-order-detail", "work-order-edit")),
    Entry("Schedule", "schedule", pages=("schedule",)),
    Entry("Morning brief", "brief", pages=("brief", "brief-date")),
    Entry("Shortages", "shortages", pages=("shortages",), roles=("planner", "coordinator", "supervisor", "materials_handler")),
    Entry("Downtime", "downtime", pages=("downtime",)),
    Entry(
        "My actions",
        "action-items",
        pages=("action-items", "action-item-new", "action-item-edit"),
        permission="coordination.view_actionitem",
    ),
    Entry("Handovers", "handovers", pages=("handovers", "handover-detail"), permission="coordination.view_shifthandover"),
    Entry("Notifications", "notifications", pages=("notifications", "notification-settings")),
    # Under "More".
    Entry("Activity", "activity", pages=("activity",), more=True),
    Entry("My work center", "my-work-center", pages=("my-work-center", "work-center-queue"), more=True),
    Entry(
        "Floor mode",
        "floor-pick",
        pages=("floor-pick", "floor-work-order"),
        permission="workorders.report_progress",
        more=True,
    ),
    Entry("To close", "work-orders-completed", pages=("work-orders-completed",), more=True),
    Entry("History", "work-orders-history", pages=("work-orders-history",), more=True),
    Entry("Pick list", "pick-list", pages=("pick-list",), permission="materials.move_stock", more=True),
    Entry("Receiving", "receiving", pages=("receiving",), permission="materials.receive_expectedreceipt", more=True),
    Entry("New order", "work-order-create", pages=("work-order-create",), permission="workorders.add_workorder", more=True),
    Entry("API docs", "api-docs", roles=API_ROLES, more=True),
    Entry("Admin", "admin:index", staff=True, more=True),
)


def _visible(entry, user, roles):
    if entry.staff and not user.is_staff:
        return False
    if entry.roles and not (user.is_staff or set(entry.roles) & set(roles)):
        return False
    return entry.permission is None or user.has_perm(entry.permission)


class Navigation:
    def __init__(self, request):
        user = request.user
        self.roles = role_names(user)
        match = getattr(request, "resolver_match", None)
        here = match.view_name if match is not None else None
        visible = [
            ({"label": e.label, "name": e.url_name, "url": reverse(e.url_name), "current": here in e.pages}, e.more)
            for e in ENTRIES
            if user.is_authenticated and _visible(e, user, self.roles)
        ]
        self.entries = [entry for entry, more in visible if not more]
        self.more = [entry for entry, more in visible if more]
        self.more_current = any(entry["current"] for entry in self.more)

    @property
    def role_label(self):
        return ", ".join(self.roles)


def navigation(request):
    return {"nav": SimpleLazyObject(lambda: Navigation(request))}
