"""Action items: created from a meeting, a hold, downtime, a handover, a shortage or a brief line;
changed and closed by their owner or a coordinator; their owner told through the notifications and
once a day by e-mail (through the outbox)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError
from prodcoord.core.plant_time import to_plant
from prodcoord.core.rows import RowErrors, lock_by_pk, single
from prodcoord.events.models import Event
from prodcoord.events.presenters import verb_label
from prodcoord.events.services import EventBatch
from prodcoord.notifications.models import Email, Notification
from prodcoord.notifications.services import EMAIL_TASK, SUBJECT_PREFIX
from prodcoord.outbox.services import outbox_enqueue

from ..apps import OWNER_NOTIFY_VERBS
from ..models import ActionItem, ActionItemDigest, RosterEntry

S = ActionItem.Status
SOURCE = ActionItem.Source

# status → the statuses it may move to. Done and cancelled items may be reopened.
ACTION_ITEM_TRANSITIONS = {
    S.OPEN: {S.DONE, S.CANCELLED},
    S.DONE: {S.OPEN},
    S.CANCELLED: {S.OPEN},
}
STATUS_VERBS = {S.DONE: "action_item.done", S.CANCELLED: "action_item.cancelled", S.OPEN: "action_item.reopened"}

EDIT_FIELDS = ("title", "note", "owner", "due_date", "is_critical", "department", "source_reference", "closing_note")
CREATE_FIELDS = (
    "title",
    "note",
    "owner",
    "due_date",
    "is_critical",
    "source",
    "department",
    "work_order",
    "hold",
    "downtime_event",
    "source_reference",
    "status",
)
DIGEST_TASK = "coordination.tasks.action_item_digest_send_task"


def _person(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(user):
    return (user.get_full_name() or user.username) if user is not None else "nobody"


def _scope(item):
    work_center_id = None
    if item.downtime_event_id is not None:
        work_center_id = item.downtime_event.work_center_id
    elif item.hold_id is not None:
        work_center_id = item.hold.work_center_id
    return [(item.department_id, work_center_id)] if item.department_id is not None else []


def _department_of(row, owner_departments):
    """The department an item concerns: the one named, else its downtime's or its hold's work
    center's, else its work order's current work center's, else its owner's (roster)."""
    if row.get("department") is not None:
        return row["department"]
    downtime = row.get("downtime_event")
    if downtime is not None:
        return downtime.work_center.department
    hold = row.get("hold")
    if hold is not None and hold.work_center_id is not None:
        return hold.work_center.department
    work_order = row.get("work_order") or (hold.work_order if hold is not None else None)
    if work_order is not None and work_order.current_work_center_id is not None:
        return work_order.current_work_center.department
    owner = row.get("owner")
    return owner_departments.get(owner.pk) if owner is not None else None


def _check_fields(item, *, today, current=None):
    """Field errors of an item as a row leaves it (``current``: as it was before, for an edit)."""
    errors = {}
    if not (item.title or "").strip():
        errors["title"] = ["Say what is to be done."]
    elif len(item.title) > 200:
        errors["title"] = ["Keep the title to 200 characters."]
    if item.owner_id is None:
        errors["owner"] = ["Choose who owns it."]
    elif not item.owner.is_active and (current is None or current.owner_id != item.owner_id):
        errors["owner"] = [f"{item.owner.username} is no longer active; choose someone else."]
    if item.due_date is None:
        errors["due_date"] = ["Say by when."]
    elif item.due_date < today and (current is None or current.due_date != item.due_date):
        errors["due_date"] = [f"The due date cannot be in the past (today is {today:%Y-%m-%d})."]
    elif item.due_date > today + dt.timedelta(days=366):
        errors["due_date"] = ["The due date is more than a year away."]
    if len(item.note or "") > 4000:
        errors["note"] = ["Keep the note to 4,000 characters."]
    if len(item.closing_note or "") > 2000:
        errors["closing_note"] = ["Keep the note to 2,000 characters."]
    if len(item.source_reference or "") > 100:
        errors["source_reference"] = ["Keep the reference to 100 characters."]
    if (
        item.department_id is not None
        and not item.department.is_active
        and (current is None or current.department_id != item.department_id)
    ):
        errors["department"] = [f"{item.department.code} is not in use any more."]
    return errors


def _check_links(item):
    errors = {}
    if item.source not in SOURCE.values:
        errors["source"] = [f"Choose one of: {', '.join(SOURCE.values)}."]
        return errors
    if item.hold_id is not None and item.work_order_id is not None and item.work_order_id != item.hold.work_order_id:
        errors["work_order"] = [f"The hold is on {item.hold.work_order.number}, not on this work order."]
    if item.source == SOURCE.HOLD and item.hold_id is None:
        errors["hold"] = ["Name the hold this item comes from."]
    if item.source == SOURCE.DOWNTIME and item.downtime_event_id is None:
        errors["downtime_event"] = ["Name the downtime this item comes from."]
    if item.source == SOURCE.SHORTAGE and not item.source_reference.strip():
        errors["source_reference"] = ["Name the shortage this item comes from."]
    return errors


def _add_errors(errors, index, found):
    for field, messages in found.items():
        for message in messages:
            errors.add(index, field, message)


def _may_create(actor):
    return actor is None or actor.has_perm("coordination.add_actionitem")


def _may_change(actor, item):
    """The owner may change their own item; coordinators and supervisors anyone's."""
    return actor is None or item.owner_id == actor.pk or actor.has_perm("coordination.change_actionitem")


