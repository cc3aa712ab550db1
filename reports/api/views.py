import datetime as dt

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from plant.models import Department, WorkCenter
from prodcoord.core.api.fields import InputSerializer, NaturalKeyField, quantity_field
from prodcoord.core.api.schema import NOT_FOUND, VALIDATION_ERROR, InputOutputAutoSchema
from prodcoord.core.plant_time import plant_today

from .. import selectors, services
from ..models import MorningBrief

MAX_DAYS = 366


class AttainmentQuerySerializer(InputSerializer):
    date_from = serializers.DateField(required=False, help_text="First shift date; default: six days before date_to")
    date_to = serializers.DateField(required=False, help_text="Last shift date; default: today (plant time)")
    group_by = serializers.ChoiceField(choices=list(selectors.GROUPS), default="day")
    department = NaturalKeyField(slug_field="code", queryset=Department.objects.all(), required=False)
    work_center = NaturalKeyField(slug_field="code", queryset=WorkCenter.objects.all(), required=False)

    def validate(self, data):
        date_to = data.get("date_to") or plant_today()
        date_from = data.get("date_from") or max(dt.date.min + dt.timedelta(days=6), date_to) - dt.timedelta(days=6)
        if date_from > date_to:
            raise serializers.ValidationError({"date_from": ["date_from must be on or before date_to."]})
        if (date_to - date_from).days >= MAX_DAYS:
            raise serializers.ValidationError({"date_from": [f"Ask for at most {MAX_DAYS} days at a time."]})
        return {**data, "date_from": date_from, "date_to": date_to}


class AttainmentRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The date, 'date shift', department code or work center code")
    planned = quantity_field(read_only=True)
    actual = quantity_field(read_only=True, help_text="Good quantity reported against the plan's entries")
    capped_actual = quantity_field(read_only=True, help_text="Σ min(actual, planned) per schedule entry")
    attainment_pct = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True, read_only=True)
    volume_attainment_pct = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True, read_only=True)
    entries = serializers.IntegerField(read_only=True, help_text="Schedule entries counted")


class AttainmentSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    group_by = serializers.CharField()
    rows = AttainmentRowSerializer(many=True)


class AttainmentView(APIView):
    """Schedule attainment (Σ min(actual, planned) / Σ planned) and volume attainment
    (Σ actual / Σ planned) of the shifts that have ended, from the stored snapshots, grouped by
    day, shift, department or work center. A shift's snapshot is written when it ends and again
    when a late report, a reversal or a schedule change touches it."""

    required_perms = ["reports.view_attainmentsnapshot"]
    schema = InputOutputAutoSchema()

    @extend_schema(
        parameters=[AttainmentQuerySerializer],
        responses={200: AttainmentSerializer, 400: VALIDATION_ERROR},
        summary="Schedule attainment",
        tags=["reports"],
    )
    def get(self, request):
        query = AttainmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = selectors.attainment_rows(
            date_from=params["date_from"],
            date_to=params["date_to"],
            group_by=params["group_by"],
            department=params.get("department"),
            work_center=params.get("work_center"),
        )
        body = {"date_from": params["date_from"], "date_to": params["date_to"], "group_by": params["group_by"], "rows": rows}
        return Response(AttainmentSerializer(body).data)


# --- the morning brief ------------------------------------------------------------------------------------


class MorningBriefQuerySerializer(InputSerializer):
    date = serializers.DateField(
        required=False, help_text="The morning (YYYY-MM-DD); the brief covers the day before. Default: the latest brief."
    )


class MorningBriefGenerateSerializer(InputSerializer):
    date = serializers.DateField(help_text="The morning to (re)build the brief of: today (plant time) or earlier")


