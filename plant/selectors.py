"""Reads of the plant's master data and downtime, shaped for the API and the pages."""

from django.db.models import Prefetch

from .models import Department, DowntimeEvent, DowntimeReason, Shift, UserWorkCenter, WallDisplay, WorkCenter


def department_list():
    return Department.objects.order_by("code")


def active_departments():
    """The departments in use, by code, for pickers."""
    return department_list().filter(is_active=True)


def work_center_list():
    return WorkCenter.objects.select_related("department").order_by("code")


def shift_list():
    return Shift.objects.order_by("start_time", "code")


def _by_code(queryset, code):
    """The record with this code, or None; a code holding a NUL names nothing (PostgreSQL refuses
    to even compare one)."""
    if not code or "\x00" in code:
        return None
    return queryset.filter(code=code).first()


def department_by_code(code, *, active_only=False):
    departments = Department.objects.filter(is_active=True) if active_only else Department.objects.all()
    return _by_code(departments, code)


def work_center_by_code(code):
    return _by_code(WorkCenter.objects.select_related("department"), code)


def active_work_center_codes():
    """Codes of the work centers in use, for pickers."""
    return work_center_list().filter(is_active=True).values_list("code", flat=True)


def department_choices():
    """``[(code, "code · name"), …]`` of the departments, for pickers."""
    return [(code, f"{code} · {name}") for code, name in department_list().values_list("code", "name")]


def user_work_center(*, user):
    """The work center ``user`` chose to work at, or None (none chosen, or it is no longer in use)."""
    choice = UserWorkCenter.objects.select_related("work_center").filter(user_id=user.pk, work_center__is_active=True).first()
    return choice.work_center if choice is not None else None


def wall_display_for_token(token):
    """The wall display (with its department) whose token this is, revoked or not; None for a token
    that is no display's. One query; compares the token's SHA-256, never the token."""
    from .services import wall_display_token_hash

    if not token or len(token) > 200:
        return None
    return WallDisplay.objects.select_related("department").filter(token_hash=wall_display_token_hash(token)).first()


def downtime_reason_list():
    return DowntimeReason.objects.order_by("code")


def active_downtime_reasons():
    """The reasons a new downtime may name, for pickers."""
    return downtime_reason_list().filter(is_active=True)


def downtime_event_list():
    """Downtime, newest first, with what the API and the pages show of it (no query per row)."""
    return DowntimeEvent.objects.select_related("work_center__department", "reason", "started_by", "ended_by").order_by(
        "-started_at", "-pk"
    )


def downtime_recent(*, since, department=None, limit):
    """The downtime that started since ``since`` (of one department, or all), newest first: at
    most ``limit``, and whether there is more."""
    events = downtime_event_list().filter(started_at__gte=since)
    if department is not None:
        events = events.filter(work_center__department=department)
    events = list(events[: limit + 1])
    return events[:limit], len(events) > limit


def work_centers_with_downtime(*, department=None):
    """The active work centers (of ``department``, or all) by department and code, each with
    ``open_downtime``: its open downtime event, or None — two queries."""
    work_centers = work_center_list().filter(is_active=True).order_by("department__code", "code")
    if department is not None:
        work_centers = work_centers.filter(department=department)
    open_events = DowntimeEvent.objects.filter(ended_at__isnull=True).select_related("reason", "started_by")
    work_centers = work_centers.prefetch_related(Prefetch("downtime_events", queryset=open_events, to_attr="open_events"))
    result = list(work_centers)
    for work_center in result:
        work_center.open_downtime = work_center.open_events[0] if work_center.open_events else None
    return result


# The events that can change what is down now (``open_downtime_by_work_center``): a page that shows
# it asks the event log for these to know it is out of date. (Downtime recorded afterwards,
# ``downtime.recorded``, has ended already.)
DOWNTIME_NOW_VERBS = ("downtime.started", "downtime.ended", "downtime.updated", "downtime.deleted")


def open_downtime_by_work_center():
    """``{work_center_id: event}`` of the downtime going on now, with its work center and reason (one
    query): what the board marks beside each order's current work center."""
    events = DowntimeEvent.objects.filter(ended_at__isnull=True).select_related("work_center__department", "reason")
    return {event.work_center_id: event for event in events.order_by("work_center__code")}
