"""The outbox: follow-up work written in the same transaction as the change that needs it.

A row names a Celery task and its JSON arguments. The relay hands pending rows
to the broker (or runs them in process when there is none); the worker runs
the task and marks the row done in the task's own transaction. See
``prodcoord/outbox/relay.py`` and docs/ARCHITECTURE.md, "How background work
flows".
"""

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"  # waiting for the relay (new, or back after a failure)
        SENT = "sent", "Sent"  # handed to the broker, or running in process
        DONE = "done", "Done"  # the task ran and committed; a redelivery is skipped
        FAILED = "failed", "Failed"  # gave up after OUTBOX_MAX_ATTEMPTS; an admin can retry it

    task = models.CharField(max_length=200, help_text="The registered Celery task to run.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    # At most one pending message per non-empty key: a producer that wants its
    # work done once for many changes (a debounced recomputation) names one.
    dedupe_key = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Hand-overs so far: to the broker, or to an in-process run.
    attempts = models.PositiveIntegerField(default=0)
    # A pending message is not relayed before this time (a delay asked for, or the backoff after a failure).
    next_attempt_at = models.DateTimeField()
    # When it was last handed over; a message still "sent" a lease after that is handed over again.
    sent_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sent", "done", "failed"]),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state="pending") & ~Q(dedupe_key=""),
                name="%(app_label)s_%(class)s_one_pending_per_dedupe_key",
            ),
        ]
        indexes = [
            # what the relay reads: due pending rows, and sent rows whose lease ran out
            models.Index(fields=["state", "next_attempt_at"], name="outbox_message_due_idx"),
            models.Index(fields=["state", "sent_at"], name="outbox_message_sent_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.task} ({self.state})"