class MorningBriefHeadlineSerializer(serializers.Serializer):
    attainment_pct = serializers.CharField(allow_null=True, help_text="Σ min(actual, planned) / Σ planned × 100, one decimal")
    volume_attainment_pct = serializers.CharField(allow_null=True, help_text="Σ actual / Σ planned × 100, one decimal")
    planned = serializers.CharField(help_text="A decimal string")
    capped_actual = serializers.CharField(help_text="A decimal string")
    downtime_minutes = serializers.IntegerField()
    unclassified_downtime_minutes = serializers.IntegerField(help_text="Downtime whose reason is “other”")
    active_holds = serializers.IntegerField()
    carry_over_entries = serializers.IntegerField()
    good = serializers.CharField()
    scrap = serializers.CharField()
    first_pass_yield_pct = serializers.CharField(allow_null=True)
    schedule_changes = serializers.IntegerField()
    restated = serializers.IntegerField(help_text="Figures of the previous brief that read differently now")
    overdue_actions = serializers.IntegerField(help_text="Open action items due before the morning")
    actions_due_today = serializers.IntegerField(help_text="Open action items due that morning")
    unacknowledged_handovers = serializers.IntegerField(help_text="Submitted handovers the incoming shift has not acknowledged")
    shortages_ahead = serializers.IntegerField(help_text="Unresolved shortages that hit the next two shifts")


class MorningBriefSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The morning")
    production_date = serializers.DateField(help_text="The shift date it covers (the day before)")
    calc_version = serializers.IntegerField(help_text="The version of the calculation the figures were made with")
    generated_at = serializers.DateTimeField()
    generated_by = serializers.CharField(allow_null=True, help_text="Username; null for the scheduled run")
    trigger = serializers.ChoiceField(choices=["schedule", "page", "api", "command"])
    published_at = serializers.DateTimeField(allow_null=True, help_text="When the scheduled run e-mailed it")
    url = serializers.CharField(help_text="The brief's page")
    headline = MorningBriefHeadlineSerializer()
    payload = serializers.JSONField(
        help_text="Every section as stored: shifts (their boundaries), attainment (total, by_shift, departments with "
        "work_centers), carry_over, holds, downtime, quality, schedule_changes, restated, actions (overdue, due_today, "
        "from_last_brief), handovers, shortages (the next two shifts), figures; each line with the "
        "`url` of its page. docs/DESIGN.md, “The morning brief”."
    )


def _brief_body(brief):
    return {
        "date": brief.date,
        "production_date": brief.production_date,
        "calc_version": brief.calc_version,
        "generated_at": brief.generated_at,
        "generated_by": brief.generated_by.username if brief.generated_by_id else None,
        "trigger": brief.trigger,
        "published_at": brief.published_at,
        "url": reverse("brief-date", kwargs={"date": brief.date.isoformat()}),
        "headline": brief.payload["headline"],
        "payload": brief.payload,
    }


class MorningBriefView(APIView):
    """The stored morning brief of a morning (the previous production day: every shift of that shift
    date, the night shift that ended that morning too), exactly as it was generated — what supervisors
    read and were sent. 404 when that morning has none yet."""

    required_perms = ["reports.view_morningbrief"]
    schema = InputOutputAutoSchema()

    @extend_schema(
        parameters=[MorningBriefQuerySerializer],
        responses={200: MorningBriefSerializer, 400: VALIDATION_ERROR, 404: NOT_FOUND},
        summary="The morning brief",
        tags=["reports"],
    )
    def get(self, request):
        query = MorningBriefQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        date = query.validated_data.get("date")
        brief = selectors.morning_brief_for(date)
        if brief is None:
            detail = (
                f"There is no morning brief for {date.isoformat()}: it is generated each morning, or on demand with "
                "POST reports/morning-brief/generate/."
                if date is not None
                else "No morning brief has been generated yet."
            )
            raise NotFound(detail)
        return Response(MorningBriefSerializer(_brief_body(brief)).data)


class MorningBriefGenerateView(APIView):
    """(Re)build the brief of a morning now from the current figures, replacing the stored one
    (coordinators and planners). Answers the brief as stored."""

    required_perms = ["reports.generate_morningbrief"]
    schema = InputOutputAutoSchema()
    input_serializer_class = MorningBriefGenerateSerializer

    @extend_schema(
        request=MorningBriefGenerateSerializer,
        responses={200: MorningBriefSerializer, 400: VALIDATION_ERROR},
        summary="Generate the morning brief now",
        tags=["reports"],
    )
    def post(self, request):
        body = MorningBriefGenerateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        brief = services.morning_brief_generate(
            date=body.validated_data["date"], actor=request.user, trigger=MorningBrief.Trigger.API
        )
        brief = selectors.morning_brief_for(brief.date)
        return Response(MorningBriefSerializer(_brief_body(brief)).data)
