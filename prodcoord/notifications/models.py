"""Who follows what, and what each person was notified of.

This app sits in the bottom layer: departments, work centers and work orders are named by string
foreign keys (``"plant.Department"``), never imported. A notification is made from one event for one
person, by the fan-out task that the event's own transaction queued in the outbox (``services``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from prodcoord.core.models import TimeStampedModel


class Email(models.TextChoices):
    IMMEDIATE = "immediate", "At once"
    DIGEST = "digest", "Hourly digest"
    NONE = "none", "No e-mail"


# The stronger choice wins when several subscriptions bring the same event to a person.
EMAIL_STRENGTH = {Email.NONE: 0, Email.DIGEST: 1, Email.IMMEDIATE: 2}


class NotificationSettings(TimeStampedModel):
    """One per person, made with their role's default subscriptions (``notification_defaults_apply``):
    its existence means the defaults were applied once; from then on the person chooses.

    ``department`` is how the app knows a person's department (a supervisor's holds, a coordinator's
    disruptions): chosen on the notification settings page, or set by an administrator.
    ``activity_seen_event`` is the newest event the person had seen on the activity feed: newer ones are
    marked new on their next visit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    department = models.ForeignKey("plant.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    activity_seen_event = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self):
        return f"notification settings of {self.user}"


class Subscription(TimeStampedModel):
    """A person follows a department, a work center, a work order, or a kind of event plant-wide.
    ``verbs`` narrows a department/work center/work order subscription to some kinds (empty: every
    kind that notifies, ``kinds.NOTIFY_VERBS``)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Department"
        WORK_CENTER = "work_center", "Work center"
        WORK_ORDER = "work_order", "Work order"
        EVENT = "event", "Kind of event"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_subscriptions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    department = models.ForeignKey("plant.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    work_center = models.ForeignKey("plant.WorkCenter", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    work_order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=60, blank=True, help_text="The kind of event followed (kind = event).")
    verbs = models.JSONField(default=list, blank=True, help_text="Only these kinds of event; empty: all of them.")
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.NONE)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="department", department__isnull=False, work_center__isnull=True, work_order__isnull=True, verb="")
                    | Q(kind="work_center", department__isnull=True, work_center__isnull=False, work_order__isnull=True, verb="")
                    | Q(kind="work_order", department__isnull=True, work_center__isnull=True, work_order__isnull=False, verb="")
                    | (Q(kind="event", department__isnull=True, work_center__isnull=True, work_order__isnull=True) & ~Q(verb=""))
                ),
                name="%(app_label)s_%(class)s_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(email__in=["immediate", "digest", "none"]), name="%(app_label)s_%(class)s_email_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "department"], condition=Q(kind="department"), name="%(app_label)s_%(class)s_one_per_department"
            ),
            models.UniqueConstraint(
                fields=["user", "work_center"],
                condition=Q(kind="work_center"),
                name="%(app_label)s_%(class)s_one_per_work_center",
            ),
            models.UniqueConstraint(
                fields=["user", "work_order"], condition=Q(kind="work_order"), name="%(app_label)s_%(class)s_one_per_work_order"
            ),
            models.UniqueConstraint(
                fields=["user", "verb"], condition=Q(kind="event"), name="%(app_label)s_%(class)s_one_per_verb"
            ),
        ]
        indexes = [
            # what the fan-out reads: the followers of these verbs (the foreign keys are indexed already)
            models.Index(fields=["verb"], condition=Q(kind="event"), name="notif_sub_verb_idx"),
        ]

    def __str__(self):
        return f"{self.user} follows {self.kind} {self.target_id}"

    @property
    def target_id(self):
        return {
            self.Kind.DEPARTMENT: self.department_id,
            self.Kind.WORK_CENTER: self.work_center_id,
            self.Kind.WORK_ORDER: self.work_order_id,
        }.get(self.kind, self.verb)


class Digest(models.Model):
    """One hourly e-mail to one person: the notifications of theirs made before ``period_end`` that
    had not gone into a digest. At most one per person and hour; sent once (``sent_at``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period_end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period_end"], name="%(app_label)s_%(class)s_one_per_user_and_hour"),
        ]

    def __str__(self):
        return f"digest for {self.user} until {self.period_end:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One event, for one person who follows something it concerns."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey("events.Event", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    verb = models.CharField(max_length=60)
    subject = models.CharField(max_length=200)
    message = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # How it reaches the person's inbox: at once (its own e-mail), in the hourly digest, or not at all.
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="%(app_label)s_%(class)s_one_per_user_and_event"),
            models.CheckConstraint(
                condition=Q(email__in=["immediate", "digest", "none"]), name="%(app_label)s_%(class)s_email_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="notif_user_idx"),
            # the header's unread count
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notif_user_unread_idx"),
            # what the hourly digest gathers
            models.Index(fields=["created_at"], condition=Q(email="digest", digest__isnull=True), name="notif_digest_due_idx"),
        ]

    def __str__(self):
        return f"{self.user}: {self.message[:60]}"