@transaction.atomic
def action_items_create(*, actor, rows, check_permissions=False, at=None):
    """New open action items: rows ``{"title", "owner", "due_date", "source"? (other), "note"?,
    "is_critical"?, "department"?, "work_order"?, "hold"?, "downtime_event"?, "source_reference"?}``.
    An item from a hold belongs to the hold's work order; its department is the one named, else the
    one its source concerns, else the owner's (roster). Returns the items, in the rows' order."""
    rows = list(rows)
    now = at or timezone.now()
    today = to_plant(now).date()
    person = _person(actor)
    if check_permissions and not _may_create(person):
        raise PermissionDenied("Your role does not allow creating action items.")
    owners = [row["owner"].pk for row in rows if row.get("owner") is not None]
    owner_departments = {
        entry.user_id: entry.department for entry in RosterEntry.objects.select_related("department").filter(user_id__in=owners)
    }
    errors = RowErrors()
    items = []
    for index, row in enumerate(rows):
        unknown = set(row) - set(CREATE_FIELDS)
        if unknown:
            raise ValueError(f"Unknown action item fields: {', '.join(sorted(unknown))}")
        hold = row.get("hold")
        item = ActionItem(
            title=(row.get("title") or "").strip(),
            note=(row.get("note") or "").strip(),
            owner=row.get("owner"),
            due_date=row.get("due_date"),
            is_critical=bool(row.get("is_critical", False)),
            source=row.get("source") or (SOURCE.HOLD if hold else SOURCE.DOWNTIME if row.get("downtime_event") else SOURCE.OTHER),
            department=_department_of(row, owner_departments),
            work_order=row.get("work_order") or (hold.work_order if hold is not None else None),
            hold=hold,
            downtime_event=row.get("downtime_event"),
            source_reference=(row.get("source_reference") or "").strip(),
            created_by=person,
            status=S.OPEN,
        )
        found = _check_fields(item, today=today)
        found.update({k: v for k, v in _check_links(item).items() if k not in found})
        if row.get("status", S.OPEN) != S.OPEN:
            found["status"] = ["A new action item is open; mark it done or cancelled afterwards."]
        _add_errors(errors, index, found)
        items.append(item)
    errors.raise_if_any()
    for item in items:
        item.created_at = item.updated_at = now
    created = ActionItem.objects.bulk_create(items)
    events = EventBatch(actor=actor, at=now)
    for item in created:
        events.add(
            verb="action_item.created",
            subject=item,
            work_order=item.work_order,
            changes={"owner": [None, item.owner.username], "due_date": [None, item.due_date], "source": [None, item.source]},
            scope=_scope(item),
        )
    events.save()
    return created


