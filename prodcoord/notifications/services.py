"""Every write of the notifications app.

- **Subscriptions** (``subscriptions_create`` / ``subscription_update`` / ``subscription_delete``): a person's
  own; a target is written as people and the API name it (a department or work center code, a work order
  number, an event verb) and resolved here, so the page and the API share every check.
- **Defaults** (``notification_defaults_apply``): each person starts with their role's subscriptions
  (``kinds.ROLE_DEFAULTS``), once; the fan-out applies them to anyone who has none yet.
- **Fan-out** (``notifications_fan_out``): the task that an event's own transaction queued in the outbox
  (``apps.py``) makes one notification per follower and event, and queues each immediate e-mail in the
  outbox in that same transaction. It runs once per message (the outbox marks it done with these writes).
- **E-mail** (``notification_email_send``, ``digests_build``, ``digest_send``): each sends under the lock of
  its row and marks it sent in the same transaction, so a redelivered message sends nothing twice.
"""

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone

from prodcoord.core.rows import RowErrors, single
from prodcoord.events.models import Event
from prodcoord.events.presenters import change_rows, event_url, verb_label
from prodcoord.outbox.services import outbox_enqueue

from .kinds import NOTIFY_VERBS, ROLE_DEFAULTS, ROLE_RECIPIENT_EMAIL, ROLE_RECIPIENTS
from .models import EMAIL_STRENGTH, Digest, Email, Notification, NotificationSettings, Subscription

EMAIL_TASK = "prodcoord.notifications.tasks.notification_email_task"
DIGEST_SEND_TASK = "prodcoord.notifications.tasks.digest_send_task"
K = Subscription.Kind
OWN_DEPARTMENT = "own department"


# --- targets, as people name them --------------------------------------------------------------------------


def _related(field):
    """The model a subscription's foreign key points at (a higher app's: never imported here)."""
    return Subscription._meta.get_field(field).related_model


TARGET_FIELDS = {
    K.DEPARTMENT: ("department", "code"),
    K.WORK_CENTER: ("work_center", "code"),
    K.WORK_ORDER: ("work_order", "number"),
}


def target_resolve(kind, target):
    """The record (or verb) ``target`` names for ``kind``; ``ValidationError`` on ``target`` if none."""
    text = (target if isinstance(target, str) else "").strip()
    if not text:
        raise ValidationError({"target": "Name what to follow."})
    if kind == K.EVENT:
        if text not in NOTIFY_VERBS:
            raise ValidationError({"target": f"“{text[:60]}” is not a kind of event you can follow."})
        return text
    field, key = TARGET_FIELDS[kind]
    found = _related(field).objects.filter(**{key: text}).first()
    if found is None:
        raise ValidationError({"target": f"No {K(kind).label.lower()} “{text[:60]}”."})
    return found


def target_label(subscription):
    """How a subscription's target is written: a code, a number, or the event's label."""
    if subscription.kind == K.EVENT:
        return verb_label(subscription.verb)
    field, key = TARGET_FIELDS[subscription.kind]
    return getattr(getattr(subscription, field), key)


def target_key(subscription):
    """The target as the API writes it (a code, a number, a verb)."""
    if subscription.kind == K.EVENT:
        return subscription.verb
    field, key = TARGET_FIELDS[subscription.kind]
    return getattr(getattr(subscription, field), key)


def _verbs_check(verbs):
    if verbs in (None, ""):
        return []
    if not isinstance(verbs, list | tuple) or not all(isinstance(v, str) for v in verbs):
        raise ValidationError({"verbs": "Give a list of kinds of event."})
    unknown = [v for v in verbs if v not in NOTIFY_VERBS]
    if unknown:
        raise ValidationError({"verbs": f"Not a kind of event you can follow: {', '.join(u[:60] for u in unknown[:3])}."})
    return list(dict.fromkeys(verbs))


def _email_check(email):
    if email in (None, ""):
        return Email.NONE
    if email not in Email.values:
        raise ValidationError({"email": f"Choose one of: {', '.join(Email.values)}."})
    return email


def _target_fields(kind, target):
    resolved = target_resolve(kind, target)
    if kind == K.EVENT:
        return {"verb": resolved}
    return {TARGET_FIELDS[kind][0]: resolved}


