import datetime as dt

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from plant.models import Department, WorkCenter
from prodcoord.core.api.fields import InputSerializer, NaturalKeyField, quantity_field
from prodcoord.core.api.schema import VALIDATION_ERROR, InputOutputAutoSchema
from prodcoord.core.plant_time import plant_today

from .. import selectors

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
