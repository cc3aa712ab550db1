"""Writing follow-up work to the outbox, and every change of a message's state.

A producer (a service, or ``prodcoord.events.hooks`` for task subscribers)
calls ``outbox_enqueue`` inside its own transaction. The rows commit or roll
back with the change; after the commit, the relay is nudged to hand them over
(``relay.relay_after_commit``). Then:

    pending ──claim──► sent ──run, commit──► done
       ▲                 │
       └── the task failed (backoff), or the broker refused the hand-over
                         │
                         └── failed: OUTBOX_MAX_ATTEMPTS hand-overs without success
                             (an admin can put it back to pending)

A message is run by ``outbox_message_run`` (the worker's
``outbox_deliver_task``, or in process when there is no broker): the row is
locked, the task runs, and the row is marked done in that same transaction.
So the task's own database writes and "done" commit together, a redelivered
message finds it done and is skipped, and two workers never run one message
at once. Delivery is at least once all the same (a task's e-mail may have
left before its transaction failed): tasks must be idempotent.
"""

import datetime as dt
import json
import logging
import traceback
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

S = OutboxMessage.State
MESSAGE_FIELDS = {"task", "args", "kwargs", "dedupe_key", "delay"}
# After a failed run the message waits BACKOFF_BASE × 2^(attempts - 1), at most BACKOFF_MAX:
# 30 s, 1 min, 2 min, … 1 h. Ten attempts (the default OUTBOX_MAX_ATTEMPTS) span about three hours.
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
ERROR_LIMIT = 4000
SUPERSEDED = "Superseded by a newer pending message with the same dedupe key, which does this work."

_default_modules_imported = False


def registered_task(name):
    """The Celery task registered under ``name``, or ``None``. Every app's ``tasks`` module is imported first."""
    global _default_modules_imported
    app = current_app
    if name not in app.tasks and not _default_modules_imported:
        app.loader.import_default_modules()
        _default_modules_imported = True
    return app.tasks.get(name)


def _task_name(task):
    return getattr(task, "name", task)