@transaction.atomic
def action_items_update(*, actor, rows, check_permissions=False, at=None):
    """Change action items: rows ``{"record": item, **changes}`` over title, note, owner, due_date,
    is_critical, department, source_reference, closing_note, and ``status`` (open → done or
    cancelled; done or cancelled → open again; anything else is refused with 409). The owner may
    change their own; coordinators and supervisors anyone's (``check_permissions``). Returns the
    items, in the rows' order."""
    rows = list(rows)
    now = at or timezone.now()
    today = to_plant(now).date()
    person = _person(actor)
    pks = [row["record"].pk for row in rows]
    lock_by_pk(ActionItem.objects.all(), pks)  # the rows alone: PostgreSQL locks no outer join
    locked = ActionItem.objects.select_related("owner", "department", "work_order", "hold", "downtime_event").in_bulk(pks)
    errors = RowErrors()
    before, verbs = {}, {}
    for index, row in enumerate(rows):
        item = locked[row["record"].pk]  # one object per item: a later row sees an earlier one
        if check_permissions and not _may_change(person, item):
            raise PermissionDenied("Only its owner, a coordinator or a supervisor may change this action item.")
        before[index] = {field: getattr(item, field) for field in (*EDIT_FIELDS, "status")}
        current = ActionItem(owner_id=item.owner_id, due_date=item.due_date, department_id=item.department_id)
        for field in EDIT_FIELDS:
            if field in row:
                value = row[field]
                if field in ("title", "note", "source_reference", "closing_note"):
                    value = (value or "").strip()
                if field == "is_critical":
                    value = bool(value)
                setattr(item, field, value)
        verb = "action_item.updated"
        if "status" in row and row["status"] != before[index]["status"]:
            new = row["status"]
            if new not in S.values:
                errors.add(index, "status", f"Choose one of: {', '.join(S.values)}.")
                continue
            if new not in ACTION_ITEM_TRANSITIONS[before[index]["status"]]:
                errors.add_error(
                    index,
                    ConflictError(f"An item that is {before[index]['status']} cannot become {new}.", code="illegal_transition"),
                    conflict_field="status",
                )
                continue
            item.status = new
            item.closed_at = None if new == S.OPEN else now
            item.closed_by = None if new == S.OPEN else person
            if new == S.OPEN:
                item.closing_note = row.get("closing_note", "") or ""
            verb = STATUS_VERBS[new]
        _add_errors(errors, index, _check_fields(item, today=today, current=current))
        verbs[index] = verb
    errors.raise_if_any()
    events = EventBatch(actor=actor, at=now)
    changed = {}
    for index, row in enumerate(rows):
        item = locked[row["record"].pk]
        changes = {}
        for field, old in before[index].items():
            new = getattr(item, field)
            if old != new:
                changes[field] = [
                    getattr(old, "username", getattr(old, "code", old)),
                    getattr(new, "username", getattr(new, "code", new)),
                ]
        if not changes:
            continue
        events.add(
            verb=verbs[index],
            subject=item,
            work_order=item.work_order,
            changes=changes,
            reason=item.closing_note if verbs[index] in ("action_item.done", "action_item.cancelled") else "",
            scope=_scope(item),
        )
        item.updated_at = now
        changed[item.pk] = item
    if changed:
        ActionItem.objects.bulk_update(
            list(changed.values()), [*EDIT_FIELDS, "status", "closed_at", "closed_by", "updated_at"], batch_size=1000
        )
    events.save()
    return [locked[row["record"].pk] for row in rows]


def action_item_create(*, actor, check_permissions=False, **data):
    return single(action_items_create, data, actor=actor, check_permissions=check_permissions)


def action_item_update(*, actor, action_item, check_permissions=False, **data):
    return single(action_items_update, {"record": action_item, **data}, actor=actor, check_permissions=check_permissions)


def action_item_close(*, actor, action_item, status=S.DONE, note="", check_permissions=False):
    """Mark an item done (or cancelled), with a note on what became of it."""
    row = {"record": action_item, "status": status}
    if note:
        row["closing_note"] = note
    return single(action_items_update, row, actor=actor, check_permissions=check_permissions)


@transaction.atomic
def action_item_delete(*, actor, action_item):
    """Delete an item made by mistake. One a handover has carried is part of that record: refused
    (409), cancel it instead."""
    item = lock_by_pk(ActionItem.objects.select_related("owner"), [action_item.pk])[action_item.pk]
    if item.handover_items.exists():
        raise ConflictError("A shift handover carried this action item: cancel it instead of deleting it.", code="in_handover")
    events = EventBatch(actor=actor)
    events.add(
        verb="action_item.deleted",
        subject=item,
        work_order=item.work_order if item.work_order_id else None,
        changes={"title": [item.title, None], "owner": [item.owner.username, None]},
        scope=_scope(item),
    )
    events.save()
    item.delete()


# --- telling the owner ----------------------------------------------------------------------------


def _notification_message(event, item):
    parts = [f"{verb_label(event.verb)}: {item.title}", f"due {item.due_date:%a %b %-d}"]
    if event.reason:
        parts.append(f"“{event.reason}”")
    if event.actor is not None:
        parts.append(f"by {_label(event.actor)}")
    return " · ".join(parts)


