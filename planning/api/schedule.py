"""``schedule/``: the plan, entry by entry and as a whole upload (``bulk/``). Every write goes
through planning.services: ``schedule_entries_upsert`` for the plan as planned,
``schedule_entry_replan`` for a change that moves an entry, ``schedule_entry_delete``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from plant.models import Shift, WorkCenter
from prodcoord.core.api.schema import ValidationErrorSerializer
from prodcoord.core.api.viewsets import ServiceCRUDViewSet
from prodcoord.core.rows import NON_FIELD, RowErrors, RowsInvalid, chunks
from workorders.models import WorkOrder

from .. import selectors, services
from ..filters import ScheduleEntryFilter
from .serializers import (
    ScheduleBulkErrorSerializer,
    ScheduleBulkResultSerializer,
    ScheduleBulkSerializer,
    ScheduleEntrySerializer,
    ScheduleRowSerializer,
)

SLOT_FIELDS = ("date", "shift", "work_center")


def _row_errors_response(errors):
    rows = [{**error.as_dict(), "field": "non_field_errors" if error.field == NON_FIELD else error.field} for error in errors]
    refused = len({error["row"] for error in rows})
    return Response(
        {"detail": f"{refused} row{'s' if refused != 1 else ''} refused; nothing was written.", "rows": rows},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _by_key(model, field, values):
    """``{key: record}`` for the keys named (a NUL names nothing), a query per 5,000."""
    found = {}
    for chunk in chunks(sorted({value for value in values if "\x00" not in value})):
        for record in model.objects.filter(**{f"{field}__in": chunk}):
            found[getattr(record, field)] = record
    return found


@extend_schema_view(
    list=extend_schema(summary="Schedule entries"),
    create=extend_schema(
        summary="Schedule a work order in a slot",
        responses={201: ScheduleEntrySerializer, 200: ScheduleEntrySerializer},
    ),
    partial_update=extend_schema(summary="Change or move a schedule entry"),
    update=extend_schema(summary="Change or move a schedule entry"),
    destroy=extend_schema(summary="Take an entry off the schedule"),
)
class ScheduleEntryViewSet(ServiceCRUDViewSet):
    """The schedule: how much of a work order a work center should make in a shift on a date, one
    entry per slot (date, shift, work center, work order). ``POST`` creates the slot's entry, or
    changes the one already there (200); a change of ``date``, ``shift`` or ``work_center`` moves
    the entry and needs a ``reason`` (recorded, and announced to both work centers' departments);
    the work order of an entry never changes. Planners write; everyone reads."""

    serializer_class = ScheduleEntrySerializer
    filterset_class = ScheduleEntryFilter
    ordering_fields = ["date", "sequence", "planned_quantity", "created_at", "updated_at"]
    action_permissions = {"bulk": ["planning.add_scheduleentry", "planning.change_scheduleentry"]}

    def get_queryset(self):
        return selectors.schedule_entry_list()

    def get_serializer_class(self):
        if self.action == "bulk":
            return ScheduleBulkSerializer
        return ScheduleEntrySerializer

    def create(self, request, *args, **kwargs):
        data = self.validated_input()
        entry = services.schedule_entry_upsert(actor=request.user, **data)
        code = status.HTTP_201_CREATED if entry.outcome == services.CREATED else status.HTTP_200_OK
        return Response(self.output(entry), status=code)

    @transaction.atomic
    def service_update(self, *, actor, instance, data):
        if "work_order" in data and data["work_order"].pk != instance.work_order_id:
            raise ValidationError(
                {"work_order": ["An entry keeps its work order: take it off the schedule and schedule the other one."]}
            )
        reason = data.get("reason", "")
        moves = {field: data[field] for field in SLOT_FIELDS if field in data and data[field] != getattr(instance, field)}
        quantity = data.get("planned_quantity", instance.planned_quantity)
        if moves:
            instance = services.schedule_entry_replan(
                actor=actor, entry=instance, reason=reason, planned_quantity=quantity, **moves
            )
        sequence = data.get("sequence", instance.sequence)
        return services.schedule_entry_upsert(
            actor=actor,
            date=instance.date,
            shift=instance.shift,
            work_center=instance.work_center,
            work_order=instance.work_order,
            planned_quantity=instance.planned_quantity if moves else quantity,
            sequence=sequence,
            reason=reason,
        )

    def service_delete(self, *, actor, instance):
        services.schedule_entry_delete(actor=actor, entry=instance)

    @extend_schema(
        request=ScheduleBulkSerializer,
        responses={
            200: ScheduleBulkResultSerializer,
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ScheduleBulkRefusal",
                    serializers=[ScheduleBulkErrorSerializer, ValidationErrorSerializer],
                    resource_type_field_name=None,
                ),
                description="Rows refused (`detail` and `rows`, each with its index and field; nothing was written), "
                'or the request itself: `entries` missing, not a list or longer than the limit (`{"entries": ["…"]}`), '
                "a malformed `Idempotency-Key`",
            ),
        },
        summary="Upload the schedule: upsert many entries, all or nothing",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Creates or changes an entry per row, by its slot (date + shift + work center + work order),
        all or nothing: when any row is refused, nothing is written and the answer lists every
        problem as ``{row, field, message}`` (rows counted from 0). Rows the same as the entry
        already there change nothing. At most ``SCHEDULE_BULK_MAX_ROWS`` rows per request."""
        entries = self.validated_input_for(ScheduleBulkSerializer)["entries"]
        errors = RowErrors()
        parsed = {}
        # One serializer for every row: its fields are built once, not 2,000 times.
        row_serializer = ScheduleRowSerializer(context=self.get_serializer_context())
        for index, raw in enumerate(entries):
            try:
                parsed[index] = dict(row_serializer.run_validation(raw))
            except serializers.ValidationError as exc:
                detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
                for field, messages in detail.items():
                    for message in messages if isinstance(messages, list) else [messages]:
                        errors.add(index, NON_FIELD if field == "non_field_errors" else field, message)
        shifts = _by_key(Shift, "code", (row["shift"] for row in parsed.values()))
        work_centers = _by_key(WorkCenter, "code", (row["work_center"] for row in parsed.values()))
        work_orders = _by_key(WorkOrder, "number", (row["work_order"] for row in parsed.values()))
        lookups = (
            ("shift", shifts, "No shift with code “{}”."),
            ("work_center", work_centers, "No work center with code “{}”."),
            ("work_order", work_orders, "No work order with number “{}”."),
        )
        rows = []
        for index, row in parsed.items():
            for field, found, message in lookups:
                record = found.get(row[field])
                if record is None:
                    errors.add(index, field, message.format(row[field][:60]))
                row[field] = record
            rows.append(row)
        if errors:
            return _row_errors_response(errors.errors)
        try:
            written = services.schedule_entries_upsert(actor=request.user, rows=rows)
        except RowsInvalid as exc:
            return _row_errors_response(exc.errors)
        outcomes = [entry.outcome for entry in written]
        result = {
            "count": len(written),
            "created": outcomes.count(services.CREATED),
            "changed": outcomes.count(services.CHANGED),
            "unchanged": outcomes.count(services.UNCHANGED),
            "ids": [entry.pk for entry in written],
        }
        return Response(result)
