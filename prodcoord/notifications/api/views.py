from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from prodcoord.core.api.viewsets import ServiceViewSet

from .. import selectors, services
from ..filters import NotificationFilter
from ..models import Notification, Subscription
from .serializers import (
    NotificationSerializer,
    ReadAllResultSerializer,
    ReadAllSerializer,
    SubscriptionCreateSerializer,
    SubscriptionSerializer,
    SubscriptionUpdateSerializer,
)


class SubscriptionViewSet(mixins.DestroyModelMixin, ServiceViewSet):
    """What the caller follows: departments, work centers, work orders, kinds of event. Every person has
    their own (their role's defaults to start with); nobody sees or changes another's."""

    permission_classes = [IsAuthenticated]
    serializer_class = SubscriptionSerializer
    ordering_fields = ["created_at", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built with no one signed in
            return Subscription.objects.none()
        return selectors.subscription_list(user=self.request.user)

    @extend_schema(request=SubscriptionCreateSerializer, responses={201: SubscriptionSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated_input_for(SubscriptionCreateSerializer)
        subscription = services.subscription_create(user=request.user, **data)
        return Response(self.output(subscription), status=status.HTTP_201_CREATED)

    @extend_schema(request=SubscriptionUpdateSerializer, responses={200: SubscriptionSerializer})
    def partial_update(self, request, *args, **kwargs):
        data = self.validated_input_for(SubscriptionUpdateSerializer, partial=True)
        subscription = self.get_object()
        services.subscription_update(user=request.user, subscription=subscription, **data)
        return Response(self.output(subscription))

    @extend_schema(request=SubscriptionUpdateSerializer, responses={200: SubscriptionSerializer})
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.subscription_delete(user=self.request.user, subscription=instance)


class NotificationViewSet(ServiceViewSet):
    """The caller's notifications, newest first; nobody sees another's."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notification_list(user=self.request.user)

    @extend_schema(request=None, responses={200: NotificationSerializer}, summary="Mark one notification read")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
        return Response(self.output(notification))

    @extend_schema(request=ReadAllSerializer, responses={200: ReadAllResultSerializer}, summary="Mark every notification read")
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        data = self.validated_input_for(ReadAllSerializer)
        marked = services.notifications_mark_all_read(user=request.user, up_to=data.get("up_to"))
        return Response({"marked_read": marked, "unread": selectors.unread_count(user=request.user)})
