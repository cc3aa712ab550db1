"""Generate a morning's brief now (and, with --send, e-mail it to its followers if it was not sent yet):
what the periodic task does at MORNING_BRIEF_HOUR, for a morning of one's choice."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from prodcoord.core.management.arguments import date_argument
from prodcoord.core.plant_time import plant_today
from reports.models import MorningBrief
from reports.services import morning_brief_generate, morning_brief_publish


class Command(BaseCommand):
    help = "Generate the morning brief of --date (default: today, plant time); --send e-mails it once."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date_argument, help="The morning (YYYY-MM-DD); it covers the day before.")
        parser.add_argument("--send", action="store_true", help="E-mail it to its followers, unless it was sent.")

    def handle(self, *args, date=None, send=False, **options):
        date = date or plant_today()
        try:
            brief = morning_brief_generate(date=date, trigger=MorningBrief.Trigger.COMMAND)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        head = brief.payload["headline"]
        self.stdout.write(
            f"Morning brief {brief.date} (covers {brief.production_date}) generated in {brief.generation_ms} ms: "
            f"attainment {head['attainment_pct']} %, {head['active_holds']} active holds, "
            f"{head['unclassified_downtime_minutes']} min unclassified downtime."
        )
        if send:
            deliveries = morning_brief_publish(brief=brief)
            self.stdout.write(
                f"Sent to {len(deliveries)} {'person' if len(deliveries) == 1 else 'people'}."
                if deliveries
                else "Not sent: it was sent already, or nobody follows it."
            )
