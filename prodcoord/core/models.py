from django.conf import settings
from django.db import models

from .naturalkeys import natural_key_validator, unique_regardless_of_case


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class NumberSequence(models.Model):
    """A named counter for human-facing numbers (work orders: WO-000123).

    Incremented under a row lock so concurrent creators never share a number.
    """

    name = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.last_value}"


class IdempotencyKey(models.Model):
    """The stored first successful response to a POST sent with an ``Idempotency-Key`` header.

    A pending row is a request still running; it expires after ``IDEMPOTENCY_KEY_LEASE_SECONDS``
    (the request crashed or timed out), and a refused or failed request leaves no row.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.TextField(help_text="The request's path, percent-encoded.")
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="When the request that holds the key began.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="%(app_label)s_%(class)s_unique_user_key"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}]"


class AuthStamp(models.Model):
    """One row whose value changes with anything that decides what a user may do (roles, permissions,
    users): cached users and permission sets are keyed by it (``prodcoord.core.auth``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.CharField(max_length=32)

    def __str__(self):
        return self.value


class OperatorBadge(TimeStampedModel):
    """A person's badge number and PIN for signing in on a shared floor tablet (floor mode).

    The PIN is stored as a Django password hash (``pin_hash``), never as typed. Set and reset by
    a supervisor or an administrator (the admin, ``manage.py setbadge``) through
    ``prodcoord.core.badges.operator_badges_set``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="badge")
    badge = models.CharField(
        max_length=20,
        db_index=True,
        validators=[natural_key_validator],
        help_text="The number on the person's badge: letters A–Z, digits, - and _.",
    )
    pin_hash = models.CharField(max_length=128, editable=False)
    pin_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    pin_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["badge"]
        constraints = [
            unique_regardless_of_case("badge"),
        ]

    def __str__(self):
        return f"badge {self.badge}"