def _existing(user, kind, fields):
    lookup = {f"{name}_id" if name != "verb" else name: (value.pk if name != "verb" else value) for name, value in fields.items()}
    return Subscription.objects.filter(user=user, kind=kind, **lookup)


# --- subscriptions -------------------------------------------------------------------------------------------


@transaction.atomic
def subscriptions_create(*, user, rows):
    """Follow things: rows ``{"kind", "target", "verbs"?, "email"?}`` for ``user``. Following what one
    already follows is refused (on ``target``). All or nothing; returns the new subscriptions."""
    errors = RowErrors()
    made, seen = [], set()
    for index, row in enumerate(rows):
        kind = row.get("kind")
        if kind not in K.values:
            errors.add(index, "kind", f"Choose one of: {', '.join(K.values)}.")
            continue
        fields = errors.check(index, _target_fields, kind, row.get("target"))
        verbs = errors.check(index, _verbs_check, row.get("verbs"))
        email = errors.check(index, _email_check, row.get("email"))
        if index in errors:
            continue
        if kind == K.EVENT and verbs:
            errors.add(index, "verbs", "A kind of event is followed as it is: leave the kinds empty.")
            continue
        key = (kind, *(getattr(v, "pk", v) for v in fields.values()))
        if key in seen or _existing(user, kind, fields).exists():
            errors.add(index, "target", "You already follow this.")
            continue
        seen.add(key)
        made.append(Subscription(user=user, kind=kind, verbs=verbs, email=email, **fields))
    errors.raise_if_any()
    Subscription.objects.bulk_create(made)
    return made


def subscription_create(*, user, kind, target, verbs=None, email=None):
    return single(subscriptions_create, {"kind": kind, "target": target, "verbs": verbs, "email": email}, user=user)


@transaction.atomic
def subscriptions_update(*, user, rows):
    """Change how one follows: rows ``{"subscription", "verbs"?, "email"?}`` (the person's own)."""
    errors = RowErrors()
    changed = []
    for index, row in enumerate(rows):
        subscription = row["subscription"]
        if subscription.user_id != user.pk:
            errors.add(index, "subscription", "Not one of your subscriptions.")
            continue
        if "verbs" in row:
            verbs = errors.check(index, _verbs_check, row["verbs"])
            if index not in errors and verbs and subscription.kind == K.EVENT:
                errors.add(index, "verbs", "A kind of event is followed as it is: leave the kinds empty.")
            elif index not in errors:
                subscription.verbs = verbs
        if "email" in row:
            email = errors.check(index, _email_check, row["email"])
            if index not in errors:
                subscription.email = email
        changed.append(subscription)
    errors.raise_if_any()
    now = timezone.now()
    for subscription in changed:
        subscription.updated_at = now
    Subscription.objects.bulk_update(changed, ["verbs", "email", "updated_at"])
    return changed


def subscription_update(*, user, subscription, **fields):
    return single(subscriptions_update, {"subscription": subscription, **fields}, user=user)


@transaction.atomic
def subscription_delete(*, user, subscription):
    if subscription.user_id != user.pk:
        raise ValidationError({"subscription": "Not one of your subscriptions."})
    Subscription.objects.filter(pk=subscription.pk).delete()


# --- settings and role defaults --------------------------------------------------------------------------------


def user_department_id(user):
    """The department a person belongs to: the one in their notification settings, else the department of
    the work center they chose on "My work center" (``plant.UserWorkCenter``). ``None`` when unknown."""
    chosen = NotificationSettings.objects.filter(user=user).values_list("department_id", flat=True).first()
    if chosen is not None:
        return chosen
    User = get_user_model()
    return User.objects.filter(pk=user.pk).values_list("work_center_choice__work_center__department_id", flat=True).first()


def _role_defaults(role_names):
    return next((ROLE_DEFAULTS[role] for role in ROLE_DEFAULTS if role in role_names), [])


def _default_rows(role_names, department_id):
    rows = []
    for kind, target, verbs, email in _role_defaults(role_names):
        if target == OWN_DEPARTMENT:
            if department_id is None:
                continue
            rows.append(Subscription(kind=kind, department_id=department_id, verbs=list(verbs), email=email))
        else:
            rows.append(Subscription(kind=kind, verb=target, verbs=list(verbs), email=email))
    return rows


