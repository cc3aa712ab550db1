"""The roster: the department and shift each person works."""

from django.db import transaction

from prodcoord.core.rows import RowErrors, single
from prodcoord.events.services import EventBatch

from ..models import RosterEntry


@transaction.atomic
def roster_entries_set(*, actor, rows):
    """Put people on a department's shift: rows ``{"user", "department", "shift"}`` (``department``
    ``None`` takes the person off the roster). Returns the entries (``None`` for one removed)."""
    rows = list(rows)
    errors = RowErrors()
    for index, row in enumerate(rows):
        department, shift = row.get("department"), row.get("shift")
        if row.get("user") is None:
            errors.add(index, "user", "Choose the person.")
        if department is None and shift is None:
            continue
        if department is None:
            errors.add(index, "department", "Choose the department.")
        elif not department.is_active:
            errors.add(index, "department", f"{department.code} is not in use any more.")
        if shift is None:
            errors.add(index, "shift", "Choose the shift.")
        elif not shift.is_active:
            errors.add(index, "shift", f"{shift.code} is not in use any more.")
    errors.raise_if_any()
    current = {e.user_id: e for e in RosterEntry.objects.select_for_update().filter(user_id__in=[r["user"].pk for r in rows])}
    events = EventBatch(actor=actor)
    result = []
    for row in rows:
        user, department, shift = row["user"], row.get("department"), row.get("shift")
        entry = current.get(user.pk)
        old = (entry.department.code, entry.shift.code) if entry is not None else (None, None)
        if department is None:
            if entry is not None:
                entry.delete()
                current.pop(user.pk)
            result.append(None)
            new = (None, None)
        else:
            entry, _ = RosterEntry.objects.update_or_create(user=user, defaults={"department": department, "shift": shift})
            current[user.pk] = entry
            result.append(entry)
            new = (department.code, shift.code)
        if old != new:
            subject = entry if entry is not None else RosterEntry(user=user)
            subject.pk = user.pk
            events.add(
                verb="roster.set",
                subject=subject,
                changes={"department": [old[0], new[0]], "shift": [old[1], new[1]]},
                scope=[(department.pk, None)] if department is not None else [],
            )
    events.save()
    return result


def roster_entry_set(*, actor, user, department, shift):
    return single(roster_entries_set, {"user": user, "department": department, "shift": shift}, actor=actor)
