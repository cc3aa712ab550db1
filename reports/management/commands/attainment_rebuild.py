"""Recompute the stored attainment snapshots of a range of shift dates (after an import of old
reports, or on a database that had none): idempotent, like the periodic run."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from prodcoord.core.management.arguments import date_argument
from prodcoord.core.plant_time import plant_today
from reports.services import attainment_snapshots_compute


class Command(BaseCommand):
    help = "Recompute attainment snapshots for the shift dates --date-from … --date-to (default: the last 14 days)."

    def add_arguments(self, parser):
        parser.add_argument("--date-from", type=date_argument)
        parser.add_argument("--date-to", type=date_argument)

    def handle(self, *args, date_from=None, date_to=None, **options):
        date_to = date_to or plant_today()
        date_from = date_from or date_to - dt.timedelta(days=13)
        if date_from > date_to:
            raise CommandError("--date-from must be on or before --date-to.")
        days = [date_from + dt.timedelta(days=n) for n in range((date_to - date_from).days + 1)]
        written, deleted = attainment_snapshots_compute(dates=days)
        self.stdout.write(f"Attainment {date_from} – {date_to}: {written} snapshots written, {deleted} removed.")