def _message(row, *, now):
    """An unsaved ``OutboxMessage`` for one producer row; a row that cannot be queued is a bug: ``ValueError``."""
    unknown = set(row) - MESSAGE_FIELDS
    if unknown:
        raise ValueError(f"Unknown outbox message fields: {', '.join(sorted(unknown))}.")
    name = _task_name(row.get("task"))
    if not isinstance(name, str) or registered_task(name) is None:
        raise ValueError(f"No Celery task named {name!r} is registered; an outbox message must name one.")
    args, kwargs = list(row.get("args") or ()), dict(row.get("kwargs") or {})
    try:
        json.dumps([args, kwargs], allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The arguments of {name} must be plain JSON values (ids, strings, numbers): {exc}") from None
    dedupe_key = row.get("dedupe_key") or ""
    if len(dedupe_key) > OutboxMessage._meta.get_field("dedupe_key").max_length:
        raise ValueError("A dedupe key has at most 200 characters.")
    delay = row.get("delay") or dt.timedelta(0)
    if not isinstance(delay, dt.timedelta):
        delay = dt.timedelta(seconds=delay)
    if delay < dt.timedelta(0):
        raise ValueError("An outbox message's delay cannot be negative.")
    return OutboxMessage(task=name, args=args, kwargs=kwargs, dedupe_key=dedupe_key, next_attempt_at=now + delay)


def outbox_enqueue(*, messages):
    """Queue follow-up work in the caller's transaction; returns one message id per row, in order.

    Each row is ``{"task": <registered Celery task or its name>, "args"?: [...],
    "kwargs"?: {...}, "dedupe_key"?: str, "delay"?: seconds or timedelta}``;
    arguments are plain JSON (pass ids, not objects). Nothing is queued if the
    transaction rolls back. After the commit, the rows due now are handed over
    at once (``relay.relay_after_commit``); a ``delay`` leaves the row to the
    periodic relay until then.

    ``dedupe_key``: while a pending message has this key, a new one with it is
    not added (its id is that pending message's) — for work that is done once
    for many changes, such as a recomputation from the current data.
    """
    now = timezone.now()
    rows = [_message(row, now=now) for row in messages]  # a row that cannot be queued: ValueError, nothing written
    return _insert(rows, now=now)


# In the caller's transaction, without a savepoint of its own (two round trips fewer on every change):
# a database error here fails the caller's transaction whole, as it should.
@transaction.atomic(savepoint=False)
def _insert(rows, *, now):
    plain = [row for row in rows if not row.dedupe_key]
    if plain:
        OutboxMessage.objects.bulk_create(plain)
    keyed = {}
    for row in rows:
        if row.dedupe_key:
            keyed.setdefault(row.dedupe_key, row)
    pending = _pending_for_keys(list(keyed.values())) if keyed else {}
    ids, due_now = [], {}
    for row in rows:
        pk, due = pending[row.dedupe_key] if row.dedupe_key else (row.pk, row.next_attempt_at)
        ids.append(pk)
        if due <= now:
            due_now[pk] = True
    if due_now:
        from .relay import relay_after_commit  # the relay calls back into these services

        transaction.on_commit(partial(relay_after_commit, list(due_now)), robust=True)
    return ids


def _pending_for_keys(rows):
    """Insert ``rows`` (one per dedupe key) where no message with the key is pending yet; return
    ``{key: (id, next_attempt_at)}`` of the pending message for each key."""
    pending, missing = {}, rows
    for _ in range(3):
        # The partial unique constraint allows one pending message per key: a taken key is skipped.
        OutboxMessage.objects.bulk_create(missing, ignore_conflicts=True)
        pending |= {
            key: (pk, due)
            for key, pk, due in OutboxMessage.objects.filter(
                state=S.PENDING, dedupe_key__in=[row.dedupe_key for row in missing]
            ).values_list("dedupe_key", "pk", "next_attempt_at")
        }
        # A key whose pending message was claimed between the insert and the read has none now: insert again.
        missing = [row for row in missing if row.dedupe_key not in pending]
        if not missing:
            return pending
    raise IntegrityError(f"Could not queue outbox messages for dedupe keys {[row.dedupe_key for row in missing]}.")


def outbox_message_enqueue(*, task, args=(), kwargs=None, dedupe_key="", delay=None):
    """One follow-up (``outbox_enqueue`` with one row); returns its message id."""
    return outbox_enqueue(messages=[{"task": task, "args": args, "kwargs": kwargs, "dedupe_key": dedupe_key, "delay": delay}])[0]


# --- the relay's state changes ------------------------------------------------------------------


def outbox_messages_claim(*, limit):
    """Mark up to ``limit`` messages due for hand-over as sent (attempts + 1) and return their ids, oldest
    first: pending ones whose time has come, and sent ones whose lease (``OUTBOX_LEASE_SECONDS``) ran
    out — the worker that had them died, or the broker lost them.

    Rows another process is claiming or running right now are skipped (``SKIP LOCKED``), so two relays
    never hand over the same message at once. A sent message whose lease ran out after its last
    allowed attempt is marked failed instead.
    """
    now = timezone.now()
    lease_from = now - dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    due = Q(state=S.PENDING, next_attempt_at__lte=now) | Q(state=S.SENT, sent_at__lt=lease_from)
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.filter(due)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "state", "attempts")[:limit]
        )
        lost = [pk for pk, state, attempts in rows if state == S.SENT and attempts >= settings.OUTBOX_MAX_ATTEMPTS]
        claimed = [pk for pk, _, _ in rows if pk not in lost]
        if lost:
            OutboxMessage.objects.filter(pk__in=lost).update(
                state=S.FAILED,
                last_error=f"Handed over {settings.OUTBOX_MAX_ATTEMPTS} times and never finished within the lease "
                "(OUTBOX_LEASE_SECONDS): the worker died or the broker lost it each time.",
            )
            logger.error("Outbox messages %s gave up: never finished within the lease.", lost)
        if claimed:
            OutboxMessage.objects.filter(pk__in=claimed).update(state=S.SENT, sent_at=now, attempts=F("attempts") + 1)
    return claimed


def outbox_messages_claim_new(*, ids):
    """Mark the just-committed messages ``ids`` that are still pending and due as sent (attempts + 1), in one
    statement (it runs right after a user's commit, where every round trip counts), and return their ids,
    oldest first. One another process is claiming or running right now is skipped (``SKIP LOCKED``, on
    PostgreSQL), never waited for; the periodic relay sees to anything left pending."""
    ids = sorted(set(ids))
    if not ids:
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, sent_at = %s, attempts = attempts + 1 WHERE id IN ("
            f"SELECT id FROM {table} WHERE id IN ({marks}) AND state = %s AND next_attempt_at <= %s{lock}"
            ") RETURNING id",
            [S.SENT, now, *ids, S.PENDING, now],
        )
        return sorted(row[0] for row in cursor.fetchall())


def outbox_messages_release(*, ids, error):
    """Claimed messages the broker did not take go back to pending, as if never claimed: due at once for the
    next relay run, their attempts not counted (a broker outage never makes a message fail)."""
    _back_to_pending(ids, error=error, attempts=F("attempts") - 1)