@transaction.atomic
def action_items_notify_owner(*, event_ids):
    """Tell each action item's owner what someone else did to it: a notification in their inbox, and
    an immediate e-mail when the item is new to them (created for them, or handed to them). One's
    own changes are no news. Idempotent: an event already notified to the owner is skipped."""
    events = list(
        Event.objects.filter(pk__in=list(event_ids), verb__in=OWNER_NOTIFY_VERBS, object_type__app_label="coordination")
        .select_related("actor")
        .order_by("pk")
    )
    if not events:
        return []
    items = ActionItem.objects.select_related("owner").in_bulk([int(e.object_id) for e in events if e.object_id.isdigit()])
    done = set(Notification.objects.filter(event_id__in=[e.pk for e in events]).values_list("event_id", "user_id"))
    url = reverse("action-items")
    made = []
    for event in events:
        item = items.get(int(event.object_id)) if event.object_id.isdigit() else None
        if item is None or not item.owner.is_active or item.owner_id == event.actor_id:
            continue
        if (event.pk, item.owner_id) in done:
            continue
        new_to_owner = event.verb == "action_item.created" or "owner" in (event.changes or {})
        made.append(
            Notification(
                user_id=item.owner_id,
                event_id=event.pk,
                verb=event.verb,
                subject=item.title[:200],
                message=_notification_message(event, item),
                url=f"{url}#action-{item.pk}",
                created_at=timezone.now(),
                email=Email.IMMEDIATE if new_to_owner else Email.NONE,
            )
        )
    Notification.objects.bulk_create(made)
    immediate = [n.pk for n in made if n.email == Email.IMMEDIATE]
    if immediate:
        outbox_enqueue(messages=[{"task": EMAIL_TASK, "kwargs": {"notification_id": pk}} for pk in immediate])
    return made


# --- the daily digest -----------------------------------------------------------------------------


def digest_hour():
    return int(getattr(settings, "ACTION_ITEMS_DIGEST_HOUR", 6))


@transaction.atomic
def action_item_digests_build(*, now=None):
    """Once the plant clock reaches ``ACTION_ITEMS_DIGEST_HOUR``, one digest per owner of open action
    items for today's plant date, each sent by ``action_item_digest_send_task`` through the outbox.
    At most one per person and day (a unique constraint): a later run the same day makes none for
    those who have theirs. Returns the digests made."""
    local = to_plant(now or timezone.now())
    if local.hour < digest_hour():
        return []
    day = local.date()
    owners = set(ActionItem.objects.filter(status=S.OPEN, owner__is_active=True).values_list("owner_id", flat=True).distinct())
    if not owners:
        return []
    taken = set(ActionItemDigest.objects.filter(date=day, user_id__in=owners).values_list("user_id", flat=True))
    digests = ActionItemDigest.objects.bulk_create(
        [ActionItemDigest(user_id=user_id, date=day) for user_id in sorted(owners - taken)]
    )
    if digests:
        outbox_enqueue(messages=[{"task": DIGEST_TASK, "kwargs": {"digest_id": d.pk}} for d in digests])
    return digests


def digest_text(items, *, today):
    """The digest's subject and body for one owner's open ``items``, overdue first."""
    overdue = [i for i in items if i.due_date < today]
    due_today = [i for i in items if i.due_date == today]
    later = [i for i in items if i.due_date > today]
    subject = f"{SUBJECT_PREFIX}{len(items)} open action item{'s' if len(items) != 1 else ''}"
    if overdue:
        subject += f", {len(overdue)} overdue"
    lines = [f"Your open action items on {today:%a %b %-d, %Y}:", ""]
    for heading, group in (("OVERDUE", overdue), ("DUE TODAY", due_today), ("LATER", later)):
        if not group:
            continue
        lines.append(f"{heading} ({len(group)})")
        for item in group:
            late = f", {(today - item.due_date).days} day(s) late" if item.due_date < today else ""
            critical = "CRITICAL · " if item.is_critical else ""
            lines.append(f"- {critical}{item.title} (due {item.due_date:%a %b %-d}{late}; {item.get_source_display()})")
        lines.append("")
    lines.append(f"All of them: {reverse('action-items')}")
    return subject, "\n".join(lines)


@transaction.atomic
def action_item_digest_send(*, digest_id):
    """Send one owner's daily digest, once: under the row's lock, and marked sent in this transaction
    (a second run finds it sent). Lists the owner's items open when it is sent. Returns whether an
    e-mail left."""
    digest = ActionItemDigest.objects.select_for_update().select_related("user").filter(pk=digest_id).first()
    if digest is None or digest.sent_at is not None:
        return False
    items = list(ActionItem.objects.filter(owner_id=digest.user_id, status=S.OPEN).order_by("due_date", "pk"))
    address = (digest.user.email or "").strip()
    sent = bool(address and items)
    if sent:
        subject, body = digest_text(items, today=digest.date)
        send_mail(subject, body, None, [address])
    ActionItemDigest.objects.filter(pk=digest.pk).update(sent_at=timezone.now(), item_count=len(items))
    return sent
