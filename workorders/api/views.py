from django.db import connection
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from prodcoord.core.api.pagination import JSONTextResponse, UnreadPagePagination, paginate_rows
from prodcoord.core.api.schema import DetailSerializer, ErrorSerializer
from prodcoord.core.api.viewsets import ServiceCreateMixin, ServiceCRUDViewSet, ServiceViewSet

from .. import selectors, services
from ..filters import HoldFilter, ProductionReportFilter, RoutingFilter, ScrapReasonFilter, WorkOrderFilter
from ..permissions import (
    ANY_HOLD_PLACE,
    ANY_HOLD_RELEASE,
    DRAFT_FIELD_PERMISSIONS,
    FIELD_PERMISSIONS,
    HOLD_RELEASE_PERMISSIONS,
    TRANSITION_PERMISSIONS,
    a_hold,
    may_release_hold,
    roles_allowed,
)
from .serializers import (
    HoldPlaceSerializer,
    HoldReleaseSerializer,
    HoldSerializer,
    ProductionReportSerializer,
    ProgressSerializer,
    ReleaseSerializer,
    ReverseSerializer,
    RoutingInputSerializer,
    RoutingSerializer,
    ScrapReasonSerializer,
    TransitionSerializer,
    WorkOrderCreateSerializer,
    WorkOrderSerializer,
    WorkOrderUpdateSerializer,
    work_order_payloads,
)

WO = "workorders"


# --- routings ----------------------------------------------------------------------