def _back_to_pending(ids, *, error=None, **changes):
    """Put messages back to pending with ``changes`` (and ``last_error=error`` unless it is None). One whose
    dedupe key has another pending message is closed as done instead: that message does the same work
    (the partial unique constraint allows only one pending message per key)."""
    ids = sorted(set(ids))
    if not ids:
        return
    if error is not None:
        changes["last_error"] = error
    for _ in range(3):
        try:
            with transaction.atomic():
                rows = list(OutboxMessage.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "state", "dedupe_key"))
                keys = {key for _, _, key in rows if key}
                taken = set(
                    OutboxMessage.objects.filter(state=S.PENDING, dedupe_key__in=keys).values_list("dedupe_key", flat=True)
                    if keys
                    else ()
                )
                back, superseded = [], []
                for pk, state, key in rows:
                    if state == S.PENDING or not key or key not in taken:
                        back.append(pk)
                        taken.add(key)
                    else:
                        superseded.append(pk)
                if back:
                    OutboxMessage.objects.filter(pk__in=back).update(state=S.PENDING, **changes)
                if superseded:
                    note = SUPERSEDED if not error else f"{error}\n{SUPERSEDED}"
                    OutboxMessage.objects.filter(pk__in=superseded).update(state=S.DONE, done_at=timezone.now(), last_error=note)
            return
        except IntegrityError:  # a message with one of the keys was queued meanwhile: look again
            continue
    raise IntegrityError(f"Could not put outbox messages {ids} back to pending: their dedupe keys keep being queued.")


# --- running a message ---------------------------------------------------------------------------


def backoff(attempts):
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _error_text(exc):
    text = "".join(traceback.format_exception(exc))
    return text if len(text) <= ERROR_LIMIT else "…" + text[-ERROR_LIMIT:]


def outbox_message_run(*, message_id):
    """Run one message's task, unless it is done already; returns what happened:
    ``"done"``, ``"retry"`` (failed; pending again after the backoff), ``"failed"`` (gave up),
    ``"skipped"`` (done or failed before) or ``"busy"`` (running elsewhere right now, or purged).

    The task runs inside this transaction with the message's row locked, and the row is marked done in
    it: the task's database writes and "done" commit together. A task that raises is rolled back
    alone (a savepoint) and the failure recorded; nothing is raised to the caller.
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            return "busy"
        if message.state in (S.DONE, S.FAILED):
            return "skipped"
        try:
            task = registered_task(message.task)
            if task is None:
                raise LookupError(f"No Celery task named {message.task!r} is registered.")
            with transaction.atomic():
                task(*message.args, **message.kwargs)
        except Exception as exc:
            return _record_failure(message, exc)
        OutboxMessage.objects.filter(pk=message.pk).update(state=S.DONE, done_at=timezone.now())
    logger.info("Outbox message %s: %s done.", message.pk, message.task)
    return "done"


def _record_failure(message, exc):
    attempts = max(message.attempts, 1)
    error = _error_text(exc)
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        OutboxMessage.objects.filter(pk=message.pk).update(state=S.FAILED, last_error=error)
        logger.error("Outbox message %s (%s) failed %s times; giving up: %s", message.pk, message.task, attempts, exc)
        return "failed"
    retry_at = timezone.now() + backoff(attempts)
    _back_to_pending([message.pk], error=error, next_attempt_at=retry_at)
    logger.warning(
        "Outbox message %s (%s) failed (attempt %s), retrying at %s: %s", message.pk, message.task, attempts, retry_at, exc
    )
    return "retry"


# --- the admin's and the periodic tasks' writes -------------------------------------------------------


def outbox_messages_retry(*, ids):
    """Failed or waiting messages: pending again, due now, attempts reset; handed over after the commit.
    Done and sent ones are left alone. Returns how many are pending now."""
    with transaction.atomic():
        chosen = OutboxMessage.objects.filter(pk__in=list(ids), state__in=[S.FAILED, S.PENDING])
        _back_to_pending(list(chosen.values_list("pk", flat=True)), attempts=0, next_attempt_at=timezone.now())
        again = list(OutboxMessage.objects.filter(pk__in=list(ids), state=S.PENDING).values_list("pk", flat=True))
        if again:
            from .relay import relay_after_commit

            transaction.on_commit(partial(relay_after_commit, again), robust=True)
    return len(again)


def outbox_messages_purge(*, now=None):
    """Delete done messages older than ``OUTBOX_KEEP_DONE_DAYS``; returns how many. Idempotent."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OUTBOX_KEEP_DONE_DAYS)
    deleted, _ = OutboxMessage.objects.filter(state=S.DONE, done_at__lt=cutoff).delete()
    return deleted
