"""The read side's stored results: pages and the API read these rows, never compute them per request."""

from django.conf import settings
from django.db import models

from materials.models import QTY


class AttainmentSnapshot(models.Model):
    """Plan against actual for one work center in one shift on one date, once that shift has
    ended (``reports.services``): over the slot's schedule entries,

    - ``planned`` = Σ planned_i, ``actual`` = Σ actual_i,
    - ``capped_actual`` = Σ min(actual_i, planned_i) — so over-production on one order does
      not hide a miss on another.

    actual_i is the good quantity reported for the entry's work order at that work center in
    that shift on that date (reversals included)."""

    date = models.DateField()
    shift = models.ForeignKey("plant.Shift", on_delete=models.PROTECT, related_name="+")
    work_center = models.ForeignKey("plant.WorkCenter", on_delete=models.PROTECT, related_name="+")
    planned = models.DecimalField(**QTY)
    actual = models.DecimalField(**QTY)
    capped_actual = models.DecimalField(**QTY)
    entries = models.PositiveIntegerField(help_text="Schedule entries in the slot")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "shift", "work_center"]
        constraints = [
            models.UniqueConstraint(fields=["date", "shift", "work_center"], name="%(app_label)s_%(class)s_unique_slot"),
        ]
        indexes = [models.Index(fields=["date", "work_center"], name="attain_date_wc_idx")]

    def __str__(self):
        return f"{self.date} {self.shift_id} {self.work_center_id}"


class AttainmentRun(models.Model):
    """Where the last attainment refresh stopped reading the event log (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"attainment refreshed up to event {self.last_event_id}"


class MorningBrief(models.Model):
    """What supervisors read in the morning (``date``) about the production day before it
    (``production_date``: every shift of that shift date, the night shift that ended this morning
    too), stored when it is generated so the page, the e-mail and the API show the same figures
    however the data moves afterwards (``reports.brief`` builds ``payload``; its shape is in
    docs/DESIGN.md, "The morning brief").

    Generating again replaces the payload and records who did it and when; ``published_at`` is
    when the scheduled run sent it to the subscribers (once per morning)."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "the scheduled run"
        PAGE = "page", "the brief page"
        API = "api", "the API"
        COMMAND = "command", "a management command"

    date = models.DateField(unique=True, help_text="The morning the brief is for")
    production_date = models.DateField(help_text="The shift date it covers: the day before")
    payload = models.JSONField()
    calc_version = models.PositiveSmallIntegerField(help_text="The calculation the figures were made with")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    generation_ms = models.PositiveIntegerField(default=0, help_text="How long the figures took to compute")
    published_at = models.DateTimeField(null=True, blank=True, help_text="When the scheduled run sent it out")

    class Meta:
        ordering = ["-date"]
        permissions = [("generate_morningbrief", "Can generate (and regenerate) the morning brief")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(production_date__lt=models.F("date")),
                name="%(app_label)s_%(class)s_covers_a_day_before",
            ),
        ]

    def __str__(self):
        return f"morning brief {self.date}"


class MorningBriefDelivery(models.Model):
    """The brief's e-mail to one subscriber, sent once (``sent_at``) through the outbox."""

    brief = models.ForeignKey(MorningBrief, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["brief", "user"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "user"], name="%(app_label)s_%(class)s_once_per_person"),
        ]

    def __str__(self):
        return f"{self.brief} to {self.user_id}"