class RoutingViewSet(ServiceCRUDViewSet):
    """Routings: one revision per row; steps written as a whole list."""

    serializer_class = RoutingSerializer
    input_serializer_class = RoutingInputSerializer
    filterset_class = RoutingFilter
    ordering_fields = ["revision", "status", "created_at", "updated_at", "released_at"]
    action_permissions = {"release": [f"{WO}.change_routing"]}

    def get_queryset(self):
        return selectors.routing_list()

    def service_create(self, *, actor, data):
        return services.routing_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.routing_update(actor=actor, routing=instance, **data)

    def service_delete(self, *, actor, instance):
        services.routing_delete(actor=actor, routing=instance)

    @extend_schema(
        request=ReleaseSerializer, responses={200: RoutingSerializer, 409: ErrorSerializer}, summary="Release a draft routing"
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """New work orders copy this revision's steps; the previously released one becomes obsolete."""
        data = self.validated_input_for(ReleaseSerializer)
        routing = services.routing_release(actor=request.user, routing=self.get_object(), **data)
        return Response(self.output(routing))


class ScrapReasonViewSet(ServiceCRUDViewSet):
    """Why parts are scrapped: the codes a scrap quantity names. Retire one with ``is_active``;
    deleting one that reports name answers 409."""

    serializer_class = ScrapReasonSerializer
    filterset_class = ScrapReasonFilter
    lookup_field = "code"
    ordering_fields = ["code", "name", "created_at", "updated_at"]

    def get_queryset(self):
        return selectors.scrap_reason_list()

    def service_create(self, *, actor, data):
        return services.scrap_reason_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.scrap_reason_update(actor=actor, scrap_reason=instance, **data)

    def service_delete(self, *, actor, instance):
        services.scrap_reason_delete(actor=actor, scrap_reason=instance)


# --- work orders ----------------------------------------------------------------------

WORK_ORDER_ORDERING = [
    "number",
    "priority",
    "due_date",
    "planned_start",
    "planned_end",
    "status",
    "quantity",
    "created_at",
    "updated_at",
]


def _transition_action(name, summary):
    def view(self, request, number=None):
        data = self.validated_input_for(TransitionSerializer)
        work_order = services.work_order_transition(action=name, work_order=self.get_object(), actor=request.user, **data)
        return self.work_order_response(work_order)

    view.__name__ = name
    view.__doc__ = f"{summary} 409 when the current state does not allow it, when it is on hold, or when `version` is stale."
    view = action(detail=True, methods=["post"])(view)
    return extend_schema(
        request=TransitionSerializer, responses={200: WorkOrderSerializer, 409: ErrorSerializer}, summary=summary
    )(view)


class WorkOrderViewSet(ServiceCreateMixin, ServiceViewSet):
    """Work orders, addressed by number. Writes may carry ``version``; a stale one is refused with 409."""

    serializer_class = WorkOrderSerializer
    input_serializer_class = WorkOrderCreateSerializer
    filterset_class = WorkOrderFilter
    lookup_field = "number"
    pagination_class = UnreadPagePagination
    ordering_fields = WORK_ORDER_ORDERING
    ordering = ["number"]
    action_permissions = {
        # Field by field in update(): priority, plan and other changes need different permissions.
        "update": [f"{WO}.view_workorder"],
        "partial_update": [f"{WO}.view_workorder"],
        **{action: [perm] for action, perm in TRANSITION_PERMISSIONS.items()},
        "progress": [f"{WO}.report_progress"],
        # Placing: which kinds a role may place is the hold map's (``permissions``), checked below.
        "holds": {"GET": [f"{WO}.view_hold"], "POST": [f"{WO}.view_hold"]},
    }

    def get_queryset(self):
        return selectors.work_order_list(with_operations=False)

    def json_in_database(self):
        """PostgreSQL builds the JSON (selectors.work_order_page_json) when the answer is JSON."""
        return connection.vendor == "postgresql" and self.request.accepted_renderer.format == "json"

    def work_order_response(self, work_order=None, *, queryset=None, status_code=status.HTTP_200_OK):
        """The representation of ``work_order`` (or of the one work order ``queryset`` finds; None
        when it finds none): one statement on PostgreSQL, its row and operations elsewhere."""
        if queryset is None:
            queryset = self.get_queryset().filter(pk=work_order.pk)
        if self.json_in_database():
            _, text = selectors.work_order_page_json(queryset[:1])
            response = JSONTextResponse(text[1:-1], status=status_code) if text != "[]" else None
        else:
            rows = list(selectors.work_order_rows(queryset[:1]))
            response = Response(work_order_payloads(rows)[0], status=status_code) if rows else None
        if response is None and work_order is not None:
            # Written, then deleted by someone else before it was read back: as a read of it would.
            raise type(work_order).DoesNotExist
        return response

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if self.json_in_database():
            # PostgreSQL counts the orders and builds the page's JSON itself, in one statement.
            return self.paginator.page_json(queryset, request, selectors.work_order_page_json)
        rows = paginate_rows(self, queryset, selectors.work_order_rows)
        return self.get_paginated_response(work_order_payloads(rows))

    def retrieve(self, request, *args, **kwargs):
        """One work order with its operations, read once: no model instance first."""
        number = self.kwargs[self.lookup_field]
        response = None
        if "\x00" not in number:
            response = self.work_order_response(queryset=self.filter_queryset(self.get_queryset()).filter(number=number))
        if response is None:
            raise Http404(f"No {self.get_queryset().model._meta.object_name} matches the given query.")
        return response

    def create(self, request, *args, **kwargs):
        work_order = self.service_create(actor=request.user, data=self.validated_input())
        return self.work_order_response(work_order, status_code=status.HTTP_201_CREATED)

    def output(self, obj):
        return work_order_payloads([obj])[0]

    def service_create(self, *, actor, data):
        return services.work_order_create(actor=actor, **data)

    @extend_schema(request=WorkOrderUpdateSerializer, responses={200: WorkOrderSerializer, 409: ErrorSerializer})
    def update(self, request, *args, **kwargs):
        """Change quantity, customer_ref (planner), priority (with ``reason``) or plan dates (with ``reason``)."""
        partial = kwargs.pop("partial", False)
        user = request.user
        if not any(user.has_perm(perm) for perm in {*FIELD_PERMISSIONS.values(), *DRAFT_FIELD_PERMISSIONS.values()}):
            self.permission_denied(request, message="Your role does not allow changing work orders.")
        work_order = self.get_object()
        data = self.validated_input_for(WorkOrderUpdateSerializer, partial=partial)
        # Which fields change, and whether the role may change them, is decided under the row lock.
        work_order = services.work_order_update(work_order=work_order, actor=user, check_permissions=True, **data)
        return self.work_order_response(work_order)

    @extend_schema(request=WorkOrderUpdateSerializer, responses={200: WorkOrderSerializer, 409: ErrorSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change some fields; see PUT."""
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    @extend_schema(responses={204: None, 409: ErrorSerializer})
    def destroy(self, request, *args, **kwargs):
        """Delete a draft work order; any other is cancelled instead (409)."""
        services.work_order_delete(actor=request.user, work_order=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    release = _transition_action("release", "Release a draft work order to the floor.")
    start = _transition_action("start", "Start a released work order.")
    complete = _transition_action("complete", "Complete an in-progress work order (a reason is required if short).")
    close = _transition_action("close", "Close a completed work order.")
    cancel = _transition_action("cancel", "Cancel a draft or released work order (reason required).")

    @extend_schema(
        request=ProgressSerializer,
        responses={201: ProductionReportSerializer, 409: ErrorSerializer},
        summary="Report good and scrap quantity on an operation",
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, number=None):
        """A released order starts on its first report. 409 when it is on hold or not released/in progress."""
        data = self.validated_input_for(ProgressSerializer)
        report = services.operation_report_progress(work_order=self.get_object(), actor=request.user, **data)
        report = selectors.production_report_list().get(pk=report.pk)
        return Response(ProductionReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: HoldSerializer(many=True)}, summary="The work order's holds")
    @extend_schema(
        methods=["POST"],
        request=HoldPlaceSerializer,
        responses={201: HoldSerializer, 409: ErrorSerializer},
        summary="Place a hold on the work order",
        description="A hold may name the `operation` (sequence) or `work_center` (code) it concerns; it holds the "
        "whole order all the same. A quality user may place quality holds only (403 for another kind).",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def holds(self, request, number=None):
        work_order = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.hold_list().filter(work_order=work_order))
            return self.get_paginated_response(HoldSerializer(page, many=True).data)
        if not any(request.user.has_perm(perm) for perm in ANY_HOLD_PLACE):
            self.permission_denied(request, message="Your role does not allow placing holds.")
        data = self.validated_input_for(HoldPlaceSerializer)
        hold = services.hold_place(work_order=work_order, actor=request.user, check_permissions=True, **data)
        return Response(HoldSerializer(selectors.hold_list().get(pk=hold.pk)).data, status=status.HTTP_201_CREATED)


class HoldViewSet(ServiceViewSet):
    """Holds on work orders, active and released."""

    serializer_class = HoldSerializer
    filterset_class = HoldFilter
    ordering_fields = ["placed_at", "released_at", "kind"]
    # Who may release depends on the hold's kind (``permissions.HOLD_RELEASE_PERMISSIONS``), checked below.
    action_permissions = {"release": [f"{WO}.view_hold"]}

    def get_queryset(self):
        return selectors.hold_list()

    @extend_schema(
        request=HoldReleaseSerializer,
        responses={200: HoldSerializer, 403: DetailSerializer, 409: ErrorSerializer},
        summary="Release a hold",
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """A quality hold is released only by quality or a supervisor, with its `disposition`
        (required); other kinds by a supervisor or coordinator, without one. 403 for a role that may
        not release this kind; 409 if it was already released."""
        if not any(request.user.has_perm(perm) for perm in ANY_HOLD_RELEASE):
            self.permission_denied(request, message="Your role does not allow releasing holds.")
        hold = self.get_object()
        if not may_release_hold(request.user, hold.kind):
            self.permission_denied(
                request,
                message=f"Your role cannot release {a_hold(hold.get_kind_display())}; "
                f"{roles_allowed(HOLD_RELEASE_PERMISSIONS[hold.kind])} can.",
            )
        data = self.validated_input_for(HoldReleaseSerializer)
        hold = services.hold_release(hold=hold, actor=request.user, check_permissions=True, **data)
        return Response(self.output(selectors.hold_list().get(pk=hold.pk)))


class ProductionReportViewSet(ServiceViewSet):
    """Production reports, newest first: good and scrap made on an operation, in which shift, by whom.
    A wrong report is reversed (``{id}/reverse/``), never edited or deleted."""

    serializer_class = ProductionReportSerializer
    filterset_class = ProductionReportFilter
    ordering_fields = ["reported_at", "shift_date", "created_at"]
    action_permissions = {"reverse": [f"{WO}.reverse_productionreport"]}

    def get_queryset(self):
        return selectors.production_report_list()

    @extend_schema(
        request=ReverseSerializer,
        responses={201: ProductionReportSerializer, 409: ErrorSerializer},
        summary="Reverse a production report",
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Writes a report with the opposite quantities that points at this one, in its shift and shift
        date; the operation's and the order's totals follow. 409 when it was already reversed, is itself
        a reversal, its order is not in progress or completed, a later operation has already processed
        the good it takes back, or ``version`` is stale."""
        data = self.validated_input_for(ReverseSerializer)
        reversal = services.production_report_reverse(report=self.get_object(), actor=request.user, **data)
        return Response(self.output(reversal), status=status.HTTP_201_CREATED)