@transaction.atomic
def notification_defaults_apply(*, users=None):
    """Give each person who has no notification settings yet (``users``, or every active person) their
    settings and their role's default subscriptions. Idempotent: a person with settings is left alone,
    whatever they follow now. Returns how many people were set up."""
    User = get_user_model()
    queryset = User.objects.filter(is_active=True, notification_settings__isnull=True)
    if users is not None:
        queryset = queryset.filter(pk__in=[u.pk for u in users])
    people = list(queryset.values_list("pk", "work_center_choice__work_center__department_id"))
    if not people:
        return 0
    roles = defaultdict(set)
    for user_id, name in User.groups.through.objects.filter(user_id__in=[pk for pk, _ in people]).values_list(
        "user_id", "group__name"
    ):
        roles[user_id].add(name)
    NotificationSettings.objects.bulk_create([NotificationSettings(user_id=pk) for pk, _ in people], ignore_conflicts=True)
    subscriptions = []
    for user_id, department_id in people:
        for row in _default_rows(roles[user_id], department_id):
            row.user_id = user_id
            subscriptions.append(row)
    Subscription.objects.bulk_create(subscriptions, ignore_conflicts=True)
    return len(people)


def notification_settings_get(*, user):
    """The person's settings, made with their role's defaults the first time."""
    settings_row = NotificationSettings.objects.filter(user=user).first()
    if settings_row is None:
        notification_defaults_apply(users=[user])
        settings_row = NotificationSettings.objects.get(user=user)
    return settings_row


@transaction.atomic
def notification_settings_update(*, user, department):
    """Set the person's department (a record or ``None``). A new department is followed the way the person's
    role follows its own by default, unless they follow it already."""
    settings_row = notification_settings_get(user=user)
    settings_row = NotificationSettings.objects.select_for_update().get(pk=settings_row.pk)
    new_id = department.pk if department is not None else None
    if new_id == settings_row.department_id:
        return settings_row
    settings_row.department_id = new_id
    settings_row.save(update_fields=["department", "updated_at"])
    if new_id is not None:
        names = set(user.groups.values_list("name", flat=True))
        rows = [row for row in _default_rows(names, new_id) if row.kind == K.DEPARTMENT]
        for row in rows:
            row.user_id = user.pk
        Subscription.objects.bulk_create(rows, ignore_conflicts=True)
    return settings_row


@transaction.atomic
def notification_defaults_reset(*, user):
    """Replace the person's subscriptions with their role's defaults (for their department as known now)."""
    notification_settings_get(user=user)
    Subscription.objects.filter(user=user).delete()
    rows = _default_rows(set(user.groups.values_list("name", flat=True)), user_department_id(user))
    for row in rows:
        row.user_id = user.pk
    Subscription.objects.bulk_create(rows)
    return rows


def activity_visit_record(*, user, newest_event_id):
    """The person has now seen the feed up to ``newest_event_id``; returns the newest they had seen before
    (0 the first time), so the page can mark what is newer as new. Never moves backwards."""
    settings_row = notification_settings_get(user=user)
    before = settings_row.activity_seen_event
    if newest_event_id:  # one conditional UPDATE whether or not anything is new: the page costs the same
        NotificationSettings.objects.filter(pk=settings_row.pk, activity_seen_event__lt=newest_event_id).update(
            activity_seen_event=newest_event_id, updated_at=timezone.now()
        )
    return before


# --- fan-out ---------------------------------------------------------------------------------------------------


def _message(event):
    parts = [f"{verb_label(event.verb)}: {event.object_repr}"]
    number = getattr(event.work_order, "number", None) if event.work_order_id is not None else None
    if number and number not in event.object_repr:
        parts[0] += f" ({number})"
    # What changed from something to something else (what a new record merely sets is on its page).
    changes = "; ".join(f"{row['field']} {row['old']} → {row['new']}" for row in change_rows(event) if row["old"] is not None)
    if changes:
        parts.append(changes)
    if event.reason:
        parts.append(f"“{event.reason}”")
    if event.actor is not None:
        parts.append(f"by {event.actor.get_full_name() or event.actor.username}")
    return " · ".join(parts)


def _url(event):
    try:
        return event_url(event) or ""
    except NoReverseMatch:
        return ""


def _followers(events):
    """``{event id: {user id: email}}``: who follows something each event concerns, and how they want it."""
    departments, work_centers, work_orders, verbs = set(), set(), set(), set()
    for event in events:
        for scope in event.scopes.all():
            if scope.department_id is not None:
                departments.add(scope.department_id)
            if scope.work_center_id is not None:
                work_centers.add(scope.work_center_id)
        if event.work_order_id is not None:
            work_orders.add(event.work_order_id)
        verbs.add(event.verb)
    wanted = (
        Q(kind=K.DEPARTMENT, department_id__in=departments)
        | Q(kind=K.WORK_CENTER, work_center_id__in=work_centers)
        | Q(kind=K.WORK_ORDER, work_order_id__in=work_orders)
        | Q(kind=K.EVENT, verb__in=verbs)
    )
    subscriptions = list(
        Subscription.objects.filter(wanted, user__is_active=True).values_list(
            "user_id", "kind", "department_id", "work_center_id", "work_order_id", "verb", "verbs", "email"
        )
    )
    followers = {}
    for event in events:
        scope_departments = {s.department_id for s in event.scopes.all()}
        scope_centers = {s.work_center_id for s in event.scopes.all()}
        chosen = {}
        for user_id, kind, department_id, work_center_id, work_order_id, verb, sub_verbs, email in subscriptions:
            if event.actor_id == user_id:
                continue  # one's own change is no news
            if kind == K.EVENT:
                matches = verb == event.verb
            else:
                matches = (not sub_verbs or event.verb in sub_verbs) and (
                    (kind == K.DEPARTMENT and department_id in scope_departments)
                    or (kind == K.WORK_CENTER and work_center_id in scope_centers)
                    or (kind == K.WORK_ORDER and work_order_id == event.work_order_id)
                )
            if matches and EMAIL_STRENGTH[email] >= EMAIL_STRENGTH.get(chosen.get(user_id), -1):
                chosen[user_id] = email
        followers[event.pk] = chosen
    _role_recipients_add(events, followers)
    return followers


def _role_recipients_add(events, followers):
    """Add the people an event reaches by their role (``kinds.ROLE_RECIPIENTS``), in one query when any do."""
    wanted = [event for event in events if event.verb in ROLE_RECIPIENTS]
    if not wanted:
        return
    roles = sorted({role for event in wanted for role in ROLE_RECIPIENTS[event.verb]})
    people = defaultdict(list)  # role → [(user id, department id)]
    for user_id, role, chosen, by_work_center in (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles)
        .values_list(
            "pk", "groups__name", "notification_settings__department_id", "work_center_choice__work_center__department_id"
        )
    ):
        people[role].append((user_id, chosen if chosen is not None else by_work_center))
    for event in wanted:
        departments = {s.department_id for s in event.scopes.all()}
        chosen = followers[event.pk]
        for role, reach in ROLE_RECIPIENTS[event.verb].items():
            for user_id, department_id in people[role]:
                if user_id == event.actor_id or (reach == "department" and department_id not in departments):
                    continue
                if EMAIL_STRENGTH[ROLE_RECIPIENT_EMAIL] > EMAIL_STRENGTH.get(chosen.get(user_id), -1):
                    chosen[user_id] = ROLE_RECIPIENT_EMAIL


@transaction.atomic
def notifications_fan_out(*, event_ids):
    """One notification for each follower of each event (none for the person who made the change); each
    immediate e-mail queued in the outbox in this transaction. Idempotent: an event already fanned out to a
    person is skipped. Returns the notifications made."""
    notification_defaults_apply()
    events = list(
        Event.objects.filter(pk__in=list(event_ids), verb__in=NOTIFY_VERBS)
        .select_related("actor", "object_type", "work_order")
        .prefetch_related("scopes")
        .order_by("pk")
    )
    if not events:
        return []
    followers = _followers(events)
    done = set(Notification.objects.filter(event_id__in=[e.pk for e in events]).values_list("event_id", "user_id"))
    now = timezone.now()
    made = []
    for event in events:
        if not followers[event.pk]:
            continue
        message, url = _message(event), _url(event)
        for user_id, email in sorted(followers[event.pk].items()):
            if (event.pk, user_id) in done:
                continue
            made.append(
                Notification(
                    user_id=user_id,
                    event_id=event.pk,
                    verb=event.verb,
                    subject=event.object_repr[:200],
                    message=message,
                    url=url[:300],
                    created_at=now,
                    email=email,
                )
            )
    Notification.objects.bulk_create(made)
    immediate = [n.pk for n in made if n.email == Email.IMMEDIATE]
    if immediate:
        outbox_enqueue(messages=[{"task": EMAIL_TASK, "kwargs": {"notification_id": pk}} for pk in immediate])
    return made


# --- reading them ----------------------------------------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(*, user, ids):
    """Mark the person's notifications ``ids`` read (theirs only; already read ones keep their time)."""
    return Notification.objects.filter(user=user, pk__in=list(ids), read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_all_read(*, user, up_to=None):
    """Mark every unread notification of the person read (those up to id ``up_to``, when given: what the
    person saw, not what arrived since). Returns how many."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if up_to is not None:
        queryset = queryset.filter(pk__lte=up_to)
    return queryset.update(read_at=timezone.now())


# --- e-mail ----------------------------------------------------------------------------------------------------

SUBJECT_PREFIX = "[prodcoord] "


def _address(user):
    return (user.email or "").strip()


@transaction.atomic
def notification_email_send(*, notification_id):
    """Send one notification's e-mail, once: under the row's lock, and marked sent in this transaction —
    a second run finds it sent and sends nothing. Returns whether an e-mail left."""
    notification = Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None or notification.email != Email.IMMEDIATE:
        return False
    address = _address(notification.user)
    if address:
        body = notification.message + (f"\n\n{notification.url}" if notification.url else "")
        send_mail(SUBJECT_PREFIX + notification.message[:120], body, None, [address])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return bool(address)


def digest_period_end(now):
    """The hour a digest built at ``now`` closes: the start of the current hour."""
    return now.replace(minute=0, second=0, microsecond=0)


@transaction.atomic
def digests_build(*, now=None):
    """Gather each person's digest notifications made before this hour began into one digest, and queue its
    e-mail in the outbox (this transaction). At most one digest per person and hour (a unique constraint):
    a second run in the same hour finds nothing left to gather. Returns the digests made."""
    period_end = digest_period_end(now or timezone.now())
    due = list(
        Notification.objects.select_for_update()
        .filter(email=Email.DIGEST, digest__isnull=True, created_at__lt=period_end)
        .order_by("pk")
        .values_list("pk", "user_id")
    )
    if not due:
        return []
    by_user = defaultdict(list)
    for pk, user_id in due:
        by_user[user_id].append(pk)
    taken = set(Digest.objects.filter(period_end=period_end, user_id__in=list(by_user)).values_list("user_id", flat=True))
    digests = Digest.objects.bulk_create(
        [Digest(user_id=user_id, period_end=period_end) for user_id in sorted(by_user) if user_id not in taken]
    )
    for digest in digests:
        Notification.objects.filter(pk__in=by_user[digest.user_id]).update(digest=digest)
    outbox_enqueue(messages=[{"task": DIGEST_SEND_TASK, "kwargs": {"digest_id": d.pk}} for d in digests])
    return digests


@transaction.atomic
def digest_send(*, digest_id):
    """Send one digest's e-mail, once (as ``notification_email_send``). Returns whether an e-mail left."""
    digest = Digest.objects.select_for_update().select_related("user").filter(pk=digest_id).first()
    if digest is None or digest.sent_at is not None:
        return False
    items = list(digest.notifications.order_by("pk"))
    address = _address(digest.user)
    sent = bool(address and items)
    if sent:
        start = timezone.localtime(digest.period_end - dt.timedelta(hours=1))
        lines = [f"- {n.message}" + (f"\n  {n.url}" if n.url else "") for n in items]
        until = timezone.localtime(digest.period_end)
        subject = f"{SUBJECT_PREFIX}{len(items)} update{'s' if len(items) != 1 else ''} up to {until:%H:%M}"
        body = f"What happened to what you follow (from {start:%Y-%m-%d %H:%M} and before):\n\n" + "\n".join(lines)
        send_mail(subject, body, None, [address])
    now = timezone.now()
    Digest.objects.filter(pk=digest.pk).update(sent_at=now)
    Notification.objects.filter(digest=digest).update(emailed_at=now)
    return sent
